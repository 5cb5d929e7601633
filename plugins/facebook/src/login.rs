//! Logging in without pasting a token: the parts of Facebook Login that need the app's
//! settings. The login dialog's URL (OAuth code flow with PKCE), redeeming the code it
//! sends back, Facebook Login for Devices (start, poll), which permissions to ask for,
//! and what each missing one means. The token obtained goes through
//! [`TokenProvider::login`](fbvault_provider::TokenProvider::login) like a pasted one.
//!
//! This module never listens, never opens a browser and never sleeps: fbvault's loopback
//! listener and polling loop drive it. No error or note carries the code, the verifier,
//! the client token or a token.

use fbvault_provider::{ErrorKind, ProfileData, ProviderError, Secret};
use serde_json::Value;

use crate::FacebookProvider;
use crate::client::Reply;
use crate::errors::{
    DEVICE_DECLINED, DEVICE_EXPIRED, DEVICE_PENDING, DEVICE_SLOW_DOWN, Endpoint, GraphError, int,
};

/// The permissions asked for when neither `--scope` nor the profile says otherwise.
pub const DEFAULT_SCOPES: &[&str] = &[
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
];
/// Where the login dialog lives (`FBVAULT_DIALOG_URL` overrides it).
pub const DEFAULT_DIALOG_URL: &str = "https://www.facebook.com";
/// The loopback port of `login --web` (the redirect URI must be registered exactly).
pub const DEFAULT_REDIRECT_PORT: u16 = 8765;
/// Profile config: the loopback port to use.
pub const REDIRECT_PORT: &str = "redirect_port";
/// Profile config: permissions asked for and not granted at the last login (comma
/// separated); the next dialog asks again with `auth_type=rerequest`.
pub const DECLINED_SCOPES: &str = "declined_scopes";
/// Profile secret: the app's client token (App settings › Advanced), for device logins.
pub const CLIENT_TOKEN: &str = "client_token";

/// The redirect URI for a loopback port: `http://localhost:PORT/callback`.
pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}/callback")
}

/// What goes into the login dialog's URL besides the app id.
pub struct Dialog<'a> {
    /// The dialog's base URL (`https://www.facebook.com`).
    pub base: &'a str,
    /// The exact redirect URI (the code redemption repeats it).
    pub redirect_uri: &'a str,
    /// The random `state` the callback must carry back.
    pub state: &'a str,
    /// `base64url(sha256(code_verifier))`.
    pub code_challenge: &'a str,
    /// The permissions to ask for.
    pub scopes: &'a [String],
    /// Ask again for permissions declined before (`auth_type=rerequest`).
    pub rerequest: bool,
}

pub use fbvault_provider::{DeviceCode, DevicePoll};

/// The permissions to ask for: `scope` (comma or space separated) or
/// [`DEFAULT_SCOPES`], plus those the profile's user token had (but `public_profile`),
/// each once.
pub fn requested_scopes(profile: &ProfileData, scope: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let given = fbvault_provider::split_scopes(scope)
        .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());
    // `public_profile` is always granted: asking for it again is noise.
    let had = profile.token("user").map_or_else(Vec::new, |t| {
        t.scopes
            .iter()
            .filter(|s| *s != "public_profile")
            .cloned()
            .collect()
    });
    for s in given.into_iter().chain(had) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Whether a permission was declined at the last login (then the dialog asks again).
pub fn rerequest(profile: &ProfileData) -> bool {
    profile.config(DECLINED_SCOPES).is_some()
}

/// The requested permissions that `granted` lacks (`public_profile` is always granted).
pub fn missing_scopes(requested: &[String], granted: &[String]) -> Vec<String> {
    requested
        .iter()
        .filter(|s| s.as_str() != "public_profile" && !granted.contains(s))
        .cloned()
        .collect()
}

