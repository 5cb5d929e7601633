//! Three-way merge of two versions of a profile (the git merge driver, `fbvault resolve`).
//!
//! For each token, the side whose token was issued later (then: expires later, then was
//! obtained later) wins: two members who each refreshed or logged in hold two valid tokens,
//! and the newer one is the one to keep. Every other field merges three-way against the
//! common ancestor: a field changed on one side takes that side; changed differently on
//! both sides is a conflict, reported by its path (never its value). `updated_at` takes the
//! later time and `revision` the higher count (the write that stores the result counts
//! one more). Each side must carry a valid seal under a team key this checkout knows, so a
//! merge never launders a file someone without the team key wrote.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::error::{Result, VaultError};
use super::name::ProfileName;
use super::profile::Profile;
use fbvault_provider::Secret;

/// The outcome of a merge.
#[derive(Debug)]
pub struct Merged {
    /// The merged, unsealed profile.
    pub profile: Profile,
    /// For each token both sides hold with different values: its name and the side kept.
    pub kept: Vec<(String, Side)>,
}

/// A side of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The current branch's version.
    Ours,
    /// The version being merged in.
    Theirs,
}

impl Side {
    /// `ours` or `theirs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        }
    }
}

/// Why two versions of a vault file could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A side could not be read or verified.
    #[error("{side} side: {source}", side = .0.as_str(), source = .1)]
    Side(Side, VaultError),
    /// Fields changed differently on both sides.
    #[error("changed differently on both sides: {}", .0.join(", "))]
    Conflicts(Vec<String>),
}

/// Fields changed differently on both sides.
#[derive(Debug)]
pub struct Conflicts(pub Vec<String>);

