//! Identities (private keys) and recipients (public keys), and age encryption with them.
//!
//! An identity is an age X25519 identity file (`AGE-SECRET-KEY-1…`, as `age-keygen`
//! writes) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one is
//! decrypted once, after asking on the terminal). A recipient is an `age1…` key or an
//! `ssh-ed25519 …`/`ssh-rsa …` public key. Everything written is ASCII-armored age, so the
//! `age` CLI opens it.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::{ExposeSecret, SecretString};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::error::{Result, VaultError};
use super::fsio;

/// Asks the user for a passphrase (`None` when there is no terminal).
pub type PassphrasePrompt<'a> = &'a dyn Fn(&str) -> Option<SecretString>;

/// Where an identity came from: a file, or key text in a variable (`FBVAULT_KEY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// A key file.
    File(PathBuf),
    /// The key's text, from the named environment variable.
    Text(&'static str),
}

impl std::fmt::Display for IdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdentitySource::File(p) => write!(f, "{}", p.display()),
            IdentitySource::Text(var) => f.write_str(var),
        }
    }
}

/// A loaded identity: the keys that decrypt, and the public key to share.
pub struct Identity {
    source: IdentitySource,
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// The public key: known at load for SSH keys, derived on first use for age keys (a
    /// scalar multiplication `run` does not need).
    public: std::sync::OnceLock<Option<String>>,
    first_age_key: Option<age::x25519::Identity>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("source", &self.source)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Whether `text` looks like private key material (so that it is never echoed).
pub fn looks_like_key(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains("AGE-SECRET-KEY-")
        || upper.contains("PRIVATE KEY")
        // "openssh-key-v1" in base64: the body of an OpenSSH private key without its lines.
        || text.contains("b3BlbnNzaC1rZXktdjE")
}

impl Identity {
    /// Loads the identity at `path`. `prompt` is asked for an SSH key's passphrase.
    pub fn load(path: &Path, prompt: PassphrasePrompt<'_>) -> Result<Identity> {
        let bytes = read_identity(path)?;
        let source = IdentitySource::File(path.to_path_buf());
        let text = as_text(&source, &bytes)?;
        Self::from_text(source, text, prompt)
    }

    /// Loads an identity from its text (an age key file's content or an OpenSSH private
    /// key). Errors name `source`, never a byte of the text.
    pub fn from_text(
        source: IdentitySource,
        text: &str,
        prompt: PassphrasePrompt<'_>,
    ) -> Result<Identity> {
        if text.contains("-----BEGIN ") {
            Self::load_ssh(source, text, prompt)
        } else {
            Self::load_age(&source, text).map_err(|reason| VaultError::BadIdentity {
                identity: source.clone(),
                reason,
            })
        }
    }

    fn load_age(source: &IdentitySource, text: &str) -> std::result::Result<Identity, String> {
        let mut keys: Vec<Box<dyn age::Identity + Send + Sync>> = Vec::new();
        let mut first = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let id = age::x25519::Identity::from_str(line).map_err(|_| {
                "expected AGE-SECRET-KEY-1… lines (an age identity) or an OpenSSH private key"
                    .to_string()
            })?;
            first.get_or_insert_with(|| id.clone());
            keys.push(Box::new(id));
        }
        if keys.is_empty() {
            return Err("it holds no key".into());
        }
        Ok(Identity {
            source: source.clone(),
            keys,
            public: std::sync::OnceLock::new(),
            first_age_key: first,
        })
    }

    fn load_ssh(
        source: IdentitySource,
        text: &str,
        prompt: PassphrasePrompt<'_>,
    ) -> Result<Identity> {
        let bad = |reason: &str| VaultError::BadIdentity {
            identity: source.clone(),
            reason: reason.into(),
        };
        let parsed = age::ssh::Identity::from_buffer(
            BufReader::new(text.as_bytes()),
            Some(source.to_string()),
        )
        .map_err(|_| bad("not an OpenSSH private key that age can use"))?;
        let key: age::ssh::Identity = match parsed {
            age::ssh::Identity::Unencrypted(_) => parsed,
            age::ssh::Identity::Encrypted(enc) => {
                let question = format!("Passphrase for {source}: ");
                let pass = prompt(&question).ok_or_else(|| VaultError::PassphraseNeeded {
                    identity: source.clone(),
                })?;
                enc.decrypt(pass)
                    .map_err(|_| VaultError::WrongPassphrase {
                        identity: source.clone(),
                    })?
                    .into()
            }
            age::ssh::Identity::Unsupported(_) => {
                return Err(bad(
                    "this kind of SSH key is not supported (use ed25519 or RSA)",
                ));
            }
        };
        let public = ssh_public_key(text).or_else(|| match &source {
            IdentitySource::File(path) => read_pub_file(path),
            IdentitySource::Text(_) => None,
        });
        Ok(Identity {
            source,
            keys: vec![Box::new(key)],
            public: public.into(),
            first_age_key: None,
        })
    }

