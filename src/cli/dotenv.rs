//! A reader for the `.env` files people already keep their tokens in: `KEY=value` lines,
//! optional `export `, single or double quotes, `#` comments.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

/// A line that is not `KEY=value`.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: expected KEY=value")]
pub struct ParseError {
    /// The 1-based line number (the line itself may hold a secret, so it is not shown).
    pub line: usize,
}

/// Parses a `.env` text. Later keys win.
pub fn parse(text: &str) -> Result<BTreeMap<String, Zeroizing<String>>, ParseError> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let (key, value) = line.split_once('=').ok_or(ParseError { line: i + 1 })?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ParseError { line: i + 1 });
        }
        out.insert(key.to_string(), Zeroizing::new(unquote(value.trim())));
    }
    Ok(out)
}

fn unquote(v: &str) -> String {
    let quoted = |q: char| v.len() >= 2 && v.starts_with(q) && v[1..].contains(q);
    if quoted('\'') {
        return single_quoted(v);
    }
    if quoted('"') {
        let mut out = String::new();
        let mut chars = v[1..].chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                },
                c => out.push(c),
            }
        }
        return out;
    }
    // Unquoted: an inline comment starts at " #".
    v.split(" #").next().unwrap_or("").trim().to_string()
}

/// A single-quoted value the way a shell reads it, so the `'it'\''s'` that
/// `fbvault env --format dotenv` writes for a `'` comes back as `it's`: quoted runs and
/// `\'` joined, up to the first blank or the end.
fn single_quoted(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '\\' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_shapes() {
        let env = parse(
            "# my app\nAPP_ID=123\nexport APP_SECRET='s3 cr#t'\nLONG_TOKEN=\"EAAB\\\"x\" # note\nSHORT_TOKEN=abc # comment\n\n",
        )
        .unwrap();
        assert_eq!(env["APP_ID"].as_str(), "123");
        assert_eq!(env["APP_SECRET"].as_str(), "s3 cr#t");
        assert_eq!(env["LONG_TOKEN"].as_str(), "EAAB\"x");
        assert_eq!(env["SHORT_TOKEN"].as_str(), "abc");
    }

    #[test]
    fn reads_back_what_env_writes_on_one_line() {
        for value in ["EAAB123", "it's", "a'b\"c`x`$(y)$Z\\n|#", "''"] {
            let line = format!("K={}\n", crate::runner::dotenv_quote(value));
            assert_eq!(parse(&line).unwrap()["K"].as_str(), value, "{line}");
        }
    }

    #[test]
    fn a_bad_line_names_its_number_not_its_content() {
        let e = parse("APP_ID=1\nEAABsecretwithoutkey\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!e.to_string().contains("EAAB"));
    }
}