/// What a missing permission means for what fbvault and the programs it runs can do.
pub fn scope_meaning(scope: &str) -> &'static str {
    match scope {
        "pages_show_list" => "fbvault cannot list your pages, so no page tokens are stored",
        "pages_manage_posts" => "programs cannot publish, edit or delete posts as your pages",
        "pages_read_engagement" => {
            "programs cannot read your pages' posts, comments, followers or metadata"
        }
        "pages_manage_metadata" => "programs cannot change page settings or subscribe webhooks",
        "pages_read_user_content" => "programs cannot read what others post on your pages",
        "pages_manage_engagement" => "programs cannot reply to or moderate comments",
        "pages_messaging" => "programs cannot send or receive Messenger messages as your pages",
        "business_management" => "pages you reach only through Business Manager are not listed",
        "ads_management" => "programs cannot create or change ads",
        "ads_read" => "programs cannot read ads reports",
        "read_insights" => "programs cannot read page and post insights",
        "instagram_basic" | "instagram_content_publish" => {
            "programs cannot use the Instagram accounts linked to your pages"
        }
        "leads_retrieval" => "programs cannot read Lead Ads leads",
        _ => "calls that need it fail with a permission error (code 10 or 200)",
    }
}

fn flow_error(kind: ErrorKind, message: impl Into<String>) -> ProviderError {
    ProviderError::new(kind, message)
}

fn token_in(body: &Value, what: &str) -> Result<Secret, ProviderError> {
    body.get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| {
            flow_error(
                ErrorKind::Unreachable,
                format!("Facebook's answer to {what} has no access_token"),
            )
        })
}

impl FacebookProvider {
    /// The login dialog's URL:
    /// `{base}/{version}/dialog/oauth?client_id&redirect_uri&state&response_type=code&scope&code_challenge&code_challenge_method=S256`
    /// (and `auth_type=rerequest` when asked).
    pub fn dialog_url(&self, profile: &ProfileData, d: &Dialog) -> Result<String, ProviderError> {
        let s = self.settings(profile)?;
        let mut url = reqwest::Url::parse(d.base)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
            .ok_or_else(|| {
                flow_error(
                    ErrorKind::BadRequest,
                    format!("the login dialog URL `{}` is not an http(s) URL", d.base),
                )
            })?;
        let path = format!(
            "{}/{}/dialog/oauth",
            url.path().trim_end_matches('/'),
            s.version
        );
        url.set_path(&path);
        {
            let mut q = url.query_pairs_mut();
            q.clear()
                .append_pair("client_id", s.app.id)
                .append_pair("redirect_uri", d.redirect_uri)
                .append_pair("state", d.state)
                .append_pair("response_type", "code")
                .append_pair("scope", &d.scopes.join(","))
                .append_pair("code_challenge", d.code_challenge)
                .append_pair("code_challenge_method", "S256");
            if d.rerequest {
                q.append_pair("auth_type", "rerequest");
            }
        }
        Ok(url.to_string())
    }

    /// Redeems the dialog's code:
    /// `GET /{version}/oauth/access_token?client_id&redirect_uri&client_secret&code&code_verifier`.
    /// Returns the (short-lived) user token, to go through
    /// [`login`](fbvault_provider::TokenProvider::login).
    pub fn redeem_code(
        &self,
        profile: &ProfileData,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<Secret, ProviderError> {
        let s = self.settings(profile)?;
        let client = self.client(&s, &[code, verifier])?;
        let Reply { body } = client.get(
            Endpoint::OAuth,
            "oauth/access_token",
            &[
                ("client_id", s.app.id),
                ("redirect_uri", redirect_uri),
                ("client_secret", s.app.secret.expose()),
                ("code", code.expose()),
                ("code_verifier", verifier.expose()),
            ],
        )?;
        token_in(&body, "the code redemption")
    }

    /// Starts a device login: `POST /{version}/device/login` with
    /// `access_token=APP_ID|CLIENT_TOKEN` and `scope`.
    pub fn device_start(
        &self,
        profile: &ProfileData,
        client_token: &Secret,
        scopes: &[String],
    ) -> Result<DeviceCode, ProviderError> {
        let s = self.settings(profile)?;
        let client = self.client(&s, &[client_token])?;
        let access = format!("{}|{}", s.app.id, client_token.expose());
        let scope = scopes.join(",");
        let Reply { body } = client
            .post(
                Endpoint::Graph,
                "device/login",
                &[("access_token", &access), ("scope", &scope)],
            )
            .map_err(client_token_refused)?;
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(|v| client.clean(v));
        let (Some(code), Some(user_code)) = (
            body.get("code")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty()),
            text("user_code"),
        ) else {
            return Err(flow_error(
                ErrorKind::Unreachable,
                "Facebook's answer to device/login has no code",
            ));
        };
        Ok(DeviceCode {
            code: Secret::new(code),
            user_code,
            verification_uri: text("verification_uri")
                .unwrap_or_else(|| "https://www.facebook.com/device".into()),
            interval: int(body.get("interval")).filter(|i| *i > 0).unwrap_or(5) as u64,
            expires_in: int(body.get("expires_in"))
                .filter(|i| *i > 0)
                .unwrap_or(420) as u64,
        })
    }

