//! [`Ui`]: data on stdout, messages on stderr, in one place. A closed stdout (`fbvault list
//! | head`) ends the program quietly instead of panicking, and an unwritable one is exit 1.
//! Every message on stderr passes through [`sanitize`](super::sanitize), so text from
//! outside that ends up in a message cannot drive the terminal; JSON on stdout has the
//! characters serde leaves raw escaped too.

use std::io::{self, IsTerminal, Write};

/// Where output goes and how it looks.
#[derive(Debug, Clone)]
pub struct Ui {
    /// `--json`: read commands print JSON.
    pub json: bool,
    quiet: bool,
    color: bool,
    /// Under `--json`: the messages shown, for the report of what a command did.
    said: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Whether anything was written to stdout.
    wrote: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Ui {
    /// Builds the handle from the global flags and the environment: with `auto`, color
    /// only on a terminal, and never with `NO_COLOR` set or `TERM=dumb`.
    pub fn new(json: bool, quiet: bool, color: super::ColorChoice) -> Ui {
        use super::ColorChoice as C;
        let color = match color {
            C::Always => true,
            C::Never => false,
            C::Auto => {
                crate::config::env_non_empty("NO_COLOR").is_none()
                    && crate::config::env_text("TERM").as_deref() != Some("dumb")
                    && io::stdout().is_terminal()
            }
        };
        Ui {
            json,
            quiet,
            color,
            said: Default::default(),
            wrote: Default::default(),
        }
    }

    /// Under `--json`, when the command printed no data: `{"ok": true, "command",
    /// "exit_code", "messages"}` on stdout, what it did in the words it said (described by
    /// `schemas/done.schema.json`).
    pub fn report_done(&self, command: &str, exit_code: u8) {
        if !self.json || self.wrote.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let messages = self.said.lock().expect("messages").clone();
        self.out_json(&Done {
            ok: exit_code == 0,
            command: command.to_string(),
            exit_code,
            messages,
        });
    }

    /// Whether `--quiet` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Prints a line of data on stdout.
    pub fn out(&self, line: impl AsRef<str>) {
        self.out_bytes(format!("{}\n", line.as_ref()).as_bytes());
    }

    /// Writes data to stdout. A closed pipe ends the program quietly (`| head`); any other
    /// failure (a full disk behind `> .env`) is an error, never a silent success.
    pub fn out_bytes(&self, bytes: &[u8]) {
        self.wrote.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut stdout = io::stdout().lock();
        match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => {
                err_line(&format!("fbvault: cannot write the output: {e}"));
                std::process::exit(1);
            }
        }
    }

    /// Prints a value as pretty JSON on stdout.
    pub fn out_json(&self, value: &impl serde::Serialize) {
        let json = serde_json::to_string_pretty(value).expect("output serializes");
        self.out(super::sanitize::escape_json(json));
    }

    /// Prints an informational message on stderr, unless `--quiet`: always one line.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.json {
            self.said
                .lock()
                .expect("messages")
                .push(super::sanitize::escape(message.as_ref()).into_owned());
        }
        if !self.quiet {
            err_line(&super::sanitize::escape(message.as_ref()));
        }
    }

    /// Prints a warning on stderr, even with `--quiet`: always one line.
    pub fn warn(&self, message: impl AsRef<str>) {
        let message = super::sanitize::escape(message.as_ref());
        err_line(&format!("fbvault: warning: {message}"));
    }

    /// Colors `text` (an ANSI SGR code like `32` for green) when stdout is a terminal.
    pub fn paint(&self, text: &str, sgr: &str) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// What a command did, under `--json` (when it printed no data of its own).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "fbvault: what a command did (--json)")]
pub struct Done {
    /// Whether it succeeded.
    pub ok: bool,
    /// The command (`add`, `recipients add`).
    pub command: String,
    /// Its exit code.
    pub exit_code: u8,
    /// What it said, one message per line as shown on stderr.
    pub messages: Vec<String>,
}

/// Writes a line to stderr, control characters escaped (line breaks kept); a stderr that
/// cannot be written is not worth a panic.
pub fn err_line(line: &str) {
    let line = super::sanitize::escape_lines(line);
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// Lays out rows as left-aligned columns separated by two spaces.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| visible_len(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(visible_len(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - visible_len(cell) + 2));
            }
        }
        s
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| line(r.iter().map(String::as_str).collect())),
    );
    out
}

/// The columns `s` takes on a terminal: color escapes take none, CJK and emoji two.
pub fn visible_len(s: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += c.width().unwrap_or(0),
        }
    }
    n
}

/// The use cases' remarks and progress go where the command's own do.
impl crate::app::Reporter for Ui {
    fn info(&self, line: &str) {
        Ui::info(self, line);
    }

    fn warn(&self, line: &str) {
        Ui::warn(self, line);
    }

    fn busy(&self, what: &str) -> Box<dyn std::any::Any> {
        Box::new(super::progress::start(self, what))
    }

    fn tell(&self, line: &str) {
        err_line(&format!("fbvault: {line}"));
    }

    fn ask_secret(&self, question: &str) -> Option<fbvault_provider::Secret> {
        super::prompt::interactive()
            .then(|| super::prompt::secret(question))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_ignoring_color_codes() {
        let rows = vec![vec!["\x1b[32mok\x1b[0m".to_string(), "x".to_string()]];
        let lines = table(&["STATE", "B"], &rows);
        assert_eq!(lines[0], "STATE  B");
        assert_eq!(lines[1], "\x1b[32mok\x1b[0m     x");
    }

    #[test]
    fn table_aligns_wide_characters_by_display_width() {
        let rows = vec![
            vec!["東京ベーカリー".to_string(), "x".to_string()],
            vec!["🍰 Cakes".to_string(), "y".to_string()],
            vec!["plain".to_string(), "z".to_string()],
        ];
        let lines = table(&["NAME", "B"], &rows);
        let col = |l: &str| visible_len(&l[..l.rfind(' ').unwrap() + 1]);
        assert!(lines.iter().all(|l| col(l) == col(&lines[0])), "{lines:#?}");
        assert_eq!(visible_len("東京"), 4);
    }
}
