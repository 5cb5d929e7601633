//! A tiny debug log for provider requests: with `FBVAULT_LOG=debug`, each request a
//! provider makes (an HTTP call, an external plugin run) is one line on stderr with its
//! method, what it called, how long it took and how it ended. Callers pass no secret:
//! paths without their query string, plugin methods, status codes.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

/// Whether `FBVAULT_LOG` asks for debug lines (`debug`, or a list holding it).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("FBVAULT_LOG")
            .is_ok_and(|v| v.split(',').any(|p| matches!(p.trim(), "debug" | "trace")))
    })
}

/// One request: `fbvault: debug: {who}: {method} {target} -> {outcome} ({ms} ms)`.
/// `target` must hold no secret: pass a path without its query string.
pub fn request(who: &str, method: &str, target: &str, took: Duration, outcome: &str) {
    if !enabled() {
        return;
    }
    let line = format!(
        "fbvault: debug: {who}: {method} {target} -> {outcome} ({} ms)\n",
        took.as_millis()
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
