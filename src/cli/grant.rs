//! Where secrets come from when a user gives them: standard input (`--app-secret-stdin`,
//! `--token-stdin`: one per line, secret first), the environment (`--from-env`: `APP_ID`,
//! `APP_SECRET`, `SHORT_TOKEN`), or a no-echo prompt on the terminal. Never the command
//! line.

use fbvault_provider::Secret;

use super::{CliError, prompt};

/// What the user said about sources.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources {
    /// Read `APP_ID`, `APP_SECRET`, `SHORT_TOKEN` from the environment.
    pub from_env: bool,
    /// The app secret is on stdin.
    pub secret_stdin: bool,
    /// The token is on stdin.
    pub token_stdin: bool,
}

/// The secrets gathered.
#[derive(Debug, Default)]
pub struct Given {
    /// The app secret.
    pub app_secret: Option<Secret>,
    /// The token.
    pub token: Option<Secret>,
}

/// Reads what stdin holds according to `sources`.
pub fn from_stdin(sources: Sources) -> Result<Given, CliError> {
    let mut wanted = Vec::new();
    if sources.secret_stdin {
        wanted.push("the app secret");
    }
    if sources.token_stdin {
        wanted.push("the token");
    }
    if wanted.is_empty() {
        return Ok(Given::default());
    }
    let mut values = prompt::stdin_secrets(wanted.len(), &wanted)
        .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?
        .into_iter();
    Ok(Given {
        app_secret: if sources.secret_stdin {
            values.next()
        } else {
            None
        },
        token: if sources.token_stdin {
            values.next()
        } else {
            None
        },
    })
}

/// The token: stdin, else `SHORT_TOKEN` with `--from-env`, else a prompt on a terminal
/// (empty answer = none) when `ask` is set.
pub fn token(sources: Sources, from_stdin: Option<Secret>, ask: Option<&str>) -> Option<Secret> {
    from_stdin
        .or_else(|| {
            sources
                .from_env
                .then(|| crate::config::env_secret("SHORT_TOKEN"))
                .flatten()
        })
        .or_else(|| {
            let question = ask?;
            if !prompt::interactive() {
                return None;
            }
            prompt::secret(question).filter(|s| !s.is_empty())
        })
}
