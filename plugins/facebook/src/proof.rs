//! `appsecret_proof`: lowercase hex HMAC-SHA256 of the exact access token sent, keyed by
//! the app secret (key = secret, message = token; swapping them is the classic bug).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The proof for `access_token` under `app_secret`.
pub fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(access_token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_facebook_sdk_test_vector() {
        // mobolic/facebook-sdk test/test_application_secret_proof.py
        assert_eq!(
            appsecret_proof("xyz789", "abc123"),
            "4dad02ff1693df832f9c183fe400fc4f601360be06514acb4a73edb783eec345"
        );
    }
}
