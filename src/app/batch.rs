//! Working on many profiles (`refresh --all`, `inspect --all`): a few at a time, results
//! in name order, and no more calls once the provider cannot be reached or is throttling.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::AppError;
use super::refresh::Failure;
use crate::vault::ProfileName;

/// Profiles worked on at once: a few, so that 100 profiles take seconds against a slow
/// issuer, without looking like a flood to its rate limits (a provider also slows down
/// when the issuer says the app is near one).
pub const AT_ONCE: usize = 4;

/// Runs `work` on every name, [`AT_ONCE`] at a time, and returns the results in the
/// order of `names`. After a failure to reach the provider (unreachable, throttled), the
/// names not yet started are not worked on: they get [`AppError::Skipped`], because every
/// call made while throttled extends the block.
pub fn each<T: Send>(
    names: &[ProfileName],
    work: impl Fn(&ProfileName) -> Result<T, AppError> + Sync,
) -> Vec<Result<T, AppError>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Result<T, AppError>>>> =
        names.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE.min(names.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    let result = if stop.load(Ordering::SeqCst) {
                        Err(AppError::Skipped {
                            profile: name.to_string(),
                        })
                    } else {
                        work(name)
                    };
                    if result
                        .as_ref()
                        .is_err_and(|e| e.failure() == Some(Failure::Unreachable))
                    {
                        stop.store(true, Ordering::SeqCst);
                    }
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every name was worked on")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fbvault_provider::{ErrorKind, ProviderError};

    fn names(n: usize) -> Vec<ProfileName> {
        (0..n)
            .map(|i| format!("p{i:02}").parse().unwrap())
            .collect()
    }

    #[test]
    fn results_come_back_in_name_order() {
        let names = names(10);
        let got = each(&names, |n| Ok(n.to_string()));
        let got: Vec<String> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    }

    /// `each` over `n` profiles whose provider fails with `kind` every time: the results
    /// and how many calls were made.
    fn all_failing(n: usize, kind: ErrorKind) -> (Vec<Result<(), AppError>>, usize) {
        let calls = AtomicUsize::new(0);
        let got = each(&names(n), |name| {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(AppError::provider(
                ProviderError::new(kind, "refused"),
                name.as_str(),
            ))
        });
        (got, calls.load(Ordering::SeqCst))
    }

    #[test]
    fn once_the_provider_is_unreachable_the_rest_are_skipped() {
        let (got, calls) = all_failing(20, ErrorKind::RateLimited);
        // The workers already running finish their call; nobody starts another.
        assert!(calls <= AT_ONCE);
        let skipped = got
            .iter()
            .filter(|r| matches!(r, Err(AppError::Skipped { .. })))
            .count();
        assert_eq!(skipped, 20 - calls);
    }

    #[test]
    fn another_failure_does_not_stop_the_others() {
        let (got, calls) = all_failing(9, ErrorKind::InvalidGrant);
        assert_eq!(calls, 9);
        assert!(
            got.iter()
                .all(|r| matches!(r, Err(AppError::Provider { .. })))
        );
    }
}
