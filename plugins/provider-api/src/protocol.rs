//! The external plugin protocol, version 1.
//!
//! fbvault runs an executable named `fbvault-provider-NAME` once per request, writes one
//! [`PluginRequest`] as JSON to its stdin, closes it, and reads one [`PluginResponse`] from
//! its stdout. `schemas/plugin-request.schema.json` and `schemas/plugin-response.schema.json`
//! are generated from these types, and a test fails when they drift apart.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Description, ErrorKind, Inspection, ProfileData, Secret, TokenSet};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// What fbvault asks a plugin to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Answer with a [`Description`].
    Describe,
    /// Answer with a [`TokenSet`] from `input.token`.
    Login,
    /// Answer with a refreshed [`TokenSet`].
    Refresh,
    /// Answer with an [`InspectResult`].
    Inspect,
}

impl Method {
    /// The protocol name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Describe => "describe",
            Method::Login => "login",
            Method::Refresh => "refresh",
            Method::Inspect => "inspect",
        }
    }
}

/// The method's arguments; which ones are set depends on the method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginInput {
    /// `login`: the token the user gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// `login`: whether to exchange the token for a long-lived one (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<bool>,
    /// `refresh`: refresh even when not due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// `inspect`: only this token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<String>,
}

/// One request, written to the plugin's stdin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginRequest {
    /// Always 1.
    pub protocol: u32,
    /// What to do.
    pub method: Method,
    /// The profile, with its secrets and tokens.
    pub profile: ProfileData,
    /// The method's arguments.
    #[serde(default)]
    pub input: PluginInput,
    /// fbvault's clock.
    pub now: DateTime<Utc>,
}

/// The result of `inspect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectResult {
    /// One entry per inspected token.
    pub inspections: Vec<Inspection>,
}

/// A successful answer's payload; its shape depends on the method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PluginResult {
    /// For `describe`.
    Describe(Description),
    /// For `login` and `refresh`.
    Tokens(TokenSet),
    /// For `inspect`.
    Inspect(InspectResult),
}

/// A failed answer's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginError {
    /// The class: decides fbvault's exit code (4 for `invalid_grant`, 5 for `unreachable`
    /// and `rate_limited`, 1 for the rest).
    pub kind: ErrorKind,
    /// One line saying what happened; no secrets.
    pub message: String,
}

/// The literal `true` (schema `const: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct True;
/// The literal `false` (schema `const: false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct False;

macro_rules! bool_literal {
    ($ty:ident, $value:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bool($value)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if bool::deserialize(d)? == $value {
                    Ok($ty)
                } else {
                    Err(serde::de::Error::custom(concat!("expected ", $value)))
                }
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "const": $value })
            }
        }
    };
}
bool_literal!(True, true);
bool_literal!(False, false);

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OkResponse {
    /// Always 1.
    pub protocol: u32,
    /// Always `true`.
    pub ok: True,
    /// The payload.
    pub result: PluginResult,
}

/// A failed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrResponse {
    /// Always 1.
    pub protocol: u32,
    /// Always `false`.
    pub ok: False,
    /// Why.
    pub error: PluginError,
}

/// One response, read from the plugin's stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PluginResponse {
    /// `{"protocol": 1, "ok": true, "result": …}`
    Ok(OkResponse),
    /// `{"protocol": 1, "ok": false, "error": …}`
    Err(ErrResponse),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_error_response() {
        let r: PluginResponse = serde_json::from_str(
            r#"{"protocol":1,"ok":false,"error":{"kind":"invalid_grant","message":"expired"}}"#,
        )
        .unwrap();
        let PluginResponse::Err(e) = r else {
            panic!("expected an error")
        };
        assert_eq!(e.error.kind, ErrorKind::InvalidGrant);
    }

    #[test]
    fn parses_a_token_result_with_only_the_protocol_fields() {
        let r: PluginResponse = serde_json::from_str(
            r#"{"protocol":1,"ok":true,"result":{"tokens":[{"name":"t","value":"v","expires_at":null,"env":"IG_TOKEN"}]}}"#,
        )
        .unwrap();
        let PluginResponse::Ok(ok) = r else {
            panic!("expected ok")
        };
        let PluginResult::Tokens(set) = ok.result else {
            panic!("expected tokens")
        };
        assert_eq!(set.tokens[0].env.as_deref(), Some("IG_TOKEN"));
        assert_eq!(set.tokens[0].expires_at, None);
    }

    fn described(json: &str) -> Description {
        let r: PluginResponse = serde_json::from_str(json).unwrap();
        let PluginResponse::Ok(OkResponse {
            result: PluginResult::Describe(d),
            ..
        }) = r
        else {
            panic!("expected a description")
        };
        d
    }

    #[test]
    fn a_description_without_login_needs_a_token() {
        let d = described(
            r#"{"protocol":1,"ok":true,"result":{"name":"x","version":"1","capabilities":[],"fields":[]}}"#,
        );
        assert!(!d.tokenless());
        assert!(!serde_json::to_string(&d).unwrap().contains("login"));
    }

    #[test]
    fn a_description_can_say_login_needs_no_token() {
        let d = described(
            r#"{"protocol":1,"ok":true,"result":{"name":"x","version":"1","capabilities":[],"fields":[],"login":{"needs_token":false}}}"#,
        );
        assert!(d.tokenless());
    }

    #[test]
    fn refuses_ok_true_with_an_error_body() {
        let r = serde_json::from_str::<PluginResponse>(
            r#"{"protocol":1,"ok":true,"error":{"kind":"internal","message":"x"}}"#,
        );
        assert!(r.is_err());
    }
}
