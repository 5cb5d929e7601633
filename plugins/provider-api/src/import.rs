//! [`ImportNames`]: where `fbvault import FILE NAME` finds a provider's fields and tokens in
//! a `.env` file written for a script that predates fbvault. The default follows the
//! declared fields (`app_id` is `APP_ID`) and the names such scripts use for tokens
//! (`SHORT_TOKEN`, exchanged; `LONG_TOKEN`, kept); a provider adds the names its own
//! ecosystem uses.

use crate::Description;

/// The `.env` names of a provider's fields and tokens, each list best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNames {
    /// For each field read from the file: its name and the variables that may hold it.
    pub fields: Vec<(String, Vec<String>)>,
    /// Variables that may hold a token to keep (long-lived).
    pub long: Vec<String>,
    /// Variables that may hold a token to exchange (short-lived).
    pub short: Vec<String>,
}

impl ImportNames {
    /// The default: every declared field under its name upper-cased, `LONG_TOKEN` and
    /// `SHORT_TOKEN`.
    pub fn of(described: &Description) -> ImportNames {
        ImportNames {
            fields: described
                .fields
                .iter()
                .map(|f| (f.name.clone(), vec![f.variable()]))
                .collect(),
            long: vec!["LONG_TOKEN".into()],
            short: vec!["SHORT_TOKEN".into()],
        }
    }

    /// From lists written out: `fields` as (field, variables).
    pub fn new(fields: &[(&str, &[&str])], long: &[&str], short: &[&str]) -> ImportNames {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ImportNames {
            fields: fields
                .iter()
                .map(|(f, names)| (f.to_string(), strings(names)))
                .collect(),
            long: strings(long),
            short: strings(short),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldSpec;

    #[test]
    fn the_default_follows_the_declared_fields() {
        let described = Description {
            name: "x".into(),
            version: "1".into(),
            capabilities: vec![],
            fields: vec![FieldSpec {
                name: "client_id".into(),
                secret: false,
                required: true,
                description: "d".into(),
            }],
            env: Default::default(),
            variables: vec![],
            login: Default::default(),
        };
        let names = ImportNames::of(&described);
        assert_eq!(
            names.fields,
            vec![("client_id".to_string(), vec!["CLIENT_ID".to_string()])]
        );
        assert_eq!(names.long, ["LONG_TOKEN"]);
        assert_eq!(names.short, ["SHORT_TOKEN"]);
    }
}