    /// Polls a device login once: `POST /{version}/device/login_status` with
    /// `access_token=APP_ID|CLIENT_TOKEN` and `code`. An expired code and a declined login
    /// are refusals (exit 4).
    pub fn device_poll(
        &self,
        profile: &ProfileData,
        client_token: &Secret,
        device: &DeviceCode,
    ) -> Result<DevicePoll, ProviderError> {
        let s = self.settings(profile)?;
        let client = self.client(&s, &[client_token, &device.code])?;
        let access = format!("{}|{}", s.app.id, client_token.expose());
        let Reply { body } = client
            .post(
                Endpoint::Device,
                "device/login_status",
                &[("access_token", &access), ("code", device.code.expose())],
            )
            .map_err(client_token_refused)?;
        let Some(err) = GraphError::from_body(&body) else {
            let token = token_in(&body, "device/login_status")?;
            return Ok(DevicePoll::Done(token));
        };
        match err.subcode {
            Some(DEVICE_PENDING) => Ok(DevicePoll::Pending),
            Some(DEVICE_SLOW_DOWN) => Ok(DevicePoll::SlowDown),
            Some(DEVICE_EXPIRED) => Err(flow_error(
                ErrorKind::InvalidGrant,
                "the device login code expired before it was approved; nothing was stored",
            )
            .hint("run `fbvault login {profile} --device` again and enter the new code sooner")),
            Some(DEVICE_DECLINED) => Err(flow_error(
                ErrorKind::InvalidGrant,
                "the device login was declined; nothing was stored",
            )
            .hint("run `fbvault login {profile} --device` again and approve it")),
            _ => Err(flow_error(
                ErrorKind::BadRequest,
                format!(
                    "Facebook refused the device login: {}",
                    client.clean(&err.message)
                ),
            )),
        }
    }
}

/// A refused `APP_ID|CLIENT_TOKEN` is about the client token, not a user token.
fn client_token_refused(e: ProviderError) -> ProviderError {
    if e.kind != ErrorKind::InvalidGrant {
        return e;
    }
    ProviderError::new(
        ErrorKind::InvalidGrant,
        format!("Facebook refused the app's client token for a device login ({})", e.message),
    )
    .hint("the client token is in the Meta dashboard, App settings › Advanced › Client token; give it again with `--client-token-stdin`, and check that Facebook Login › Settings › \"Login from Devices\" is on")
}

/// `login --web` through the login dialog (PKCE, `auth_type=rerequest` after a decline).
impl fbvault_provider::WebLogin for FacebookProvider {
    fn issuer(&self) -> &str {
        "Facebook"
    }

    fn scopes(&self, profile: &ProfileData, scope: Option<&str>) -> Vec<String> {
        requested_scopes(profile, scope)
    }

    fn authorize_page(
        &self,
        profile: &ProfileData,
        a: &fbvault_provider::Authorize,
    ) -> Result<String, ProviderError> {
        let dialog = Dialog {
            base: self
                .options
                .dialog_url
                .as_deref()
                .unwrap_or(DEFAULT_DIALOG_URL),
            redirect_uri: a.redirect_uri,
            state: a.state,
            code_challenge: a.code_challenge,
            scopes: a.scopes,
            rerequest: rerequest(profile),
        };
        self.dialog_url(profile, &dialog)
    }

