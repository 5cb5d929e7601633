//! A one-line progress indicator on stderr for network calls and plugins that take more
//! than a second, so that `add`, `login` and `refresh --all` never look hung. Only on a
//! terminal, never with `--quiet`; the line is erased when the work ends. Concurrent work
//! (`refresh --all`) shares the one line.

use std::io::{IsTerminal, Write};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long work runs before the line appears.
const DELAY: Duration = Duration::from_secs(1);

struct State {
    active: Vec<(u64, String, Instant)>,
    next_id: u64,
    shown: bool,
}

fn shared() -> &'static (Mutex<State>, Condvar) {
    static SHARED: OnceLock<(Mutex<State>, Condvar)> = OnceLock::new();
    SHARED.get_or_init(|| {
        std::thread::spawn(painter);
        (
            Mutex::new(State {
                active: Vec::new(),
                next_id: 0,
                shown: false,
            }),
            Condvar::new(),
        )
    })
}

/// Work in progress; the line goes away when it is dropped.
#[must_use]
pub struct Progress(Option<u64>);

/// Starts showing `message` (for example `refreshing acme`) if the work lasts a second.
pub fn start(ui: &super::Ui, message: impl Into<String>) -> Progress {
    if ui.is_quiet() || !std::io::stderr().is_terminal() {
        return Progress(None);
    }
    let (lock, cv) = shared();
    let mut state = lock.lock().expect("progress");
    let id = state.next_id;
    state.next_id += 1;
    state.active.push((
        id,
        super::sanitize::escape(&message.into()).into_owned(),
        Instant::now(),
    ));
    cv.notify_all();
    Progress(Some(id))
}

impl Drop for Progress {
    fn drop(&mut self) {
        let Some(id) = self.0 else { return };
        let (lock, cv) = shared();
        let mut state = lock.lock().expect("progress");
        state.active.retain(|(i, _, _)| *i != id);
        if state.active.is_empty() && state.shown {
            clear();
            state.shown = false;
        }
        cv.notify_all();
    }
}

fn clear() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}

/// The thread that draws the line: a spinner, the oldest message, and how long it runs.
fn painter() {
    const SPIN: [char; 4] = ['|', '/', '-', '\\'];
    let (lock, cv) = shared();
    let mut tick = 0usize;
    let mut state = lock.lock().expect("progress");
    loop {
        let due = state
            .active
            .iter()
            .filter(|(_, _, at)| at.elapsed() >= DELAY)
            .min_by_key(|(_, _, at)| *at)
            .cloned();
        match due {
            Some((_, message, at)) => {
                let more = state.active.len() - 1;
                let more = if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                };
                {
                    // Released before waiting: the main thread writes to stderr too.
                    let mut err = std::io::stderr().lock();
                    let _ = write!(
                        err,
                        "\r\x1b[2K{} {message}{more}… {}s",
                        SPIN[tick % SPIN.len()],
                        at.elapsed().as_secs()
                    );
                    let _ = err.flush();
                }
                state.shown = true;
                tick += 1;
                state = cv
                    .wait_timeout(state, Duration::from_millis(200))
                    .expect("progress")
                    .0;
            }
            None if state.active.is_empty() => state = cv.wait(state).expect("progress"),
            None => {
                state = cv
                    .wait_timeout(state, Duration::from_millis(100))
                    .expect("progress")
                    .0;
            }
        }
    }
}
