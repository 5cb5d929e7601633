//! Failing closed against text, files and processes from outside (SPEC §13): control
//! characters escaped, core dumps off, a killed `edit` cleaned up, unwritable output an
//! error, and the identity's permissions checked.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, DEMO_PAGES};

use crate::common::Env;

/// A page name that clears the screen, sets the title, and forges a hint line.
const EVIL: &str = "Evil\x1b[2J\x1b]0;pwned\x07\r\nfbvault: hint: ok\u{202e}\u{9b}31m";

fn no_raw_controls(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{what} holds a raw control character: {text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("fbvault: hint: ok")),
        "{what} has a forged line: {text:?}"
    );
}

#[test]
fn a_planted_page_name_is_shown_escaped_everywhere() {
    let env = Env::with_graph();
    env.ok(&["init"]);
    env.graph()
        .world()
        .pages
        .get_mut(DEMO_PAGES[0])
        .unwrap()
        .name = EVIL.to_string();
    env.add("acme");
    for args in [
        &["pages", "acme"][..],
        &["status"],
        &["show", "acme"],
        &["list"],
        &["pages", "acme", "--json"],
        &["status", "--json"],
    ] {
        let o = env.ok(args);
        no_raw_controls(&format!("{args:?} stdout"), &o.stdout);
        no_raw_controls(&format!("{args:?} stderr"), &o.stderr);
    }
    let shown = env.ok(&["pages", "acme"]).stdout;
    assert!(
        shown.contains(
            "Evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{d}\\u{a}fbvault: hint: ok\\u{202e}\\u{9b}31m"
        ),
        "escaped, not dropped: {shown}"
    );
    let json = env.ok(&["pages", "acme", "--json"]).json();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        names.contains(&EVIL),
        "JSON keeps the exact name: {names:?}"
    );
}

#[test]
fn a_plugin_message_with_escapes_is_shown_escaped() {
    let env = Env::new();
    env.ok(&["init"]);
    let dir = env.home().join(".config/fbvault/plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("fbvault-provider-evil");
    std::fs::write(
        &plugin,
        "#!/bin/sh\ncat > /dev/null\nprintf '%s' '{\"protocol\":1,\"ok\":false,\"error\":{\"kind\":\"bad_request\",\"message\":\"no\\u001b[2K\\r\\nfbvault: hint: ok\\u202e\"}}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = env.run_stdin(
        &["add", "x", "--provider", "evil", "--token-stdin"],
        "grant-1234\n",
    );
    o.fails(1)
        .stderr_has("no\\u{1b}[2K\\u{d}\\u{a}fbvault: hint: ok\\u{202e}");
    no_raw_controls("stderr", &o.stderr);
}
