//! Facebook Login for Devices, like Graph: `POST /{v}/device/login` with
//! `access_token=APP_ID|CLIENT_TOKEN` gives a `code`, a `user_code`, the
//! `verification_uri`, `interval` and `expires_in`; `POST /{v}/device/login_status` answers
//! `31/1349174` while the person has not approved, `17/1349172` when polled faster than
//! the interval, `1349152` once the code expired, `1349173` when the person declined, and
//! the token (once) when approved. Tests play the person with
//! [`crate::Sandbox::approve_device`] and friends or `GET /sandbox/device/{approve,decline,expire}?user_code=`.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use crate::model::{DEMO_USER_ID, World, now};
use crate::routes::{Reply, error, ok};

/// Where a device login stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    /// Waiting for the person.
    Pending,
    /// Approved, token not collected yet.
    Approved,
    /// The person declined.
    Declined,
    /// Expired (by the clock or by a test).
    Expired,
    /// Approved and collected.
    Done,
}

/// One device login.
#[derive(Debug, Clone)]
pub struct DeviceRec {
    /// The code the person types.
    pub user_code: String,
    /// The app.
    pub app_id: String,
    /// The permissions asked for.
    pub scopes: Vec<String>,
    /// Where it stands.
    pub state: DeviceState,
    /// Unix expiry.
    pub expires_at: i64,
    /// Seconds between polls.
    pub interval: u64,
    /// When it was last polled.
    pub last_poll: Option<Instant>,
}

/// What a test does as the person.
#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// Approve (granting the scopes asked for, minus [`crate::Config::declined_scopes`]).
    Approve,
    /// Decline.
    Decline,
    /// Let the code expire.
    Expire,
}

fn device_error(code: i64, subcode: i64, message: &str, title: &str) -> Reply {
    let mut r = error(400, code, Some(subcode), message);
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&r.body) {
        v["error"]["type"] = json!("OAuthException");
        v["error"]["error_user_title"] = json!(title);
        r.body = v.to_string();
    }
    r
}

/// The app of a valid `APP_ID|CLIENT_TOKEN`.
fn client_app(w: &World, p: &BTreeMap<String, String>) -> Result<String, Reply> {
    let bad = || {
        error(
            400,
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        )
    };
    let token = p.get("access_token").ok_or_else(bad)?;
    let (app_id, client_token) = token.split_once('|').ok_or_else(bad)?;
    match w.apps.get(app_id) {
        Some(app) if app.client_token == client_token => Ok(app_id.to_string()),
        _ => Err(bad()),
    }
}

/// `POST /device/login`.
pub(crate) fn start(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let app_id = match client_app(w, p) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let code = w.mint_value("DVC");
    let user_code: String = w
        .mint_value("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(8)
        .collect();
    let scopes = p
        .get("scope")
        .map(|s| s.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let (interval, expires_in) = (w.config.device_interval_secs, w.config.device_expires_secs);
    w.devices.insert(
        code.clone(),
        DeviceRec {
            user_code: user_code.clone(),
            app_id,
            scopes,
            state: DeviceState::Pending,
            expires_at: now() + expires_in,
            interval,
            last_poll: None,
        },
    );
    ok(json!({
        "code": code,
        "user_code": user_code,
        "verification_uri": "https://www.facebook.com/device",
        "expires_in": expires_in,
        "interval": interval,
    }))
}

/// `POST /device/login_status`.
pub(crate) fn status(w: &mut World, p: &BTreeMap<String, String>) -> Reply {
    let app_id = match client_app(w, p) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let code = p.get("code").cloned().unwrap_or_default();
    let Some(rec) = w.devices.get_mut(&code).filter(|r| r.app_id == app_id) else {
        return error(400, 100, None, "(#100) The parameter code is invalid");
    };
    let too_fast = rec
        .last_poll
        .is_some_and(|at| at.elapsed().as_millis() < u128::from(rec.interval) * 800);
    rec.last_poll = Some(Instant::now());
    if rec.expires_at <= now() && rec.state != DeviceState::Done {
        rec.state = DeviceState::Expired;
    }
    match rec.state {
        DeviceState::Expired | DeviceState::Done => device_error(
            100,
            1349152,
            "Activation Code Expired",
            "Activation Code Expired",
        ),
        DeviceState::Declined => device_error(
            100,
            1349173,
            "The user declined the login",
            "Device Login Declined",
        ),
        _ if too_fast => device_error(
            17,
            1349172,
            "OAuth Device Excessive Polling",
            "Too Many Requests",
        ),
        DeviceState::Pending => device_error(
            31,
            1349174,
            "Device Login Authorization Pending",
            "Device Login Authorization Pending",
        ),
        DeviceState::Approved => {
            rec.state = DeviceState::Done;
            let declined = w.config.declined_scopes.clone();
            let mut scopes: Vec<String> = rec
                .scopes
                .iter()
                .filter(|s| !s.is_empty() && !declined.contains(s))
                .cloned()
                .collect();
            scopes.insert(0, "public_profile".into());
            let app_id = rec.app_id.clone();
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let token = w.mint_short(&app_id, DEMO_USER_ID, &scopes);
            ok(json!({
                "access_token": token,
                "expires_in": w.config.short_lived_secs,
                "data_access_expiration_time": now() + 90 * 86_400,
            }))
        }
    }
}

/// Plays the person on the device page: approve, decline or expire `user_code`.
/// Returns whether such a code was waiting.
pub fn act(w: &mut World, user_code: &str, control: Control) -> bool {
    let Some(rec) = w
        .devices
        .values_mut()
        .find(|r| r.user_code.eq_ignore_ascii_case(user_code) && r.state == DeviceState::Pending)
    else {
        return false;
    };
    rec.state = match control {
        Control::Approve => DeviceState::Approved,
        Control::Decline => DeviceState::Declined,
        Control::Expire => DeviceState::Expired,
    };
    true
}

/// `GET /sandbox/device/{approve,decline,expire}?user_code=…`.
pub(crate) fn control(w: &mut World, p: &BTreeMap<String, String>, control: Control) -> Reply {
    let user_code = p.get("user_code").map(String::as_str).unwrap_or("");
    if act(w, user_code, control) {
        ok(json!({"success": true}))
    } else {
        error(
            400,
            100,
            None,
            "no device login is waiting for that user_code",
        )
    }
}
