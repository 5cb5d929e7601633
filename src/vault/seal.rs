//! The team-key seal on profiles: HMAC-SHA256 over a profile's name and its canonical JSON.
//!
//! age encrypts to public keys, so anyone who knows them can write a file that decrypts
//! fine. The seal is what says the file was written by a vault member: its key (the team
//! key) lives only inside `team.age`. The name is part of the sealed message, so a file
//! copied or renamed to another profile's name is refused too.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use fbvault_provider::Secret;

const DOMAIN: &[u8] = b"fbvault-profile-v1\n";

/// Writes `value` as JSON with object keys sorted and no whitespace, so the same content
/// always gives the same bytes whatever the field order it was read in.
pub fn canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            out.push(b'{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend(serde_json::to_vec(key).expect("a string serializes"));
                out.push(b':');
                canonical_json(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend(serde_json::to_vec(scalar).expect("a scalar serializes")),
    }
}

fn mac_for(team_key: &Secret, name: &str, body: &Value) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(team_key.expose().as_bytes()).expect("HMAC takes any key");
    let mut canonical = zeroize::Zeroizing::new(Vec::new());
    canonical_json(body, &mut canonical);
    mac.update(DOMAIN);
    mac.update(name.as_bytes());
    mac.update(b"\n");
    mac.update(&canonical);
    mac
}

/// The hex seal of `body` (a profile's JSON without its `mac` field) under `name`.
pub fn seal(team_key: &Secret, name: &str, body: &Value) -> String {
    hex(&mac_for(team_key, name, body).finalize().into_bytes())
}

/// Whether `mac_hex` is the seal of `body` under `name`; compared in constant time.
pub fn verify(team_key: &Secret, name: &str, body: &Value, mac_hex: &str) -> bool {
    match unhex(mac_hex) {
        Some(bytes) => mac_for(team_key, name, body).verify_slice(&bytes).is_ok(),
        None => false,
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's claim that the hash states which absorb the team key are wiped when
    /// dropped, held by the types: `Sha256` (pins, the vault id) and the SHA-256 core of
    /// which `Hmac<Sha256>` keeps its two keyed states (seals). Dropping the `zeroize`
    /// features of `sha2` or `hmac` makes this fail to compile.
    #[test]
    fn hash_states_that_absorb_the_team_key_are_wiped_on_drop() {
        fn wiped<T: zeroize::ZeroizeOnDrop>() {}
        wiped::<sha2::Sha256>();
        wiped::<<sha2::Sha256 as sha2::digest::block_api::CoreProxy>::Core>();
    }
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let mut out = Vec::new();
        canonical_json(
            &json!({"b": 1, "a": {"d": [1, {"z": 0, "y": "é"}], "c": null}}),
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"c":null,"d":[1,{"y":"é","z":0}]},"b":1}"#
        );
    }

    #[test]
    fn the_seal_covers_content_name_and_key() {
        let key = Secret::new("k".repeat(64));
        let body = json!({"name": "acme", "config": {"app_id": "1"}});
        let mac = seal(&key, "acme", &body);
        assert!(verify(&key, "acme", &body, &mac));
        assert!(!verify(&key, "other", &body, &mac), "renamed");
        assert!(
            !verify(&Secret::new("x".repeat(64)), "acme", &body, &mac),
            "other key"
        );
        let changed = json!({"name": "acme", "config": {"app_id": "2"}});
        assert!(!verify(&key, "acme", &changed, &mac), "altered");
        assert!(!verify(&key, "acme", &body, "zz"), "garbage mac");
    }
}