    /// Where this identity came from.
    pub fn source(&self) -> &IdentitySource {
        &self.source
    }

    /// The public key of the identity at `path`, without decrypting anything (an SSH key's
    /// public half is stored in clear even when the key has a passphrase).
    pub fn public_key_of(path: &Path) -> Result<Option<String>> {
        let bytes = read_identity(path)?;
        let source = IdentitySource::File(path.to_path_buf());
        let text = as_text(&source, &bytes)?;
        Self::public_key_of_text(&source, text)
    }

    /// The public key of an identity's text (see [`Identity::public_key_of`]).
    pub fn public_key_of_text(source: &IdentitySource, text: &str) -> Result<Option<String>> {
        if text.contains("-----BEGIN ") {
            Ok(ssh_public_key(text).or_else(|| match source {
                IdentitySource::File(path) => read_pub_file(path),
                IdentitySource::Text(_) => None,
            }))
        } else {
            let id = Self::load_age(source, text).map_err(|reason| VaultError::BadIdentity {
                identity: source.clone(),
                reason,
            })?;
            Ok(id.public_key().map(str::to_string))
        }
    }

    /// Creates a new X25519 identity file at `path` (0600, folders 0700) and loads it.
    pub fn generate(path: &Path) -> Result<Identity> {
        if let Some(dir) = path.parent() {
            fsio::create_private_dir(dir)?;
        }
        let id = age::x25519::Identity::generate();
        let public = id.to_public().to_string();
        let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let secret = id.to_string();
        let text = Zeroizing::new(format!(
            "# created: {created}\n# public key: {public}\n{}\n",
            secret.expose_secret()
        ));
        fsio::write_atomic(path, text.as_bytes())?;
        Ok(Identity {
            source: IdentitySource::File(path.to_path_buf()),
            keys: vec![Box::new(id)],
            public: Some(public).into(),
            first_age_key: None,
        })
    }

    /// The public key to hand to teammates (`age1…` or `ssh-ed25519 …`), when known.
    pub fn public_key(&self) -> Option<&str> {
        self.public
            .get_or_init(|| {
                self.first_age_key
                    .as_ref()
                    .map(|k| k.to_public().to_string())
            })
            .as_deref()
    }

    /// The identity in words for messages: its source and its whole public key (`FILE
    /// (public key age1…)`), which the user can copy to a member.
    pub fn describe(&self) -> String {
        match self.public_key() {
            Some(public) => format!("{} (public key {public})", self.source),
            None => self.source.to_string(),
        }
    }

    /// Decrypts an age file (armored or binary). `what` names it in errors.
    pub fn decrypt(&self, ciphertext: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>> {
        let damaged = |reason: &str| VaultError::Damaged {
            what: what.to_string(),
            reason: reason.to_string(),
        };
        let decryptor = age::Decryptor::new_buffered(ArmoredReader::new(ciphertext))
            .map_err(|e| damaged(&describe_decrypt_error(&e)))?;
        if decryptor.is_scrypt() {
            return Err(damaged(
                "it is passphrase-encrypted, not encrypted to recipients",
            ));
        }
        let mut reader = decryptor
            .decrypt(self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => VaultError::NotARecipient {
                    what: what.to_string(),
                    identity: self.describe(),
                },
                other => damaged(&describe_decrypt_error(&other)),
            })?;
        let mut plain = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut plain)
            .map_err(|_| damaged("it is truncated or was altered"))?;
        Ok(plain)
    }
}

