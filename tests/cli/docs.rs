//! The command line's own documentation: every command's help has an example, help and
//! usage errors are snapshots (`tests/snapshots/`), and the man pages in `man/` are
//! generated from the same clap definitions. `UPDATE_SNAPSHOTS=1 cargo test --test cli
//! docs` rewrites the snapshots and the man pages; the tests fail when they drift.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::common::Env;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compares `text` with the committed file (rewriting it under `UPDATE_SNAPSHOTS`).
fn snapshot(path: &Path, text: &str) {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "{} differs from the output: run `UPDATE_SNAPSHOTS=1 cargo test --test cli docs` and review the diff\n--- now:\n{text}",
        path.display()
    );
}

/// Every command, as its words after `fbvault` (`["recipients", "add"]`).
fn commands() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&fbvault::cli::Cli::command(), Vec::new(), &mut out);
    out
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let env = Env::new();
    let mut missing = Vec::new();
    for words in commands() {
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.run(&args).stdout;
        if !help.contains("Example") {
            missing.push(words.join(" "));
        }
    }
    assert!(missing.is_empty(), "no example in the help of: {missing:?}");
}

#[test]
fn help_and_usage_errors_match_their_snapshots() {
    let env = Env::new();
    let dir = root().join("tests/snapshots");
    let top = env.run(&["--help"]);
    snapshot(&dir.join("help/fbvault.txt"), &top.stdout);
    for words in commands() {
        let name = words.join("-");
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.run(&args);
        assert_eq!(help.code, 0, "{name}: {}", help.stderr);
        snapshot(&dir.join(format!("help/{name}.txt")), &help.stdout);
        // A flag nobody has: a usage error in fbvault's shape, exit 2.
        args.pop();
        args.push("--no-such-flag");
        let usage = env.run(&args);
        if !usage.stderr.contains("unexpected argument") {
            // A command with subcommands reports them instead.
            assert_eq!(usage.code, 2, "{name}: {}", usage.stderr);
        }
        assert_eq!(usage.code, 2, "{name}: {}", usage.stderr);
        assert!(usage.stderr.starts_with("fbvault: "), "{}", usage.stderr);
        snapshot(&dir.join(format!("usage/{name}.txt")), &usage.stderr);
    }
}

#[test]
fn man_pages_are_generated_from_the_command_definitions() {
    let dir = root().join("man");
    let mut pages = Vec::new();
    fn render(cmd: clap::Command, name: String, pages: &mut Vec<(String, Vec<u8>)>) {
        let mut text = Vec::new();
        let title: &'static str = Box::leak(name.clone().into_boxed_str());
        clap_mangen::Man::new(cmd.clone().name(title))
            .render(&mut text)
            .unwrap();
        pages.push((format!("{name}.1"), text));
        let real = |s: &&clap::Command| !s.is_hide_set() && s.get_name() != "help";
        for sub in cmd.get_subcommands().filter(real) {
            render(sub.clone(), format!("{name}-{}", sub.get_name()), pages);
        }
    }
    let mut cmd = fbvault::cli::Cli::command();
    cmd.build();
    render(cmd, "fbvault".into(), &mut pages);
    assert!(pages.len() > 25, "a page per command");
    for (file, text) in &pages {
        snapshot(&dir.join(file), &String::from_utf8(text.clone()).unwrap());
    }
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        pages.len(),
        "man/ holds a page for a command that is gone"
    );
}

#[test]
fn version_names_the_formats() {
    let out = Env::new().run(&["--version"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("vault format 1")
            && out.stdout.contains("profile format 1")
            && out.stdout.contains("plugin protocol 1"),
        "{}",
        out.stdout
    );
    let json = Env::new().ok(&["--json", "--version"]).json();
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["vault_format"], 1);
    assert_eq!(json["profile_format"], 1);
    assert_eq!(json["plugin_protocol"], 1);
}
