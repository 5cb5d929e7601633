//! The random values of a browser login: the 128-bit `state` that ties the callback to
//! this run, and the PKCE pair (RFC 7636, S256): a `code_verifier` of 64 characters from
//! 48 random bytes, and `code_challenge = base64url(sha256(verifier))` without padding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fbvault_provider::Secret;
use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system, base64url without padding.
fn random(n: usize) -> Result<String, getrandom::Error> {
    let mut bytes = zeroize::Zeroizing::new(vec![0u8; n]);
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(&*bytes))
}

/// A new `state`: 128 random bits (22 characters).
pub fn state() -> Result<Secret, getrandom::Error> {
    random(16).map(Secret::new)
}

/// A new `code_verifier`: 384 random bits (64 characters, within RFC 7636's 43–128).
pub fn verifier() -> Result<Secret, getrandom::Error> {
    random(48).map(Secret::new)
}

/// The S256 `code_challenge` of a verifier.
pub fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b() {
        let v = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge(&v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn sizes_and_alphabet() {
        let s = state().unwrap();
        let v = verifier().unwrap();
        assert_eq!(s.expose().len(), 22);
        assert_eq!(v.expose().len(), 64);
        assert_ne!(s, state().unwrap());
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        assert!(v.expose().chars().all(ok) && s.expose().chars().all(ok));
    }
}