/// A public key shortened for messages: `age1abcd…wxyz`, `ssh-ed25519 AAAA…wxyz`.
pub fn shorten_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 28 {
        return key.to_string();
    }
    let head: String = chars[..16].iter().collect();
    let tail: String = chars[chars.len() - 8..].iter().collect();
    format!("{head}…{tail}")
}

/// The largest identity file read (a 16384-bit RSA key is about 13 KB).
const MAX_IDENTITY_BYTES: u64 = 64 * 1024;

fn read_identity(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = fsio::read_capped(path, MAX_IDENTITY_BYTES).map_err(|e| match e {
        fsio::ReadError::Missing => VaultError::NoIdentity {
            path: path.to_path_buf(),
        },
        fsio::ReadError::TooLarge(_) => VaultError::BadIdentity {
            identity: IdentitySource::File(path.to_path_buf()),
            reason: "it is far larger than any key".into(),
        },
        fsio::ReadError::Io(e) => {
            VaultError::io(format!("cannot read identity {}", path.display()), e)
        }
    })?;
    Ok(Zeroizing::new(bytes))
}

fn as_text<'a>(source: &IdentitySource, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|_| VaultError::BadIdentity {
        identity: source.clone(),
        reason: "it is not text".into(),
    })
}

fn describe_decrypt_error(e: &age::DecryptError) -> String {
    match e {
        age::DecryptError::InvalidHeader => "not an age file, or its header is cut short".into(),
        age::DecryptError::UnknownFormat => "an unknown age format".into(),
        age::DecryptError::InvalidMac => "its header was altered".into(),
        age::DecryptError::DecryptionFailed => "it was altered".into(),
        age::DecryptError::Io(_) => "it is truncated or not an age file".into(),
        _ => "it cannot be decrypted".into(),
    }
}

/// Parses a recipient, normalizing SSH keys to `TYPE BASE64` (the comment is dropped).
/// Returns the normalized text and its comment.
pub fn normalize_recipient(value: &str) -> Result<(String, Option<String>)> {
    let value = value.trim();
    if looks_like_key(value) {
        return Err(VaultError::BadRecipient {
            value: "(a private key, not shown)".into(),
            reason: "that is a private key: give the public key instead (`fbvault identity show`, or the .pub file next to an SSH key)".into(),
        });
    }
    // Only what looks like a public key is echoed: anything else pasted here (a secret
    // in the wrong place) is not shown.
    let shown: String = if value.starts_with("age1") || value.starts_with("ssh-") {
        super::text::escape_controls(&value.chars().take(120).collect::<String>())
    } else {
        "(the value, not shown)".into()
    };
    let bad = |reason: &str| VaultError::BadRecipient {
        value: shown.clone(),
        reason: reason.to_string(),
    };
    if value.starts_with("age1") {
        age::x25519::Recipient::from_str(value)
            .map_err(|e| bad(&format!("invalid age public key ({e})")))?;
        return Ok((value.to_string(), None));
    }
    if value.starts_with("ssh-") {
        let key = normalize_ssh_public(value).ok_or_else(|| bad("invalid SSH public key"))?;
        age::ssh::Recipient::from_str(&key)
            .map_err(|_| bad("only ssh-ed25519 and ssh-rsa keys are supported"))?;
        let comment = value.split_whitespace().nth(2).map(str::to_string);
        return Ok((key, comment));
    }
    Err(bad(
        "expected an age1… key or an ssh-ed25519/ssh-rsa public key",
    ))
}

/// Parses a normalized recipient into an age recipient.
pub fn parse_recipient(value: &str) -> Result<Box<dyn age::Recipient + Send>> {
    let (key, _) = normalize_recipient(value)?;
    if key.starts_with("age1") {
        Ok(Box::new(age::x25519::Recipient::from_str(&key).map_err(
            |e| VaultError::BadRecipient {
                value: key.clone(),
                reason: e.to_string(),
            },
        )?))
    } else {
        Ok(Box::new(age::ssh::Recipient::from_str(&key).map_err(
            |_| VaultError::BadRecipient {
                value: key.clone(),
                reason: "invalid SSH public key".into(),
            },
        )?))
    }
}

