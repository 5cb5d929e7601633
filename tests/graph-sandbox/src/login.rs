//! The Facebook Login dialog and the code it hands out, like www.facebook.com and Graph:
//! `GET /{v}/dialog/oauth` checks `client_id`, `redirect_uri` (development mode: any
//! `http://localhost` URI), `response_type=code`, `state` and the PKCE parameters, then
//! answers 302 to `redirect_uri?code=…&state=…#_=_` (or, in the decline mode,
//! `error=access_denied&error_reason=user_denied`). `GET /oauth/access_token?code=…`
//! redeems a code once, within its lifetime, only with the identical `redirect_uri` and a
//! `code_verifier` whose S256 matches the challenge; anything else is Facebook's error
//! envelope (code 100, `OAuthException`).

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::model::{World, now};
use crate::routes::{Reply, error, ok};

/// A code the dialog gave.
#[derive(Debug, Clone)]
pub struct CodeRec {
    /// The app it was given for.
    pub app_id: String,
    /// The redirect URI of the dialog request.
    pub redirect_uri: String,
    /// The PKCE challenge (S256), when one was sent.
    pub code_challenge: Option<String>,
    /// The permissions granted.
    pub scopes: Vec<String>,
    /// Unix expiry.
    pub expires_at: i64,
    /// Redeemed already.
    pub used: bool,
}

fn oauth_error(code: i64, subcode: Option<i64>, message: &str) -> Reply {
    let mut r = error(400, code, subcode, message);
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&r.body) {
        v["error"]["type"] = json!("OAuthException");
        r.body = v.to_string();
    }
    r
}

/// The dialog's own error page (Facebook shows it instead of redirecting).
fn page_error(message: &str) -> Reply {
    Reply {
        status: 400,
        body: json!({"error": {"message": message, "type": "OAuthException", "code": 191}})
            .to_string(),
        headers: Vec::new(),
    }
}

fn localhost(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && u.host_str() == Some("localhost") && u.fragment().is_none()
    })
}

fn valid_challenge(c: &str) -> bool {
    (43..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /dialog/oauth`.
pub(crate) fn dialog(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    if !w.apps.contains_key(get("client_id")) {
        return page_error(
            "Invalid App ID: The provided app ID does not look like a valid app ID.",
        );
    }
    let redirect = get("redirect_uri");
    if !localhost(redirect) {
        return page_error(
            "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.",
        );
    }
    if get("response_type") != "code" {
        return page_error("response_type must be code");
    }
    if get("state").is_empty() {
        return page_error("state is required");
    }
    let challenge = p.get("code_challenge").cloned();
    match (
        &challenge,
        p.get("code_challenge_method").map(String::as_str),
    ) {
        (None, None) => {}
        (Some(c), Some("S256")) if valid_challenge(c) => {}
        _ => return page_error("Invalid code_challenge or code_challenge_method"),
    }
    let state = url::form_urlencoded::byte_serialize(get("state").as_bytes()).collect::<String>();
    let location = if w.config.dialog_decline {
        format!(
            "{redirect}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state={state}#_=_"
        )
    } else {
        let mut scopes: Vec<String> = get("scope")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !w.config.declined_scopes.iter().any(|d| d == s))
            .map(str::to_string)
            .collect();
        if !scopes.iter().any(|s| s == "public_profile") {
            scopes.insert(0, "public_profile".into());
        }
        let code = w.mint_value("AQD");
        w.codes.insert(
            code.clone(),
            CodeRec {
                app_id: get("client_id").into(),
                redirect_uri: redirect.into(),
                code_challenge: challenge,
                scopes,
                expires_at: now() + w.config.code_lifetime_secs,
                used: false,
            },
        );
        format!("{redirect}?code={code}&state={state}#_=_")
    };
    Reply {
        status: 302,
        body: String::new(),
        headers: vec![("Location".into(), location)],
    }
}

/// `GET /oauth/access_token?client_id&redirect_uri&client_secret&code&code_verifier` (the
/// app and its secret are checked by the caller).
pub(crate) fn redeem(w: &mut World, p: &BTreeMap<String, String>, client_id: &str) -> Reply {
    let code = p.get("code").map(String::as_str).unwrap_or("");
    let Some(rec) = w.codes.get(code).cloned() else {
        return oauth_error(100, None, "Invalid verification code format.");
    };
    if rec.used {
        return oauth_error(100, Some(36009), "This authorization code has been used.");
    }
    if rec.expires_at <= now() {
        return oauth_error(100, Some(36007), "This authorization code has expired.");
    }
    if rec.app_id != client_id || p.get("redirect_uri") != Some(&rec.redirect_uri) {
        return oauth_error(
            100,
            Some(36008),
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        );
    }
    if let Some(challenge) = &rec.code_challenge {
        let verifier = p.get("code_verifier").map(String::as_str).unwrap_or("");
        let digest = Sha256::digest(verifier.as_bytes());
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        if verifier.len() < 43 || computed != *challenge {
            return oauth_error(100, None, "Invalid code verifier.");
        }
    }
    if let Some(r) = w.codes.get_mut(code) {
        r.used = true;
    }
    let scopes: Vec<&str> = rec.scopes.iter().map(String::as_str).collect();
    let token = w.mint_short(client_id, crate::model::DEMO_USER_ID, &scopes);
    ok(
        json!({"access_token": token, "token_type": "bearer", "expires_in": w.config.short_lived_secs}),
    )
}
