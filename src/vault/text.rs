//! Text that came from outside (a recipient name in `team.age`, a key someone pasted) made
//! safe to show on a terminal: control characters and bidirectional overrides are escaped,
//! so a name cannot erase or reorder the lines around it.

/// Whether `c` would act on a terminal instead of being shown.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character escaped (`\u{1b}`, `\r`).
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if is_control(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_kept() {
        assert_eq!(escape_controls("bob@laptop"), "bob@laptop");
        assert_eq!(escape_controls("é 日本"), "é 日本");
        assert_eq!(
            escape_controls("\r\u{1b}[2K\u{1b}[1A"),
            "\\r\\u{1b}[2K\\u{1b}[1A"
        );
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
    }
}
