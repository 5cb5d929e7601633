//! The Facebook provider through the `TokenProvider` trait, against the Graph sandbox: the
//! contract a provider keeps (complete token sets, offline refresh decisions, variables),
//! without the CLI around it.

use chrono::{Duration, Utc};
use fbvault_facebook::{FacebookProvider, Options, appsecret_proof};
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, DEMO_PAGES, Sandbox};
use fbvault_provider::{
    Context, EnvOptions, ErrorKind, LoginInput, ProfileData, RefreshNeed, Secret, TokenKind,
    TokenProvider,
};

fn setup() -> (Sandbox, FacebookProvider, ProfileData) {
    let sandbox = Sandbox::start();
    let provider = FacebookProvider::new(Options {
        graph_url: Some(sandbox.url().to_string()),
        ..Options::default()
    });
    let mut profile = ProfileData {
        name: "acme".into(),
        ..Default::default()
    };
    profile.config.insert("app_id".into(), DEMO_APP_ID.into());
    profile
        .secrets
        .insert("app_secret".into(), Secret::new(DEMO_APP_SECRET));
    (sandbox, provider, profile)
}

fn login(sandbox: &Sandbox, provider: &FacebookProvider, profile: &mut ProfileData) {
    let input = LoginInput {
        token: Secret::new(sandbox.short_token()),
        exchange: true,
    };
    profile.tokens = provider
        .login(&Context::now(), profile, &input)
        .unwrap()
        .tokens;
}

#[test]
fn login_returns_the_user_token_first_then_never_expiring_pages() {
    let (sandbox, provider, mut profile) = setup();
    login(&sandbox, &provider, &mut profile);
    let user = &profile.tokens[0];
    assert_eq!((user.name.as_str(), user.kind), ("user", TokenKind::User));
    let left = user.expires_at.unwrap() - Utc::now();
    assert!(left > Duration::days(59) && left <= Duration::days(60));
    let pages: Vec<_> = profile
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Page)
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.expires_at.is_none()));
    assert_eq!(
        provider.refresh_due(&Context::now(), &profile),
        RefreshNeed::Fresh
    );
}

#[test]
fn the_refresh_window_is_a_profile_setting() {
    let (sandbox, provider, mut profile) = setup();
    login(&sandbox, &provider, &mut profile);
    profile.tokens[0].obtained_at = Some(Utc::now() - Duration::days(2));
    let fifty_days_left = Context {
        now: Utc::now() + Duration::days(10),
    };
    assert_eq!(
        provider.refresh_due(&fifty_days_left, &profile),
        RefreshNeed::Fresh
    );
    profile
        .config
        .insert("refresh_window_days".into(), "55".into());
    assert_eq!(
        provider.refresh_due(&fifty_days_left, &profile),
        RefreshNeed::Due
    );
    let later = Context {
        now: Utc::now() + Duration::days(61),
    };
    assert_eq!(provider.refresh_due(&later, &profile), RefreshNeed::Expired);
    profile
        .config
        .insert("refresh_window_days".into(), "a week".into());
    let err = provider
        .refresh(&Context::now(), &profile, true)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
}

#[test]
fn refresh_keeps_the_pages_and_reports_an_unextended_token() {
    let (sandbox, provider, mut profile) = setup();
    login(&sandbox, &provider, &mut profile);
    let pages_before: Vec<_> = profile.tokens[1..].to_vec();
    let set = provider.refresh(&Context::now(), &profile, true).unwrap();
    assert_eq!(
        set.tokens[1..],
        pages_before[..],
        "the complete set comes back"
    );
    assert!(
        set.notes.iter().any(|n| n.contains("did not extend")),
        "{:?}",
        set.notes
    );
}

#[test]
fn env_proves_the_injected_token() {
    let (sandbox, provider, mut profile) = setup();
    login(&sandbox, &provider, &mut profile);
    let options = EnvOptions {
        target: Some(DEMO_PAGES[0].into()),
        include_secrets: false,
    };
    let vars = provider.env(&profile, &options).unwrap();
    let get = |n: &str| {
        vars.iter()
            .find(|v| v.name == n)
            .map(|v| v.value.expose().to_string())
    };
    let page = get("FB_PAGE_ACCESS_TOKEN").unwrap();
    assert_eq!(get("FB_ACCESS_TOKEN").unwrap(), page);
    assert_eq!(
        get("FB_APPSECRET_PROOF").unwrap(),
        appsecret_proof(DEMO_APP_SECRET, &page)
    );
    assert!(get("FB_APP_SECRET").is_none());
    assert!(
        vars.iter()
            .filter(|v| v.name.ends_with("TOKEN") || v.name.ends_with("PROOF"))
            .all(|v| v.secret)
    );
}

