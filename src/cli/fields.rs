//! A provider's declared fields, filled for `add`: `--field NAME=VALUE` for a non-secret
//! field, the variable `NAME` upper-cased with `--from-env` (`CLIENT_ID`, `REFRESH_TOKEN`),
//! or a no-echo prompt on a terminal for a required secret field. Secrets never come from
//! the command line. Fields already set by the named flags (`--app-id`, `--page`, …) are
//! left as they are.

use fbvault_provider::{Description, FieldSpec, Secret};

use super::{CliError, prompt};
use crate::vault::Profile;

/// A `--field NAME=VALUE` argument.
#[derive(Debug, Clone)]
pub struct FieldArg {
    /// The field.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl std::str::FromStr for FieldArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
        Ok(FieldArg {
            name: name.trim().to_string(),
            value: value.trim().to_string(),
        })
    }
}

/// Fills the declared fields that are still unset; `asked` are the fields whose named
/// flags already had their chance (no second prompt for them).
pub fn fill(
    profile: &mut Profile,
    described: &Description,
    given: &[FieldArg],
    from_env: bool,
    asked: &[&str],
) -> Result<(), CliError> {
    // The named flags (`--page`, `--graph-version`, …) map onto declared fields only.
    if !described.fields.is_empty() {
        let set = profile.config.keys().chain(profile.secrets.keys());
        if let Some(key) = set
            .into_iter()
            .find(|k| !described.fields.iter().any(|f| &f.name == *k))
        {
            return Err(CliError::usage(format!(
                "the {} provider has no field `{key}`",
                described.name
            ))
            .hint(format!("its fields: {}", names(&described.fields))));
        }
    }
    for arg in given {
        let Some(spec) = described.fields.iter().find(|f| f.name == arg.name) else {
            return Err(CliError::usage(format!(
                "the {} provider has no field `{}`",
                described.name, arg.name
            ))
            .hint(format!("its fields: {}", names(&described.fields))));
        };
        if spec.secret {
            return Err(CliError::usage(format!(
                "`{}` is secret: it does not go on the command line",
                arg.name
            ))
            .hint(format!(
                "put it in {} and pass --from-env, or answer the prompt",
                spec.variable()
            )));
        }
        profile.config.insert(arg.name.clone(), arg.value.clone());
    }
    for spec in &described.fields {
        let from_env = || {
            from_env
                .then(|| crate::config::env_secret(&spec.variable()))
                .flatten()
        };
        if spec.secret {
            if profile.secrets.contains_key(&spec.name) {
                continue;
            }
            let value = from_env().or_else(|| {
                (spec.required && !asked.contains(&spec.name.as_str()) && prompt::interactive())
                    .then(|| prompt::secret(&format!("{} ({}): ", spec.name, spec.description)))
                    .flatten()
            });
            if let Some(v) = value.filter(|v: &Secret| !v.is_empty()) {
                profile.secrets.insert(spec.name.clone(), v);
            }
        } else if !profile.config.contains_key(&spec.name)
            && let Some(v) = from_env()
        {
            profile
                .config
                .insert(spec.name.clone(), v.expose().to_string());
        }
    }
    Ok(())
}

fn names(fields: &[FieldSpec]) -> String {
    fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
