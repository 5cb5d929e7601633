//! `schemas/`: generated from the Rust types, committed, and checked here. A test fails when
//! a committed schema differs from the types (`UPDATE_SCHEMAS=1 cargo test schemas`
//! rewrites them), and real files validate while broken ones do not.

use std::path::PathBuf;

use fbvault::vault::{Profile, VaultInfo};
use fbvault_provider::protocol::{PluginRequest, PluginResponse};
use serde_json::{Value, json};

use crate::common::Env;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

fn committed(name: &str, generated: schemars::Schema) -> Value {
    let text = format!("{}\n", serde_json::to_string_pretty(&generated).unwrap());
    let path = schema_dir().join(name);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::create_dir_all(schema_dir()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "schemas/{name} differs from the Rust types: run `UPDATE_SCHEMAS=1 cargo test --test cli schemas` and commit the result"
    );
    serde_json::from_str(&on_disk).unwrap()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema).expect("a valid JSON Schema")
}

#[test]
fn profile_schema_matches_the_types_and_real_profiles() {
    let schema = committed("profile.schema.json", schemars::schema_for!(Profile));
    let v = validator(&schema);
    let env = Env::with_profile();
    let id = fbvault::vault::Identity::load(&env.identity(), &|_| None).unwrap();
    let plain = id
        .decrypt(&std::fs::read(env.profile_file("acme")).unwrap(), "acme")
        .unwrap();
    let real: Value = serde_json::from_slice(&plain).unwrap();
    assert!(
        v.is_valid(&real),
        "{:?}",
        v.iter_errors(&real)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    assert!(!real["tokens"].as_array().unwrap().is_empty());

    let mut no_mac = real.clone();
    no_mac.as_object_mut().unwrap().remove("mac");
    assert!(!v.is_valid(&no_mac));
    let mut extra = real.clone();
    extra["surprise"] = json!(1);
    assert!(!v.is_valid(&extra));
    let mut bad_kind = real.clone();
    bad_kind["tokens"][0]["kind"] = json!("wizard");
    assert!(!v.is_valid(&bad_kind));
    let mut bad_time = real.clone();
    bad_time["tokens"][0]["expires_at"] = json!(12);
    assert!(!v.is_valid(&bad_time));
    // A profile written before `inject_app_secret` became `inject_secrets` (fbvault still
    // reads it) is described too.
    let mut older = real;
    let on = older
        .as_object_mut()
        .unwrap()
        .remove("inject_secrets")
        .unwrap();
    older["inject_app_secret"] = on;
    assert!(v.is_valid(&older), "{older}");
    older["inject_app_secret"] = json!("yes");
    assert!(!v.is_valid(&older));
}

#[test]
fn vault_schema_matches_the_types_and_a_real_vault_json() {
    let schema = committed("vault.schema.json", schemars::schema_for!(VaultInfo));
    let v = validator(&schema);
    let env = Env::with_vault();
    let real: Value =
        serde_json::from_slice(&std::fs::read(env.vault().join("vault.json")).unwrap()).unwrap();
    assert!(v.is_valid(&real));
    assert!(!v.is_valid(&json!({"format": 1})));
    assert!(!v.is_valid(&json!({"format": 1, "recipients": [{"name": "no key"}]})));
}

#[test]
fn plugin_protocol_schemas_match_the_types_and_examples() {
    let req = validator(&committed(
        "plugin-request.schema.json",
        schemars::schema_for!(PluginRequest),
    ));
    let res = validator(&committed(
        "plugin-response.schema.json",
        schemars::schema_for!(PluginResponse),
    ));
    let good_req = json!({
        "protocol": 1, "method": "refresh",
        "profile": {"name": "ig", "config": {"app_id": "1"}, "secrets": {"app_secret": "s"}, "tokens": [
            {"name": "user", "kind": "user", "value": "t", "expires_at": "2027-01-01T00:00:00Z"}
        ]},
        "input": {"force": true}, "now": "2026-11-26T00:00:00Z"
    });
    assert!(req.is_valid(&good_req));
    assert!(!req.is_valid(&json!({"protocol": 1, "method": "steal", "profile": {"name": "x"}, "now": "2026-11-26T00:00:00Z"})));
    for good in [
        json!({"protocol": 1, "ok": true, "result": {"tokens": [{"name": "t", "value": "v", "expires_at": null, "env": "IG_TOKEN"}]}}),
        json!({"protocol": 1, "ok": false, "error": {"kind": "invalid_grant", "message": "expired"}}),
        json!({"protocol": 1, "ok": true, "result": {"name": "ig", "version": "1.0", "capabilities": ["login", "refresh"], "fields": [], "env": {"t": "IG_TOKEN"}}}),
    ] {
        assert!(res.is_valid(&good), "{good}");
        let parsed: PluginResponse = serde_json::from_value(good).unwrap();
        let _ = parsed;
    }
    for bad in [
        json!({"protocol": 1, "ok": true, "error": {"kind": "internal", "message": "x"}}),
        json!({"protocol": 1, "ok": false, "error": {"kind": "oops", "message": "x"}}),
        json!({"protocol": 1, "ok": true, "result": {"tokens": [{"value": "v"}]}}),
    ] {
        assert!(!res.is_valid(&bad), "{bad}");
        assert!(
            serde_json::from_value::<PluginResponse>(bad).is_err(),
            "types and schema agree"
        );
    }
}

fn assert_valid(v: &jsonschema::Validator, value: &Value) {
    assert!(
        v.is_valid(value),
        "{value}: {:?}",
        v.iter_errors(value)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn list_and_status_schemas_match_the_types_and_real_output() {
    let schema = committed(
        "status.schema.json",
        schemars::schema_for!(Vec<fbvault::status::Row>),
    );
    // `list` prints the same rows (one per profile).
    committed(
        "list.schema.json",
        schemars::schema_for!(Vec<fbvault::status::Row>),
    );
    let v = validator(&schema);
    let env = Env::with_profile();
    env.add_with("empty", "1", "s3cret-value", None, &[]);
    for cmd in [&["list", "--json"][..], &["status", "--json"]] {
        let out = env.run(cmd);
        let json = out.json();
        assert!(json.as_array().unwrap().len() >= 2, "{}", out.stdout);
        assert_valid(&v, &json);
        assert!(
            json.as_array()
                .unwrap()
                .iter()
                .any(|r| r["state"] == "missing"),
            "a profile without a token is `missing`: {json}"
        );
    }
    assert!(!v.is_valid(&json!([{"profile": "x"}])));
    assert!(!v.is_valid(&json!([{"profile": "x", "provider": "p", "state": "fine"}])));
}

#[test]
fn the_error_schema_matches_the_type_and_real_errors() {
    let schema = committed(
        "error.schema.json",
        schemars::schema_for!(fbvault::cli::error::ErrorReport),
    );
    let v = validator(&schema);
    let env = Env::with_profile();
    for args in [
        &["--json", "show", "nope"][..],
        &["--json", "bogus-command"],
        &["--json", "run", "-p", "acme", "--", "/does/not/exist"],
    ] {
        let out = env.run(args);
        assert_ne!(out.code, 0);
        let err: Value = serde_json::from_str(out.stderr.trim())
            .unwrap_or_else(|e| panic!("{args:?}: stderr is not JSON ({e}): {}", out.stderr));
        assert_valid(&v, &err);
        assert_eq!(err["error"]["code"], out.code);
        assert!(out.stdout.is_empty());
    }
    assert!(!v.is_valid(&json!({"error": {"message": "x"}})));
}

#[test]
fn the_done_schema_matches_the_type_and_a_real_report() {
    let schema = committed(
        "done.schema.json",
        schemars::schema_for!(fbvault::cli::ui::Done),
    );
    let v = validator(&schema);
    let env = Env::with_profile();
    let out = env.run(&["--json", "refresh", "acme"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let done = out.json();
    assert_valid(&v, &done);
    assert_eq!(done["command"], "refresh");
    assert!(!v.is_valid(&json!({"ok": true})));
}
