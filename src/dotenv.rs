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
        let end = v[1..].find('\'').map_or(v.len(), |e| e + 1);
        return v[1..end].to_string();
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
    fn a_bad_line_names_its_number_not_its_content() {
        let e = parse("APP_ID=1\nEAABsecretwithoutkey\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!e.to_string().contains("EAAB"));
    }
}
