//! What `fbvault status` adds to a Facebook profile's rows ([`TokenProvider::status`]):
//! the Graph API version the profile calls and the day the Marketing API stops serving it
//! (with a warning near that day), and, for user tokens, the day by which a new login is
//! needed, since Facebook does not extend user tokens.
//!
//! [`TokenProvider::status`]: fbvault_provider::TokenProvider::status

use chrono::{DateTime, NaiveDate, Utc};
use fbvault_provider::{Context, ProfileData, StatusExtras, TokenKind};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::{DEFAULT_GRAPH_VERSION, versions};

/// The fields of a row (their schema is part of `schemas/status.schema.json`).
#[derive(Serialize, JsonSchema)]
#[allow(dead_code)] // Only its schema is used; the values are built field by field.
struct Fields {
    /// (Facebook) the Graph API version the profile calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    graph_version: Option<String>,
    /// (Facebook) the day the Marketing API stops serving that version; `null` when not
    /// announced or the version is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    marketing_api_until: Option<Option<NaiveDate>>,
    /// (Facebook user tokens) the day by which a new login is needed: Facebook does not
    /// extend user tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    login_by: Option<DateTime<Utc>>,
}

/// The schema of the fields [`extras`] adds.
pub fn schema() -> schemars::Schema {
    schemars::SchemaGenerator::default().into_root_schema_for::<Fields>()
}

/// The additions for one profile on `ctx.now`'s day.
pub fn extras(ctx: &Context, profile: &ProfileData) -> StatusExtras {
    let version = profile
        .config("graph_version")
        .unwrap_or(DEFAULT_GRAPH_VERSION);
    let until = versions::lookup(version).and_then(|e| e.marketing_end());
    let mut extras = StatusExtras {
        fields: vec![
            ("graph_version".into(), Value::from(version)),
            ("marketing_api_until".into(), json(until)),
        ],
        warnings: versions::warning(version, ctx.now.date_naive())
            .map(|w| format!("{w} (`fbvault edit {}`, set graph_version)", profile.name))
            .into_iter()
            .collect(),
        ..StatusExtras::default()
    };
    for token in profile.tokens.iter().filter(|t| t.kind == TokenKind::User) {
        let Some(by) = token.expires_at else { continue };
        extras
            .token_fields
            .insert(token.name.clone(), vec![("login_by".into(), json(by))]);
        extras.expiring.insert(
            token.name.clone(),
            format!(
                "Facebook does not extend user tokens; log in again by {} with `fbvault login {}`",
                by.format("%Y-%m-%d"),
                profile.name
            ),
        );
    }
    extras
}

fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("dates serialize")
}
