//! Asking the user: secrets without echo on the terminal (`/dev/tty`), confirmations, and
//! secrets read from standard input. Nothing here ever prints a secret.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};

use fbvault_provider::Secret;
use rustix::termios::{self, LocalModes, OptionalActions};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use zeroize::Zeroizing;

/// The controlling terminal, if there is one.
fn tty() -> Option<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()
}

/// Whether standard input is a terminal (interactive use).
pub fn interactive() -> bool {
    io::stdin().is_terminal()
}

/// Asks for a secret on the terminal without echo. `None` when there is no terminal.
pub fn secret(question: &str) -> Option<Secret> {
    let mut tty = tty()?;
    let saved = termios::tcgetattr(&tty).ok()?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    // Ctrl-C (or a hangup) at the prompt must not leave the terminal without echo: a
    // watcher thread restores it and exits as the signal would have.
    let mut signals =
        signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]).ok()?;
    let handle = signals.handle();
    let watcher = {
        let tty = tty.try_clone().ok()?;
        let saved = saved.clone();
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = termios::tcsetattr(&tty, OptionalActions::Flush, &saved);
                crate::cli::ui::err_line("");
                std::process::exit(128 + sig);
            }
        })
    };
    termios::tcsetattr(&tty, OptionalActions::Flush, &quiet).ok()?;
    let _ = write!(tty, "{question}");
    let _ = tty.flush();
    let mut line = Zeroizing::new(String::new());
    let read = BufReader::new(&tty).read_line(&mut line);
    let _ = termios::tcsetattr(&tty, OptionalActions::Flush, &saved);
    handle.close();
    let _ = watcher.join();
    read.ok()?;
    Some(Secret::new(line.trim_end_matches(['\r', '\n']).to_string()))
}

/// Asks a yes/no question on the terminal; `None` when there is no terminal.
pub fn confirm(question: &str) -> Option<bool> {
    if !interactive() {
        return None;
    }
    let mut tty = tty()?;
    let _ = write!(tty, "{question} [y/N] ");
    let _ = tty.flush();
    let mut line = String::new();
    BufReader::new(&tty).read_line(&mut line).ok()?;
    Some(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// What a confirmation decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// Go ahead (`--yes`, or "y" at the prompt).
    Yes,
    /// The user said no.
    No,
}

/// `--yes`, else a yes/no question on the terminal, else a usage error saying `what` is
/// refused without confirmation and how to confirm.
pub fn confirm_or_yes(
    yes: bool,
    question: &str,
    what: &str,
    how: &str,
) -> Result<Confirmed, super::CliError> {
    if yes {
        return Ok(Confirmed::Yes);
    }
    match confirm(question) {
        Some(true) => Ok(Confirmed::Yes),
        Some(false) => Ok(Confirmed::No),
        None => Err(
            super::CliError::usage(format!("refusing to {what} without confirmation")).hint(how),
        ),
    }
}

/// Reads standard input: one secret per line, `count` of them (the rest is ignored).
/// Empty input is an error naming `what`.
pub fn stdin_secrets(count: usize, what: &[&str]) -> io::Result<Vec<Secret>> {
    let mut all = Zeroizing::new(String::new());
    io::stdin().read_to_string(&mut all)?;
    let lines: Vec<&str> = all
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() < count {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "standard input holds {} line(s); expected {}",
                lines.len(),
                what.join(" then ")
            ),
        ));
    }
    Ok(lines[..count].iter().map(|l| Secret::new(*l)).collect())
}
