//! The provider contract as a test (feature `testkit`): every built-in provider passes
//! [`check`], and a new one should too.
//!
//! It checks, offline: the description (a name, described fields with unique names,
//! variables that are valid names), that a profile without its required fields is refused,
//! the refresh rule (no token: missing or, for a token-less provider, due; expired:
//! expired; just obtained with 60 days left: fresh; old and inside any window: due, for a
//! provider that refreshes), and that no secret shows in `Debug` output of what crosses the
//! trait or in any error's message and hints.

use chrono::{Duration, Utc};

use crate::{
    Capability, Context, EnvOptions, ProfileData, ProviderError, RefreshNeed, Secret, Token,
    TokenKind, TokenProvider,
};

/// The token value the kit plants; it must never show.
pub const PLANTED_TOKEN: &str = "testkit-token-value-0123456789";
/// The secret-field value the kit plants; it must never show.
pub const PLANTED_SECRET: &str = "testkit-secret-value-9876543210";

fn valid_variable(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A profile with every declared field set (secret ones to [`PLANTED_SECRET`]) and one
/// token ([`PLANTED_TOKEN`]) expiring in `expires_in`, obtained `age` ago.
pub fn sample(provider: &dyn TokenProvider, expires_in: Duration, age: Duration) -> ProfileData {
    let d = provider.describe();
    let mut p = ProfileData {
        name: "kit".into(),
        ..Default::default()
    };
    for f in &d.fields {
        if f.secret {
            p.secrets
                .insert(f.name.clone(), Secret::new(PLANTED_SECRET.to_string()));
        } else if f.required {
            p.config.insert(f.name.clone(), "1234567890".into());
        }
    }
    // The first plain token name (`page:<id>` is a pattern).
    let token_name = d
        .env
        .keys()
        .find(|k| !k.contains('<'))
        .cloned()
        .unwrap_or_else(|| "main".into());
    let now = Utc::now();
    let mut t = Token::new(
        token_name.clone(),
        TokenKind::User,
        Secret::new(PLANTED_TOKEN.to_string()),
        Some(now + expires_in),
    );
    t.obtained_at = Some(now - age);
    t.env = d.env.get(&token_name).cloned();
    p.tokens.push(t);
    p
}

fn leaks(text: &str) -> bool {
    text.contains(PLANTED_TOKEN) || text.contains(PLANTED_SECRET)
}

fn clean_error(what: &str, e: &ProviderError) {
    let shown = format!("{e:?} {} {}", e.message, e.hints.join(" "));
    assert!(!leaks(&shown), "{what}: an error shows a secret: {shown}");
}

/// Runs the contract on `provider`; panics with the first breach.
pub fn check(provider: &dyn TokenProvider) {
    let d = provider.describe();
    assert!(
        !d.name.is_empty() && !d.version.is_empty(),
        "a name and a version"
    );
    assert!(
        d.can(Capability::Login),
        "{}: every provider logs in",
        d.name
    );
    for (i, f) in d.fields.iter().enumerate() {
        assert!(
            !f.description.is_empty(),
            "{}: field {} is described",
            d.name,
            f.name
        );
        assert!(
            !d.fields[..i].iter().any(|g| g.name == f.name),
            "{}: field {} is declared once",
            d.name,
            f.name
        );
    }
    for v in d.all_variables() {
        assert!(valid_variable(&v), "{}: `{v}` is a variable name", d.name);
    }
    assert!(
        !d.all_variables().is_empty(),
        "{}: it injects something",
        d.name
    );
    let import = provider.import_names();
    for (field, names) in &import.fields {
        assert!(
            d.fields.iter().any(|f| &f.name == field),
            "{}: import reads declared field {field}",
            d.name
        );
        assert!(
            !names.is_empty() && names.iter().all(|n| valid_variable(n)),
            "{}: import names for {field} are variable names",
            d.name
        );
    }
    assert!(
        !import.long.is_empty() && !import.short.is_empty(),
        "{}: import knows where tokens are",
        d.name
    );

    let ctx = Context::now();
    if d.fields.iter().any(|f| f.required) {
        let e = provider
            .validate(&ProfileData::default())
            .expect_err("a profile without its required fields is refused");
        clean_error(&d.name, &e);
    }
    let full = sample(provider, Duration::days(60), Duration::minutes(1));
    provider
        .validate(&full)
        .expect("a profile with every field is valid");

    let empty = ProfileData {
        tokens: Vec::new(),
        ..full.clone()
    };
    let none = provider.refresh_due(&ctx, &empty);
    if d.tokenless() {
        assert_eq!(none, RefreshNeed::Due, "{}: mints a first token", d.name);
    } else {
        assert_eq!(
            none,
            RefreshNeed::Missing,
            "{}: no token is missing",
            d.name
        );
    }
    let expired = sample(provider, Duration::seconds(-5), Duration::days(61));
    if !d.tokenless() {
        assert_eq!(
            provider.refresh_due(&ctx, &expired),
            RefreshNeed::Expired,
            "{}",
            d.name
        );
    }
    assert_eq!(
        provider.refresh_due(&ctx, &full),
        RefreshNeed::Fresh,
        "{}: fresh",
        d.name
    );
    if d.can(Capability::Refresh) {
        let old = sample(provider, Duration::days(1), Duration::days(59));
        assert_eq!(
            provider.refresh_due(&ctx, &old),
            RefreshNeed::Due,
            "{}: due",
            d.name
        );
    }

    let options = EnvOptions::default();
    let vars = provider
        .env(&full, &options)
        .expect("a live token is injected");
    assert!(
        vars.iter().any(|v| v.value.expose() == PLANTED_TOKEN),
        "{}",
        d.name
    );
    for v in &vars {
        assert!(
            d.all_variables().contains(&v.name),
            "{}: `{}` is declared",
            d.name,
            v.name
        );
    }
    assert!(
        !leaks(&format!("{vars:?} {full:?}")),
        "{}: Debug shows a secret",
        d.name
    );
    if !d.tokenless() {
        let e = provider
            .env(&expired, &options)
            .expect_err("an expired token is not injected");
        assert_eq!(e.kind, crate::ErrorKind::InvalidGrant, "{}", d.name);
        assert!(
            e.hints.iter().any(|h| h.contains("fbvault login")),
            "{}: an expired token names `fbvault login`: {e:?}",
            d.name
        );
        clean_error(&d.name, &e);
    }
}
