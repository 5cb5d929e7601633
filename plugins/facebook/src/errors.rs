//! Graph API errors: parsing the envelope and deciding what each one means.
//!
//! Decisions are made on `code`, `error_subcode` and `is_transient`, never on the HTTP
//! status or on `type` (throttling comes as `OAuthException` too). Code 1 is not always
//! transient: on the OAuth endpoint, "Error validating client secret." is code 1, and
//! retrying it would loop on a bad secret.

use fbvault_provider::{ErrorKind, ProviderError};
use serde_json::Value;

use crate::usage::Usage;

/// The `error` object of a Graph response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphError {
    /// `code`.
    pub code: i64,
    /// `error_subcode` (or `subcode` inside `debug_token`'s `data.error`).
    pub subcode: Option<i64>,
    /// `message`.
    pub message: String,
    /// `is_transient`.
    pub transient: bool,
    /// `fbtrace_id`: what Meta asks for in bug reports (not a secret).
    pub fbtrace_id: Option<String>,
    /// `error_user_msg`: the text Facebook meant for the person (368, 10, 200…).
    pub user_msg: Option<String>,
}

impl GraphError {
    /// Reads the standard envelope `{"error": {...}}`; `None` when the body has none.
    pub fn from_body(body: &Value) -> Option<GraphError> {
        let e = body.get("error")?;
        if !e.is_object() {
            return None;
        }
        Some(GraphError {
            code: int(e.get("code")).unwrap_or(0),
            subcode: int(e.get("error_subcode")).or_else(|| int(e.get("subcode"))),
            message: e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            transient: e
                .get("is_transient")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            fbtrace_id: text(e.get("fbtrace_id")),
            user_msg: text(e.get("error_user_msg")),
        })
    }

    /// The same error with every text field passed through `clean` (scrub, escape).
    pub fn cleaned(mut self, clean: impl Fn(&str) -> String) -> GraphError {
        self.message = clean(&self.message);
        self.fbtrace_id = self.fbtrace_id.as_deref().map(&clean);
        self.user_msg = self.user_msg.as_deref().map(&clean);
        self
    }

    /// What to add at the end of a message: Facebook's words for the person, then the
    /// `fbtrace_id`.
    pub fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some(m) = &self.user_msg {
            s.push_str(&format!("; Facebook says: {m}"));
        }
        if let Some(id) = &self.fbtrace_id {
            s.push_str(&format!(" [fbtrace_id {id}]"));
        }
        s
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Text from outside made safe for a terminal: control characters (ESC, CR, LF, BEL, …)
/// are shown escaped (`\u{1b}`, `\n`), everything else as it is; cut to `max` characters.
pub fn escape_controls(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().take(max) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads an integer that Graph may send as a number or a string.
pub fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Which endpoint a call went to: OAuth endpoints report configuration errors as code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `oauth/access_token`.
    OAuth,
    /// Anything else.
    Graph,
    /// `device/login_status`: its pending, slow-down, expired and declined answers are
    /// states of the login, handed back as they are.
    Device,
}

/// Facebook Login for Devices: keep waiting (`31/1349174`).
pub const DEVICE_PENDING: i64 = 1349174;
/// Facebook Login for Devices: polled too fast, add 5 s (`17/1349172`; not a rate limit).
pub const DEVICE_SLOW_DOWN: i64 = 1349172;
/// Facebook Login for Devices: the code expired.
pub const DEVICE_EXPIRED: i64 = 1349152;
/// Facebook Login for Devices: the user declined.
pub const DEVICE_DECLINED: i64 = 1349173;

/// Whether an error envelope is one of the device login's states rather than a failure.
pub fn is_device_state(err: &GraphError) -> bool {
    matches!(
        err.subcode,
        Some(DEVICE_PENDING | DEVICE_SLOW_DOWN | DEVICE_EXPIRED | DEVICE_DECLINED)
    )
}

/// What to do about an error.
#[derive(Debug)]
pub enum Verdict {
    /// Try again after a pause.
    Retry(String),
    /// Stop with this error.
    Fail(ProviderError),
}

const LOGIN_HINT: &str = "get a new short-lived user token (Graph API Explorer or your login flow) and run `fbvault login {profile}`";
/// What to do when Facebook refuses the app credentials.
pub const SECRET_HINT: &str = "check the app id and secret in the Meta dashboard (App settings → Basic) and fix them with `fbvault edit {profile}`";

/// Words for a code-190 subcode.
pub fn invalid_token_reason(subcode: i64) -> &'static str {
    match subcode {
        458 => "the user removed the app (or never authorized it)",
        459 => {
            "the user's Facebook account is checkpointed: they must log in at facebook.com to fix it"
        }
        460 => "the token was invalidated because the user changed their password",
        461 => "the user reinstalled the app, which invalidated the token",
        463 => "the token has expired",
        464 => "the user is unconfirmed: they must log in at facebook.com",
        465 => "the user is invalid",
        466 => "the session was invalidated explicitly (revoked)",
        467 => "the token is invalid: it expired, was revoked, or the user logged out",
        468 => "the session was invalidated because it was not used for a long time",
        492 => "the user lost their role on the page",
        493 => "the user has not used the app for more than 90 days, so the token stopped working",
        // An unknown subcode: Facebook's message, shown next to these words, says more.
        _ => "the token is no longer valid",
    }
}

