//! `plugins/examples/fbvault-provider-oauth2`, the Python OAuth2 refresh-token provider, run
//! for real through the bridge against a token endpoint on 127.0.0.1.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::common::Env;

/// A token endpoint (RFC 6749 §6): `rt-1` gives `at-one…` and rotates to `rt-2`, `rt-2`
/// gives `at-two…`; anything else is `invalid_grant`. Every form it got is kept.
struct TokenEndpoint {
    url: String,
    forms: Arc<Mutex<Vec<String>>>,
    _server: Arc<tiny_http::Server>,
}

fn answer(form: &str) -> (u16, String) {
    let has = |pair: &str| form.split('&').any(|p| p == pair);
    let good = has("grant_type=refresh_token")
        && has("client_id=cli-42")
        && has("client_secret=cs-secret-8812");
    if good && has("refresh_token=rt-1-secret-aaaa") {
        (200, r#"{"access_token":"at-one-3141592653","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2-secret-bbbb"}"#.into())
    } else if good && has("refresh_token=rt-2-secret-bbbb") {
        (
            200,
            r#"{"access_token":"at-two-2718281828","token_type":"Bearer","expires_in":3600}"#
                .into(),
        )
    } else {
        (
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#.into(),
        )
    }
}

impl TokenEndpoint {
    fn start() -> TokenEndpoint {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!(
            "http://{}/oauth/token",
            server.server_addr().to_ip().unwrap()
        );
        let forms = Arc::new(Mutex::new(Vec::new()));
        let (s, f) = (server.clone(), forms.clone());
        std::thread::spawn(move || {
            for mut request in s.incoming_requests() {
                let mut form = String::new();
                let _ = std::io::Read::read_to_string(request.as_reader(), &mut form);
                let (status, body) = if request.method() == &tiny_http::Method::Post
                    && request.url() == "/oauth/token"
                {
                    answer(&form)
                } else {
                    (404, "{}".into())
                };
                f.lock().unwrap().push(form);
                let _ = request
                    .respond(tiny_http::Response::from_string(body).with_status_code(status));
            }
        });
        TokenEndpoint {
            url,
            forms,
            _server: server,
        }
    }
}

fn install(env: &Env) {
    let dir = env.home().join(".config/fbvault/plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let example =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("plugins/examples/fbvault-provider-oauth2");
    std::fs::copy(example, dir.join("fbvault-provider-oauth2")).unwrap();
}

fn with_example(refresh_token: &str) -> (Env, TokenEndpoint) {
    let endpoint = TokenEndpoint::start();
    (at(&endpoint.url, refresh_token), endpoint)
}

/// A vault with the example installed and profile `svc` for the token endpoint at `url`.
fn at(url: &str, refresh_token: &str) -> Env {
    let mut env = Env::with_vault();
    install(&env);
    env.set("CLIENT_SECRET", "cs-secret-8812");
    env.set("REFRESH_TOKEN", refresh_token);
    let url = format!("token_url={url}");
    env.ok(&[
        "add",
        "svc",
        "--provider",
        "oauth2",
        "--field",
        &url,
        "--field",
        "client_id=cli-42",
        "--from-env",
    ]);
    env
}

fn injected(env: &Env) -> String {
    env.ok(&[
        "run",
        "-p",
        "svc",
        "--",
        "sh",
        "-c",
        "printf %s \"$OAUTH2_ACCESS_TOKEN\"",
    ])
    .stdout
}

#[test]
fn the_python_example_mints_refreshes_and_feeds_run() {
    let (env, endpoint) = with_example("rt-1-secret-aaaa");
    assert!(
        endpoint.forms.lock().unwrap().is_empty(),
        "add alone calls nobody"
    );
    // The first run mints a token itself: no login, no token from the user.
    assert_eq!(injected(&env), "at-one-3141592653");
    let forms = endpoint.forms.lock().unwrap().clone();
    assert_eq!(forms.len(), 1, "{forms:?}");
    // Fresh: the next run asks nobody.
    assert_eq!(injected(&env), "at-one-3141592653");
    assert_eq!(endpoint.forms.lock().unwrap().len(), 1);
    // The rotated refresh token is the one used next.
    env.ok(&["refresh", "svc", "--force"]);
    assert_eq!(injected(&env), "at-two-2718281828");
    let show = env.ok(&["show", "svc"]);
    for secret in [
        "cs-secret-8812",
        "rt-1-secret-aaaa",
        "rt-2-secret-bbbb",
        "at-two-2718281828",
    ] {
        assert!(
            !show.stdout.contains(secret) && !show.stderr.contains(secret),
            "{}",
            show.stdout
        );
    }
}

#[test]
fn the_python_example_logs_in_without_a_token() {
    let (env, endpoint) = with_example("rt-1-secret-aaaa");
    let o = env.ok(&["login", "svc"]);
    o.stderr_has("logged in svc");
    assert_eq!(endpoint.forms.lock().unwrap().len(), 1);
    assert_eq!(injected(&env), "at-one-3141592653");
}

#[test]
fn a_revoked_refresh_token_is_exit_4_and_changes_nothing() {
    let (env, _endpoint) = with_example("rt-revoked-cccc");
    let before = env.snapshot();
    let o = env.run(&["run", "-p", "svc", "--", "true"]);
    o.fails(4).stderr_has("invalid_grant");
    o.stderr_lacks("rt-revoked-cccc");
    let o = env.run(&["login", "svc"]);
    o.fails(4).stderr_has("refused the grant");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
}

#[test]
fn an_unreachable_token_endpoint_is_exit_5() {
    let url = format!(
        "http://127.0.0.1:{}/oauth/token",
        crate::common::free_port()
    );
    let env = at(&url, "rt-1-secret-aaaa");
    env.run(&["login", "svc"])
        .fails(5)
        .stderr_has("cannot reach the token endpoint");
}

#[test]
fn the_example_refuses_a_profile_without_its_fields() {
    let env = Env::with_vault();
    install(&env);
    let add = |field: &str| env.run(&["add", "svc", "--provider", "oauth2", "--field", field]);
    add("client_id=x").fails(1).stderr_has("token_url");
    add("refresh_token=x")
        .fails(2)
        .stderr_has("does not go on the command line");
}