/// Opens a decrypted profile with the first of `keys` whose seal it carries.
pub fn open_with_any(name: &ProfileName, plaintext: &[u8], keys: &[Secret]) -> Result<Profile> {
    let mut last = VaultError::Tampered {
        what: format!("profile `{name}`"),
    };
    for key in keys {
        match Profile::open(name, plaintext, key) {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Merges `ours` and `theirs` against their common ancestor `base` (none when the
/// profile was added on both sides).
pub fn merge(
    name: &ProfileName,
    base: Option<&Profile>,
    ours: &Profile,
    theirs: &Profile,
) -> std::result::Result<Merged, Conflicts> {
    let (o, t) = (ours.body(), theirs.body());
    let b = base.map(Profile::body);
    let mut conflicts = Vec::new();
    let mut kept = Vec::new();
    let mut out = Map::new();
    for key in keys_of(&[b.as_ref(), Some(&o), Some(&t)]) {
        let (bv, ov, tv) = (
            field(b.as_ref(), &key),
            field(Some(&o), &key),
            field(Some(&t), &key),
        );
        let merged = match key.as_str() {
            "tokens" => Some(merge_tokens(bv, ov, tv, &mut kept)),
            "updated_at" => later(ov, tv),
            "revision" => Some(Value::from(
                ov.and_then(Value::as_u64)
                    .unwrap_or(0)
                    .max(tv.and_then(Value::as_u64).unwrap_or(0)),
            )),
            _ => three_way(&key, bv, ov, tv, &mut conflicts),
        };
        if let Some(v) = merged {
            out.insert(key, v);
        }
    }
    if !conflicts.is_empty() {
        return Err(Conflicts(conflicts));
    }
    let profile = Profile::from_body(name, Value::Object(out))
        .map_err(|e| Conflicts(vec![format!("the merged profile is not valid: {e}")]))?;
    Ok(Merged { profile, kept })
}

fn keys_of(values: &[Option<&Value>]) -> Vec<String> {
    let mut keys: Vec<String> = values
        .iter()
        .flatten()
        .filter_map(|v| v.as_object())
        .flat_map(|m| m.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

/// The three-way merge of one value; objects merge key by key.
fn three_way(
    path: &str,
    b: Option<&Value>,
    o: Option<&Value>,
    t: Option<&Value>,
    conflicts: &mut Vec<String>,
) -> Option<Value> {
    if o == t {
        return o.cloned();
    }
    if b == o {
        return t.cloned();
    }
    if b == t {
        return o.cloned();
    }
    if let (Some(Value::Object(_)), Some(Value::Object(_))) = (o, t) {
        let mut out = Map::new();
        for key in keys_of(&[b, o, t]) {
            let sub = format!("{path}.{key}");
            if let Some(v) = three_way(
                &sub,
                field(b, &key),
                field(o, &key),
                field(t, &key),
                conflicts,
            ) {
                out.insert(key, v);
            }
        }
        return Some(Value::Object(out));
    }
    conflicts.push(path.to_string());
    o.cloned()
}

fn time(v: Option<&Value>, key: &str) -> Option<DateTime<Utc>> {
    v?.get(key)?.as_str()?.parse().ok()
}

fn later(o: Option<&Value>, t: Option<&Value>) -> Option<Value> {
    let parse = |v: Option<&Value>| v.and_then(|v| v.as_str()?.parse::<DateTime<Utc>>().ok());
    match (parse(o), parse(t)) {
        (Some(a), Some(b)) if b > a => t.cloned(),
        _ => o.or(t).cloned(),
    }
}

/// Orders two versions of a token: issued, then expiry (never beats any date), then
/// obtained.
fn newer_side(o: &Value, t: &Value) -> Side {
    let issued = |v: &Value| time(Some(v), "issued_at").or_else(|| time(Some(v), "obtained_at"));
    let expiry = |v: &Value| match v.get("expires_at") {
        Some(Value::Null) | None => Some(DateTime::<Utc>::MAX_UTC),
        Some(_) => time(Some(v), "expires_at"),
    };
    let rank = |v: &Value| (issued(v), expiry(v), time(Some(v), "obtained_at"));
    if rank(t) > rank(o) {
        Side::Theirs
    } else {
        Side::Ours
    }
}

fn by_name(v: Option<&Value>) -> Vec<(String, Value)> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| Some((t.get("name")?.as_str()?.to_string(), t.clone())))
                .collect()
        })
        .unwrap_or_default()
}

fn merge_tokens(
    b: Option<&Value>,
    o: Option<&Value>,
    t: Option<&Value>,
    kept: &mut Vec<(String, Side)>,
) -> Value {
    let (base, ours, theirs) = (by_name(b), by_name(o), by_name(t));
    let find = |list: &[(String, Value)], name: &str| {
        list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    };
    let mut names: Vec<String> = ours.iter().map(|(n, _)| n.clone()).collect();
    names.extend(
        theirs
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| find(&ours, n).is_none()),
    );
    let mut out = Vec::new();
    for name in names {
        let (bt, ot, tt) = (find(&base, &name), find(&ours, &name), find(&theirs, &name));
        let chosen = match (ot, tt) {
            (Some(o), Some(t)) if o == t => Some(o),
            (Some(o), Some(t)) => {
                let side = newer_side(&o, &t);
                kept.push((name.clone(), side));
                Some(if side == Side::Theirs { t } else { o })
            }
            // Removed on one side: gone, unless the other side changed it since.
            (Some(o), None) => (bt.as_ref() != Some(&o)).then_some(o),
            (None, Some(t)) => (bt.as_ref() != Some(&t)).then_some(t),
            (None, None) => None,
        };
        out.extend(chosen);
    }
    Value::Array(out)
}

impl super::Vault {
    /// The team keys a side of a merge may be sealed with: the current team's, its
    /// history, and those of the `team.age` committed at `HEAD` (this branch's, which this
    /// machine opened before a teammate's rotation came in).
    pub fn merge_keys(&self, identity: &super::Identity, team: &super::Team) -> Vec<Secret> {
        let mut keys = team_keys(team);
        if let Some(bytes) = crate::git::show(self.root(), "HEAD", super::TEAM_FILE)
            && let Ok(head) = self.team_from_bytes(identity, &bytes)
        {
            keys.extend(team_keys(&head));
        }
        keys
    }

    /// Merges three encrypted versions of profile `name` (`base` empty when there is no
    /// common ancestor) and returns the result sealed under `team` and encrypted to its
    /// recipients, with what was kept.
    pub fn merge_profile_files(
        &self,
        identity: &super::Identity,
        team: &super::Team,
        keys: &[Secret],
        name: &ProfileName,
        [base, ours, theirs]: [&[u8]; 3],
    ) -> std::result::Result<(Vec<u8>, Merged), MergeError> {
        let open = |bytes: &[u8], side: Side| -> std::result::Result<Profile, MergeError> {
            if super::has_conflict_markers(bytes) {
                return Err(MergeError::Side(
                    side,
                    VaultError::Conflict {
                        file: format!("profiles/{name}.age"),
                        profile: Some(name.to_string()),
                    },
                ));
            }
            let plain = identity
                .decrypt(bytes, &format!("profile `{name}`"))
                .map_err(|e| MergeError::Side(side, e))?;
            open_with_any(name, &plain, keys).map_err(|e| MergeError::Side(side, e))
        };
        let base = if base.is_empty() {
            None
        } else {
            open(base, Side::Ours).ok()
        };
        let (ours, theirs) = (open(ours, Side::Ours)?, open(theirs, Side::Theirs)?);
        let mut merged =
            merge(name, base.as_ref(), &ours, &theirs).map_err(|c| MergeError::Conflicts(c.0))?;
        let sealed = self
            .seal_profile_next(team, &mut merged.profile)
            .map_err(|e| MergeError::Side(Side::Ours, e))?;
        Ok((sealed, merged))
    }
}

fn team_keys(team: &super::Team) -> Vec<Secret> {
    std::iter::once(team.team_key.clone())
        .chain(team.previous_keys.iter().map(|k| k.key.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fbvault_provider::{Token, TokenKind};

    fn token(value: &str, issued_day: u32) -> Token {
        let at = |d: u32| format!("2026-11-{d:02}T00:00:00Z").parse().unwrap();
        Token {
            name: "user".into(),
            kind: TokenKind::User,
            value: Secret::new(value),
            expires_at: Some(at(issued_day + 10)),
            data_access_expires_at: None,
            issued_at: Some(at(issued_day)),
            obtained_at: Some(at(issued_day)),
            scopes: vec![],
            subject: None,
            label: None,
            tasks: vec![],
            env: None,
            invalid: None,
        }
    }

    fn profile(token_value: &str, day: u32) -> Profile {
        let name: ProfileName = "acme".parse().unwrap();
        let mut p = Profile::new(&name, "facebook", "2026-11-01T00:00:00Z".parse().unwrap());
        p.config.insert("app_id".into(), "1".into());
        p.tokens.push(token(token_value, day));
        p
    }

    #[test]
    fn the_later_token_wins_and_one_sided_changes_are_kept() {
        let name: ProfileName = "acme".parse().unwrap();
        let base = profile("EAAbase", 1);
        let mut ours = profile("EAAours", 5);
        ours.config.insert("graph_version".into(), "v27.0".into());
        let mut theirs = profile("EAAtheirs", 7);
        theirs
            .config
            .insert("refresh_window_days".into(), "10".into());
        let m = merge(&name, Some(&base), &ours, &theirs).unwrap();
        assert_eq!(m.profile.tokens[0].value.expose(), "EAAtheirs");
        assert_eq!(m.kept, vec![("user".to_string(), Side::Theirs)]);
        assert_eq!(m.profile.config["graph_version"], "v27.0");
        assert_eq!(m.profile.config["refresh_window_days"], "10");
        let m = merge(&name, Some(&base), &theirs, &ours).unwrap();
        assert_eq!(m.profile.tokens[0].value.expose(), "EAAtheirs");
    }

    #[test]
    fn a_field_changed_differently_on_both_sides_is_a_conflict_named_by_path() {
        let name: ProfileName = "acme".parse().unwrap();
        let base = profile("EAAbase", 1);
        let mut ours = profile("EAAbase", 1);
        ours.config.insert("app_id".into(), "2".into());
        let mut theirs = profile("EAAbase", 1);
        theirs.config.insert("app_id".into(), "3".into());
        let err = merge(&name, Some(&base), &ours, &theirs).unwrap_err();
        assert_eq!(err.0, vec!["config.app_id".to_string()]);
    }
}