/// Facebook's message followed by the code it came with (`… (code 190/493)`), or only the
/// code when Facebook sent no message. The message is taken as it is: the client has
/// already scrubbed it of secrets, escaped it and cut it short (`Client::clean`).
fn in_their_words(err: &GraphError, code: &str) -> String {
    if err.message.is_empty() {
        format!("code {code}")
    } else {
        format!("{} (code {code})", err.message)
    }
}

/// Why Facebook refused a token (code 190 or 102): without a subcode, Facebook's message
/// and the code; with one, fbvault's words for the subcode, then Facebook's message and
/// `code/subcode`.
pub fn refused_token(err: &GraphError) -> String {
    match err.subcode {
        None => in_their_words(err, &err.code.to_string()),
        Some(sub) => format!(
            "{} ({})",
            invalid_token_reason(sub),
            in_their_words(err, &format!("{}/{sub}", err.code))
        ),
    }
}

fn is_rate_limit(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 341 | 613) || (80000..=80014).contains(&code)
}

/// Where the user can pick the right app for a token.
pub const EXPLORER_HINT: &str = "in the Graph API Explorer (developers.facebook.com/tools/explorer), pick this profile's app in the \"Meta App\" selector before generating the token, then run `fbvault login {profile}`";

/// Decides what a Graph error means; `version` is the version the call used.
pub fn classify(err: &GraphError, endpoint: Endpoint, usage: &Usage, version: &str) -> Verdict {
    match decide(err, endpoint, usage, version) {
        Verdict::Fail(mut e) => {
            e.message.push_str(&err.suffix());
            Verdict::Fail(e)
        }
        Verdict::Retry(why) => Verdict::Retry(why + &err.suffix()),
    }
}