/// Encrypts `plaintext` to every recipient as ASCII-armored age.
pub fn encrypt(recipients: &[String], plaintext: &[u8]) -> Result<Vec<u8>> {
    let parsed = recipients
        .iter()
        .map(|r| parse_recipient(r))
        .collect::<Result<Vec<_>>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| VaultError::Refused(format!("cannot encrypt to these recipients: {e}")))?;
    let mut out = Vec::with_capacity(plaintext.len() * 2 + 512);
    let io_err = |e| VaultError::io("cannot encrypt", e);
    let armor = ArmoredWriter::wrap_output(&mut out, Format::AsciiArmor).map_err(io_err)?;
    let mut writer = encryptor.wrap_output(armor).map_err(io_err)?;
    writer.write_all(plaintext).map_err(io_err)?;
    writer.finish().and_then(|a| a.finish()).map_err(io_err)?;
    Ok(out)
}

/// The public key in `PATH.pub`, next to an SSH private key.
fn read_pub_file(path: &Path) -> Option<String> {
    let line = std::fs::read_to_string(format!("{}.pub", path.display())).ok()?;
    normalize_ssh_public(line.trim())
}

fn normalize_ssh_public(line: &str) -> Option<String> {
    let mut parts = line.split_whitespace();
    let kind = parts.next()?;
    let body = parts.next()?;
    STANDARD.decode(body).ok()?;
    Some(format!("{kind} {body}"))
}

/// Reads the public key out of an `openssh-key-v1` private key. The public half is stored
/// in clear even when the private half is passphrase-protected.
fn ssh_public_key(text: &str) -> Option<String> {
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let raw = Zeroizing::new(STANDARD.decode(body.trim()).ok()?);
    let mut rest = raw.strip_prefix(b"openssh-key-v1\0".as_slice())?;
    let take = |rest: &mut &[u8]| -> Option<Vec<u8>> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = rest.get(4..4 + len)?.to_vec();
        *rest = &rest[4 + len..];
        Some(value)
    };
    let _cipher = take(&mut rest)?;
    let _kdf = take(&mut rest)?;
    let _kdf_options = take(&mut rest)?;
    let count = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    rest = &rest[4..];
    if count != 1 {
        return None;
    }
    let blob = take(&mut rest)?;
    let kind_len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let kind = std::str::from_utf8(blob.get(4..4 + kind_len)?).ok()?;
    Some(format!("{kind} {}", STANDARD.encode(&blob)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_then_decrypt_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity::generate(&dir.path().join("id.txt")).unwrap();
        let public = id.public_key().unwrap().to_string();
        let sealed = encrypt(&[public], b"hello").unwrap();
        assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        assert_eq!(&*id.decrypt(&sealed, "x").unwrap(), b"hello");
    }

    #[test]
    fn another_identity_is_not_a_recipient() {
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::generate(&dir.path().join("a")).unwrap();
        let b = Identity::generate(&dir.path().join("b")).unwrap();
        let sealed = encrypt(&[a.public_key().unwrap().to_string()], b"x").unwrap();
        assert!(matches!(
            b.decrypt(&sealed, "x"),
            Err(VaultError::NotARecipient { .. })
        ));
    }

    #[test]
    fn truncated_and_flipped_files_are_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity::generate(&dir.path().join("id")).unwrap();
        let sealed = encrypt(&[id.public_key().unwrap().to_string()], &[7u8; 300]).unwrap();
        let truncated = &sealed[..sealed.len() / 2];
        assert!(matches!(
            id.decrypt(truncated, "x"),
            Err(VaultError::Damaged { .. })
        ));
        assert!(matches!(
            id.decrypt(b"hello", "x"),
            Err(VaultError::Damaged { .. })
        ));
    }

    #[test]
    fn recipients_are_normalized_and_checked() {
        let (k, c) = normalize_recipient(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN alice@laptop",
        )
        .unwrap();
        assert_eq!(
            k,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN"
        );
        assert_eq!(c.as_deref(), Some("alice@laptop"));
        assert!(normalize_recipient("age1nope").is_err());
        assert!(normalize_recipient("hello").is_err());
        let err = normalize_recipient("AGE-SECRET-KEY-1QQQ")
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("1QQQ"),
            "a private key is never echoed: {err}"
        );
    }
}
