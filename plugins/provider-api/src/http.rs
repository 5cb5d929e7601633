//! Blocking HTTP as the built-in providers use it (feature `http`): one way to build the
//! client (a time limit per request, a shorter one to connect, no redirects, fbvault's
//! user agent, TLS from ring) and one way to send a form. Nothing here sees a URL in an
//! error: the URLs carry tokens.

use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder};

use crate::{ErrorKind, ProviderError};

/// The longest wait for a connection, whatever the request's time limit.
const MAX_CONNECT: Duration = Duration::from_secs(5);

/// A client whose requests each have `timeout` in all (and at most 5 s to connect), that
/// follows no redirect (one could take a token elsewhere) and says it is fbvault.
///
/// TLS comes from ring (no aws-lc, no OpenSSL), installed here, when the first client is
/// built, so that commands that make no call never pay for it.
pub fn client(timeout: Duration) -> Result<Client, ProviderError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("fbvault/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            ProviderError::new(
                ErrorKind::Internal,
                format!("cannot start HTTP: {}", e.without_url()),
            )
        })
}

/// `params` as an `application/x-www-form-urlencoded` body.
pub fn form(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// `POST url` with `body` (made by [`form`]) as its form.
pub fn post_form(http: &Client, url: Url, body: String) -> RequestBuilder {
    http.post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_encoded_in_order() {
        assert_eq!(
            form(&[("grant_type", "authorization_code"), ("code", "a b&c=d")]),
            "grant_type=authorization_code&code=a+b%26c%3Dd"
        );
    }

    #[test]
    fn a_form_post_says_what_it_sends() {
        let http = client(Duration::from_secs(1)).unwrap();
        let url = Url::parse("http://127.0.0.1:9/oauth/access_token").unwrap();
        let request = post_form(&http, url, form(&[("a", "1")])).build().unwrap();
        assert_eq!(request.method(), reqwest::Method::POST);
        assert_eq!(
            request.headers()[reqwest::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(request.body().and_then(|b| b.as_bytes()), Some(&b"a=1"[..]));
    }
}