fn decide(err: &GraphError, endpoint: Endpoint, usage: &Usage, version: &str) -> Verdict {
    let msg = err.message.to_lowercase();
    let said = || in_their_words(err, &err.code.to_string());
    let fail = |kind: ErrorKind, message: String| Verdict::Fail(ProviderError::new(kind, message));
    match err.code {
        190 | 102 => {
            let hint =
                if err.subcode.is_none() && msg.contains("not issued for this application") {
                    EXPLORER_HINT
                } else {
                    LOGIN_HINT
                };
            Verdict::Fail(
                ProviderError::new(
                    ErrorKind::InvalidGrant,
                    format!("Facebook refused the token: {}", refused_token(err)),
                )
                .hint(hint),
            )
        }
        1 if msg.contains("client secret") || msg.contains("validating application") => {
            let what = if msg.contains("deleted") {
                "Facebook says the app has been deleted"
            } else {
                "Facebook refused the app secret"
            };
            Verdict::Fail(ProviderError::new(ErrorKind::InvalidGrant, format!("{what} ({})", said())).hint(SECRET_HINT))
        }
        100 if msg.contains("require an appsecret_proof") => Verdict::Fail(
            ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("the app requires an appsecret_proof and the call had none ({})", said()),
            )
            .hint("the app has \"Require App Secret\" on: send FB_APPSECRET_PROOF (or FB_USER_/FB_PAGE_APPSECRET_PROOF) with every call, and check the app secret with `fbvault show {profile}`"),
        ),
        2635 => Verdict::Fail(
            ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "Facebook no longer serves Graph API {version} here (deprecated version, {})",
                    said()
                ),
            )
            .hint(format!(
                "move the profile to {}: `fbvault edit {{profile}}` and set graph_version",
                crate::versions::newest()
            )),
        ),
        100 if msg.contains("invalid appsecret_proof") => Verdict::Fail(
            ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("Facebook refused the appsecret_proof: check the app secret, the stored one does not belong to this app ({})", said()),
            )
            .hint(SECRET_HINT),
        ),
        101 => Verdict::Fail(
            ProviderError::new(ErrorKind::InvalidGrant, format!("Facebook does not accept the app id ({})", said()))
                .hint(SECRET_HINT),
        ),
        10 | 200..=299 => Verdict::Fail(
            ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("the token lacks a permission this needs ({})", said()),
            )
            .hint("log in again granting the missing permission, then run `fbvault login {profile}`"),
        ),
        code if is_rate_limit(code) => {
            let when = match usage.regain_minutes {
                Some(m) => format!("Facebook expects access to return in about {m} minute{}", if m == 1 { "" } else { "s" }),
                None => "wait before trying again (Facebook did not say how long)".to_string(),
            };
            Verdict::Fail(
                ProviderError::new(ErrorKind::RateLimited, format!("Facebook is throttling calls ({}): {when}", said()))
                    .hint("every call made while throttled extends the wait; try again later"),
            )
        }
        368 => fail(
            ErrorKind::RateLimited,
            format!("Facebook temporarily blocked the app for policy reasons ({}); wait before trying again", said()),
        ),
        2 => Verdict::Retry(format!("Facebook had a temporary problem ({})", said())),
        1 if err.transient || endpoint == Endpoint::Graph => {
            Verdict::Retry(format!("Facebook had an unknown error ({})", said()))
        }
        _ if err.transient => Verdict::Retry(format!("Facebook had a temporary problem ({})", said())),
        _ => fail(ErrorKind::BadRequest, format!("Facebook refused the request: {}", said())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn verdict(body: Value, endpoint: Endpoint) -> Verdict {
        classify(
            &GraphError::from_body(&body).unwrap(),
            endpoint,
            &Usage::default(),
            "v27.0",
        )
    }

    fn kind(v: Verdict) -> Option<ErrorKind> {
        match v {
            Verdict::Fail(e) => Some(e.kind),
            Verdict::Retry(_) => None,
        }
    }

    #[test]
    fn a_bad_client_secret_is_final() {
        let v = verdict(
            json!({"error":{"message":"Error validating client secret.","type":"OAuthException","code":1}}),
            Endpoint::OAuth,
        );
        assert_eq!(kind(v), Some(ErrorKind::InvalidGrant));
    }

    #[test]
    fn code_1_on_oauth_without_transient_is_a_bad_request() {
        let v = verdict(
            json!({"error":{"message":"fb_exchange_token parameter not specified","code":1}}),
            Endpoint::OAuth,
        );
        assert_eq!(kind(v), Some(ErrorKind::BadRequest));
    }

    #[test]
    fn transient_codes_are_retried() {
        assert!(
            kind(verdict(
                json!({"error":{"message":"An unexpected error","code":2}}),
                Endpoint::OAuth
            ))
            .is_none()
        );
        assert!(
            kind(verdict(
                json!({"error":{"message":"x","code":1,"is_transient":true}}),
                Endpoint::OAuth
            ))
            .is_none()
        );
        assert!(
            kind(verdict(
                json!({"error":{"message":"An unknown error","code":1}}),
                Endpoint::Graph
            ))
            .is_none()
        );
    }

    #[test]
    fn every_190_subcode_is_a_refusal_in_words_and_facebooks_message() {
        for sub in [458, 459, 460, 463, 464, 467, 492, 493, 4242] {
            let v = verdict(
                json!({"error":{"message":"Error validating access token: said by Facebook","code":190,"error_subcode":sub,"fbtrace_id":"T1"}}),
                Endpoint::Graph,
            );
            let Verdict::Fail(e) = v else { panic!() };
            assert_eq!(e.kind, ErrorKind::InvalidGrant);
            assert_eq!(
                e.message,
                format!(
                    "Facebook refused the token: {} (Error validating access token: said by Facebook (code 190/{sub})) [fbtrace_id T1]",
                    invalid_token_reason(sub)
                )
            );
            assert!(e.hints[0].contains("fbvault login"), "{:?}", e.hints);
        }
    }

    #[test]
    fn a_subcoded_190_without_a_message_still_has_its_words_and_code() {
        let v = verdict(
            json!({"error":{"code":190,"error_subcode":460}}),
            Endpoint::Graph,
        );
        let Verdict::Fail(e) = v else { panic!() };
        assert_eq!(
            e.message,
            "Facebook refused the token: the token was invalidated because the user changed their password (code 190/460)"
        );
    }

    #[test]
    fn rate_limits_are_not_retried_and_say_when() {
        for code in [4, 17, 32, 613, 80001, 80014] {
            let err = GraphError {
                code,
                ..Default::default()
            };
            let usage = Usage {
                regain_minutes: Some(7),
                peak_percent: None,
            };
            let Verdict::Fail(e) = classify(&err, Endpoint::Graph, &usage, "v27.0") else {
                panic!()
            };
            assert_eq!(e.kind, ErrorKind::RateLimited);
            assert!(e.message.contains("7 minutes"), "{}", e.message);
        }
    }

    #[test]
    fn debug_token_error_uses_subcode() {
        let e = GraphError::from_body(&json!({"error":{"code":190,"message":"x","subcode":463}}))
            .unwrap();
        assert_eq!(e.subcode, Some(463));
    }
}

