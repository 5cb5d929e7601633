//! Text from outside (page names, recipient names and keys from `team.age`, plugin and
//! Graph messages) is shown with every character a terminal could act on escaped: C0
//! controls (newline, carriage return, ESC, …), DEL, C1 controls (U+0080–U+009F, which some
//! terminals read as ESC sequences) and the bidirectional overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069) that reorder what the eye sees. Which characters those
//! are is [`crate::vault::text::is_control`]; each is written the way Rust's
//! `escape_default` writes it (`\r`, `\n`, `\u{1b}`), so a name can neither erase nor
//! repaint a line, nor forge one. This module applies that at the command line's edges:
//! whole messages, message lines, and serialized JSON.
//!
//! A backslash is left as it is, so escaping twice changes nothing.

use std::borrow::Cow;

pub use crate::vault::text::is_control as is_unsafe;

/// `text` with every unsafe character escaped; borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(crate::vault::text::escape_controls(text))
    } else {
        Cow::Borrowed(text)
    }
}

/// Like [`escape`], but keeps the line breaks of a message that is meant to span lines;
/// each line is escaped on its own (a `\r` inside a line is still escaped).
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// Serialized JSON with the characters serde leaves raw (DEL, C1, bidi) written as JSON
/// `\uXXXX` escapes. They can only occur inside strings, so the JSON means the same.
pub fn escape_json(json: String) -> String {
    if !json.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(escape("a\r\x1b[2K\x1b[1Ab"), "a\\r\\u{1b}[2K\\u{1b}[1Ab");
        assert_eq!(
            escape("x\u{7f}\u{9b}\u{202e}\u{2066}y"),
            "x\\u{7f}\\u{9b}\\u{202e}\\u{2066}y"
        );
        assert_eq!(escape("line\nnext\t"), "line\\nnext\\t");
    }

    #[test]
    fn ordinary_text_is_borrowed_and_escaping_is_idempotent() {
        assert!(matches!(
            escape("Cute Kitten Page 猫 🐱 \\n"),
            Cow::Borrowed(_)
        ));
        let once = escape("\x1b]0;pwned\x07").into_owned();
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn lines_keep_their_breaks() {
        assert_eq!(escape_lines("a\x1b\nb\r"), "a\\u{1b}\nb\\r");
    }

    #[test]
    fn json_stays_json() {
        let json = serde_json::to_string(&serde_json::json!({"n": "a\u{9b}\u{202e}\x1b"})).unwrap();
        let escaped = escape_json(json);
        assert!(!escaped.chars().any(is_unsafe), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["n"], "a\u{9b}\u{202e}\x1b");
    }
}
