//! The token endpoints: `oauth/access_token` (the exchange, with its modes and its
//! once-a-day rule) and `debug_token` (the truth about a token, `expires_at: 0` for never,
//! `data.error` for dead tokens).

use std::collections::BTreeMap;

use serde_json::json;

use crate::model::{ExchangeMode, Kind, TokenRec, World, now};
use crate::routes::{Reply, check_proof, error, expired_message, ok};

pub(crate) fn access_token(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let Some(client_id) = p.get("client_id") else {
        return error(400, 101, None, "Missing client_id parameter.");
    };
    let Some(app) = w.apps.get(client_id).cloned() else {
        return error(
            400,
            101,
            None,
            "Error validating application. Invalid application ID.",
        );
    };
    if p.get("client_secret") != Some(&app.secret) {
        return error(400, 1, None, "Error validating client secret.");
    }
    match p.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {
            let opaque = w.mint_value("");
            ok(json!({"access_token": format!("{client_id}|{opaque}"), "token_type": "bearer"}))
        }
        Some("fb_exchange_token") => exchange(w, p, client_id),
        None if p.contains_key("code") => crate::login::redeem(w, p, client_id),
        _ => error(400, 100, None, "Invalid grant_type"),
    }
}

fn exchange(w: &mut World, p: &BTreeMap<String, String>, client_id: &str) -> Reply {
    let Some(input) = p.get("fb_exchange_token") else {
        return error(400, 1, None, "fb_exchange_token parameter not specified");
    };
    let Some(rec) = w.tokens.get(input).cloned() else {
        return error(
            400,
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        );
    };
    if rec.app_id != client_id {
        return error(
            400,
            190,
            None,
            "Error validating access token: The token was not issued for this application.",
        );
    }
    if let Some((sub, msg)) = &rec.invalid {
        return error(400, 190, Some(*sub), msg);
    }
    let now = now();
    if rec.expired(now) {
        return error(400, 190, Some(463), &expired_message(rec.expires_at));
    }
    if rec.kind == Kind::Page {
        // UNVERIFIED guess at Graph's answer; fbvault never sends a page token here.
        return error(
            400,
            100,
            None,
            "(#100) The access token is not a user access token",
        );
    }
    if rec.kind == Kind::SystemUser && rec.expires_at != 0 {
        return system_user_refresh(w, p, &rec);
    }
    let mode = w.config.exchange_mode;
    let (value, expires_at) = if !rec.long_lived {
        let v = w.mint_long(&rec);
        let at = w.tokens[&v].expires_at;
        (v, at)
    } else if rec.expires_at == 0 {
        // The hazard: re-exchanging a never-expiring token yields a 60-day one.
        let mut from = rec.clone();
        from.long_lived = true;
        let v = w.mint_value("EAAsbxL");
        let rec = TokenRec {
            expires_at: now + 60 * 86_400,
            issued_at: now,
            extended_at: now,
            ..from
        };
        w.tokens.insert(v.clone(), rec);
        let at = w.tokens[&v].expires_at;
        (v, at)
    } else if w.config.extend_after_day
        && mode != ExchangeMode::SameTokenSmaller
        && now - rec.extended_at >= 86_400
    {
        // The optimistic mode: a fresh 60-day token once a day.
        let v = w.mint_long(&rec);
        let at = w.tokens[&v].expires_at;
        (v, at)
    } else {
        // What Facebook does: the same long-lived token back, with less time left.
        (input.clone(), rec.expires_at)
    };
    let mut body = json!({"access_token": value, "token_type": "bearer"});
    if expires_at != 0 {
        match mode {
            ExchangeMode::OmitExpiresIn => {}
            ExchangeMode::LegacyExpires => body["expires"] = json!(expires_at - now),
            _ => body["expires_in"] = json!(expires_at - now),
        }
    }
    ok(body)
}

/// Meta's recipe for an expiring system-user token: `set_token_expires_in_60_days=true`
/// gives a new 60-day token and leaves the old one valid until its own expiry.
fn system_user_refresh(w: &mut World, p: &BTreeMap<String, String>, rec: &TokenRec) -> Reply {
    if p.get("set_token_expires_in_60_days").map(String::as_str) != Some("true") {
        return error(
            400,
            100,
            None,
            "(#100) This business must use expiring system user access tokens: set set_token_expires_in_60_days=true",
        );
    }
    let now = now();
    let value = w.mint_value("EAAsbxS");
    w.tokens.insert(
        value.clone(),
        TokenRec {
            issued_at: now,
            expires_at: now + 60 * 86_400,
            extended_at: now,
            ..rec.clone()
        },
    );
    ok(json!({"access_token": value, "token_type": "bearer", "expires_in": 60 * 86_400}))
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::User => "USER",
        Kind::Page => "PAGE",
        Kind::SystemUser => "SYSTEM_USER",
    }
}

pub(crate) fn debug_token(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let no_inspector = || {
        error(
            400,
            100,
            None,
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        )
    };
    let Some(inspector) = p.get("access_token") else {
        return no_inspector();
    };
    let Some((app_id, secret_part)) = inspector.split_once('|') else {
        return no_inspector();
    };
    let Some(app) = w.apps.get(app_id).cloned() else {
        return error(400, 190, None, "Invalid OAuth access token signature.");
    };
    if secret_part != app.secret {
        return error(400, 190, None, "Invalid OAuth access token signature.");
    }
    if let Err(r) = check_proof(w, inspector, &app.secret, p) {
        return r;
    }
    let Some(input) = p.get("input_token") else {
        return error(400, 100, None, "The parameter input_token is required");
    };
    let Some(rec) = w.tokens.get(input).cloned() else {
        return ok(
            json!({"data": {"error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"}, "is_valid": false, "scopes": []}}),
        );
    };
    let now = now();
    let app_name = w
        .apps
        .get(&rec.app_id)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let mut data = json!({
        "app_id": rec.app_id,
        "type": kind_name(rec.kind),
        "application": app_name,
        "data_access_expires_at": rec.data_access_expires_at,
        "expires_at": rec.expires_at,
        "is_valid": true,
        "scopes": rec.scopes,
        "granular_scopes": rec.scopes.iter().map(|s| json!({"scope": s})).collect::<Vec<_>>(),
        "user_id": rec.user_id,
    });
    if rec.long_lived {
        data["issued_at"] = json!(rec.issued_at);
    }
    if let Some(page) = &rec.page_id {
        data["profile_id"] = json!(page);
    }
    if rec.app_id != app_id {
        // Inspected with another app's token (the Graph API Explorer mistake).
        data["is_valid"] = json!(false);
        data["error"] = json!({"code": 100, "message": "The App_id in the input_token did not match the Viewing App"});
    } else if let Some((sub, msg)) = &rec.invalid {
        data["is_valid"] = json!(false);
        data["error"] = json!({"code": 190, "message": msg, "subcode": sub});
    } else if rec.expired(now) {
        data["is_valid"] = json!(false);
        data["error"] =
            json!({"code": 190, "message": expired_message(rec.expires_at), "subcode": 463});
    }
    ok(json!({"data": data}))
}