#[cfg(test)]
mod completed {
    use super::*;
    use serde_json::json;

    fn fail(body: Value) -> ProviderError {
        match classify(
            &GraphError::from_body(&body).unwrap(),
            Endpoint::Graph,
            &Usage::default(),
            "v24.0",
        ) {
            Verdict::Fail(e) => e,
            Verdict::Retry(m) => panic!("retried: {m}"),
        }
    }

    #[test]
    fn a_190_without_subcode_keeps_facebooks_message_and_trace() {
        let e = fail(
            json!({"error":{"code":190,"message":"Error validating access token: The token was not issued for this application.","fbtrace_id":"Abc123"}}),
        );
        assert_eq!(e.kind, ErrorKind::InvalidGrant);
        assert!(
            e.message.contains("not issued for this application"),
            "{}",
            e.message
        );
        assert!(e.message.ends_with("[fbtrace_id Abc123]"), "{}", e.message);
        assert!(e.hints[0].contains("Graph API Explorer"));
    }

    #[test]
    fn subcode_493_has_its_own_words_and_facebooks_message() {
        let e = fail(
            json!({"error":{"code":190,"error_subcode":493,"message":"Error validating access token: The session has been invalidated because the user has not engaged the app in longer than 90 days.","fbtrace_id":"Trace493"}}),
        );
        for part in [
            "the user has not used the app for more than 90 days",
            "(Error validating access token: The session has been invalidated because the user has not engaged",
            "(code 190/493)) [fbtrace_id Trace493]",
        ] {
            assert!(e.message.contains(part), "{part}: {}", e.message);
        }
    }

    #[test]
    fn deprecated_version_names_the_version_to_move_to() {
        let e = fail(
            json!({"error":{"code":2635,"message":"(#2635) You are calling a deprecated version of the Ads API."}}),
        );
        assert_eq!(e.kind, ErrorKind::BadRequest);
        assert!(e.message.contains("v24.0"), "{}", e.message);
        assert!(e.hints[0].contains(crate::versions::newest()));
    }

    #[test]
    fn proof_errors_say_to_check_the_app_secret() {
        for m in [
            "Invalid appsecret_proof provided in the API argument",
            "API calls from the server require an appsecret_proof argument",
        ] {
            let e = fail(json!({"error":{"code":100,"message":m}}));
            assert_eq!(e.kind, ErrorKind::InvalidGrant, "{m}");
            assert!(e.message.contains("appsecret_proof"));
            assert!(
                e.message.contains("app secret")
                    || e.hints.iter().any(|h| h.contains("app secret"))
            );
        }
    }

    #[test]
    fn error_user_msg_is_shown() {
        let e = fail(
            json!({"error":{"code":368,"message":"Temporarily blocked","error_user_msg":"You can't post for 3 days.","fbtrace_id":"T"}}),
        );
        assert!(
            e.message
                .contains("Facebook says: You can't post for 3 days."),
            "{}",
            e.message
        );
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(
            escape_controls("a\u{1b}[2J\r\nb", 100),
            "a\\u{1b}[2J\\r\\nb"
        );
        assert_eq!(escape_controls("Café 🍰", 100), "Café 🍰");
    }
}