    fn redeem(
        &self,
        profile: &ProfileData,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<Secret, ProviderError> {
        self.redeem_code(profile, code, redirect_uri, verifier)
    }

    fn declined_field(&self) -> Option<&str> {
        Some(DECLINED_SCOPES)
    }

    fn missing(&self, requested: &[String], granted: &[String]) -> Vec<(String, String)> {
        missing_scopes(requested, granted)
            .into_iter()
            .map(|s| {
                let meaning = scope_meaning(&s).to_string();
                (s, meaning)
            })
            .collect()
    }
}

/// `login --device`: Facebook Login for Devices, with the app's client token.
impl fbvault_provider::DeviceLogin for FacebookProvider {
    fn client_field(&self) -> &str {
        CLIENT_TOKEN
    }

    fn client_place(&self) -> &str {
        "Meta dashboard: App settings › Advanced › Client token"
    }

    fn device_scopes(&self, profile: &ProfileData, scope: Option<&str>) -> Vec<String> {
        requested_scopes(profile, scope)
    }

    fn start(
        &self,
        profile: &ProfileData,
        client: &Secret,
        scopes: &[String],
    ) -> Result<DeviceCode, ProviderError> {
        self.device_start(profile, client, scopes)
    }

    fn poll(
        &self,
        profile: &ProfileData,
        client: &Secret,
        device: &DeviceCode,
    ) -> Result<DevicePoll, ProviderError> {
        self.device_poll(profile, client, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fbvault_provider::{Token, TokenKind};

    fn profile(scopes: &[&str], declined: bool) -> ProfileData {
        let mut p = ProfileData::default();
        p.config.insert("app_id".into(), "123".into());
        p.secrets.insert("app_secret".into(), Secret::new("s3cret"));
        if declined {
            p.config
                .insert(DECLINED_SCOPES.into(), "pages_manage_posts".into());
        }
        let mut t = Token::new("user", TokenKind::User, "t".into(), None);
        t.scopes = scopes.iter().map(|s| s.to_string()).collect();
        p.tokens.push(t);
        p
    }

    #[test]
    fn scopes_are_the_default_plus_what_the_profile_had() {
        let p = profile(&["public_profile", "ads_read", "pages_show_list"], false);
        assert_eq!(
            requested_scopes(&p, None),
            [
                "pages_show_list",
                "pages_read_engagement",
                "pages_manage_posts",
                "ads_read"
            ]
        );
        assert_eq!(
            requested_scopes(&p, Some("business_management, ads_read")),
            ["business_management", "ads_read", "pages_show_list"]
        );
    }

    #[test]
    fn missing_scopes_ignore_public_profile() {
        let req: Vec<String> = ["public_profile", "pages_show_list", "ads_read"]
            .map(String::from)
            .into();
        assert_eq!(
            missing_scopes(&req, &["ads_read".into()]),
            ["pages_show_list"]
        );
        assert!(scope_meaning("pages_show_list").contains("no page tokens"));
    }

    #[test]
    fn the_dialog_url_has_every_parameter() {
        let p = profile(&[], true);
        let fb = FacebookProvider::default();
        let scopes = vec!["pages_show_list".to_string(), "ads_read".to_string()];
        let url = fb
            .dialog_url(
                &p,
                &Dialog {
                    base: "https://www.facebook.com",
                    redirect_uri: &redirect_uri(8765),
                    state: "st",
                    code_challenge: "ch",
                    scopes: &scopes,
                    rerequest: rerequest(&p),
                },
            )
            .unwrap();
        assert_eq!(
            url,
            format!(
                "https://www.facebook.com/{}/dialog/oauth?client_id=123&redirect_uri=http%3A%2F%2Flocalhost%3A8765%2Fcallback&state=st&response_type=code&scope=pages_show_list%2Cads_read&code_challenge=ch&code_challenge_method=S256&auth_type=rerequest",
                crate::DEFAULT_GRAPH_VERSION
            )
        );
    }
}
