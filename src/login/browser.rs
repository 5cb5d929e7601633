//! Opening a URL in the person's browser: `$BROWSER` (a command, split on spaces, which
//! gets the URL as its last argument), else `xdg-open` (or `open` on macOS). The browser
//! runs detached, with no access to fbvault's terminal output; it is never waited for.

use std::process::{Command, Stdio};

/// Starts the browser on `url`; `Err` names the program that could not be started.
pub fn open(url: &str) -> Result<(), String> {
    let configured = crate::config::env_trimmed("BROWSER");
    let line = configured.unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    let mut words = line.split_whitespace();
    let program = words.next().unwrap_or("xdg-open").to_string();
    let child = Command::new(&program)
        .args(words)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| program.clone())?;
    // Reaped in the background so that it does not linger as a zombie while we wait.
    std::thread::spawn(move || {
        let mut child = child;
        let _ = child.wait();
    });
    Ok(())
}
