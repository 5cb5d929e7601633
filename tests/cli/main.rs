//! fbvault's black-box tests: each drives the built `fbvault` binary with `assert_cmd` in
//! a temporary HOME, against a Graph API sandbox started on 127.0.0.1 for the test.
//! One binary, one module per area.

mod common;

mod docs;
mod facebook;
mod facebook_errors;
mod facebook_graph_text;
mod facebook_lifecycle;
mod hardening;
mod hints;
mod login_device;
mod login_web;
mod long_lived;
mod manners;
mod plugins;
mod plugins_bridge;
mod plugins_example;
mod recipients;
mod run;
mod schemas;
mod team;
mod vault;
mod vault_attacks;