#[test]
fn the_sandbox_shows_why_never_expiring_tokens_are_not_re_exchanged() {
    // What fbvault avoids: exchanging a token with no expiry gives back a 60-day token.
    let (sandbox, provider, mut profile) = setup();
    sandbox.configure(|c| c.long_lived_secs = 0);
    login(&sandbox, &provider, &mut profile);
    assert_eq!(profile.tokens[0].expires_at, None);
    sandbox.clear_log();
    let set = provider.refresh(&Context::now(), &profile, true).unwrap();
    assert_eq!(sandbox.count("/oauth/access_token"), 0);
    assert_eq!(set.tokens, profile.tokens);
    let url = format!(
        "{}/v27.0/oauth/access_token?grant_type=fb_exchange_token&client_id={DEMO_APP_ID}&client_secret={DEMO_APP_SECRET}&fb_exchange_token={}",
        sandbox.url(),
        profile.tokens[0].value.expose()
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer: serde_json::Value = reqwest::blocking::get(url).unwrap().json().unwrap();
    let secs = answer["expires_in"]
        .as_i64()
        .expect("the exchanged token now expires");
    assert!(secs > 59 * 86_400);
}

#[test]
fn the_age_that_counts_is_facebooks_issued_at_not_when_fbvault_stored_it() {
    let (sandbox, provider, mut profile) = setup();
    let old = sandbox.aged_token(
        std::time::Duration::from_secs(58 * 86_400),
        std::time::Duration::from_secs(2 * 86_400),
    );
    let input = LoginInput {
        token: Secret::new(old.clone()),
        exchange: true,
    };
    profile.tokens = provider
        .login(&Context::now(), &profile, &input)
        .unwrap()
        .tokens;
    assert_eq!(sandbox.count("/oauth/access_token"), 0, "long-lived: kept");
    let user = &profile.tokens[0];
    assert_eq!(user.value.expose(), old);
    assert!(user.obtained_at.unwrap() > Utc::now() - Duration::minutes(1));
    assert_eq!(
        provider.refresh_due(&Context::now(), &profile),
        RefreshNeed::Due,
        "stored a minute ago, but 58 days old"
    );
    // Facebook gives the same token back: the set comes back unchanged, with the date
    // by which a login is needed.
    let set = provider.refresh(&Context::now(), &profile, false).unwrap();
    assert_eq!(set.tokens, profile.tokens);
    assert!(
        set.notes.iter().any(|n| n.contains("log in again by")),
        "{:?}",
        set.notes
    );
}

#[test]
fn system_user_tokens_use_a_14_day_window_and_the_60_day_parameter() {
    let (sandbox, provider, mut profile) = setup();
    let su = sandbox.system_user_token(true);
    sandbox.age(
        &su,
        std::time::Duration::from_secs(50 * 86_400),
        std::time::Duration::from_secs(10 * 86_400),
    );
    let input = LoginInput {
        token: Secret::new(su.clone()),
        exchange: true,
    };
    profile.tokens = provider
        .login(&Context::now(), &profile, &input)
        .unwrap()
        .tokens;
    assert_eq!(profile.tokens[0].kind, TokenKind::SystemUser);
    assert!(profile.tokens.iter().any(|t| t.kind == TokenKind::Page));
    assert_eq!(
        provider.refresh_due(&Context::now(), &profile),
        RefreshNeed::Due
    );
    let set = provider.refresh(&Context::now(), &profile, false).unwrap();
    let ex = sandbox
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth/access_token")
        .unwrap();
    assert_eq!(ex.params["set_token_expires_in_60_days"], "true");
    assert_ne!(set.tokens[0].value.expose(), su);
    assert_eq!(set.tokens[0].kind, TokenKind::SystemUser);
}

#[test]
fn a_page_token_is_stored_under_its_page_and_injected_with_its_proof() {
    let (sandbox, provider, mut profile) = setup();
    let page = sandbox.page_token(DEMO_PAGES[0]);
    let input = LoginInput {
        token: Secret::new(page.clone()),
        exchange: true,
    };
    profile.tokens = provider
        .login(&Context::now(), &profile, &input)
        .unwrap()
        .tokens;
    assert_eq!(profile.tokens.len(), 1);
    assert_eq!(profile.tokens[0].name, format!("page:{}", DEMO_PAGES[0]));
    assert_eq!(
        provider.refresh_due(&Context::now(), &profile),
        RefreshNeed::Fresh
    );
    let vars = provider.env(&profile, &EnvOptions::default()).unwrap();
    let get = |n: &str| {
        vars.iter()
            .find(|v| v.name == n)
            .map(|v| v.value.expose().to_string())
    };
    assert_eq!(get("FB_ACCESS_TOKEN").unwrap(), page);
    assert_eq!(
        get("FB_PAGE_APPSECRET_PROOF").unwrap(),
        appsecret_proof(DEMO_APP_SECRET, &page)
    );
    assert!(get("FB_USER_ACCESS_TOKEN").is_none() && get("FB_USER_APPSECRET_PROOF").is_none());
}
