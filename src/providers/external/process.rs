//! Running one plugin process within a time limit: its own process group, fbvault's key
//! pointers removed from its environment ([`SCRUBBED`]), the request written on stdin, its
//! stdout and stderr read in chunks up to [`MAX_ANSWER`] each. At the deadline the whole
//! group is killed and no read waits any longer, even when a grandchild still holds stdout
//! open.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Variables a plugin never sees: the identity file, the key itself, and the team pin.
pub const SCRUBBED: &[&str] = &[
    "FBVAULT_IDENTITY",
    "FBVAULT_KEY",
    "FBVAULT_TEAM_FINGERPRINT",
];

/// The most fbvault reads of a plugin's stdout, and of its stderr: 1 MiB.
pub const MAX_ANSWER: usize = 1 << 20;

/// What a plugin run gave: its exit status, its stdout (and whether it was over the cap),
/// its stderr.
pub struct Finished {
    /// How it exited.
    pub status: ExitStatus,
    /// Its stdout, and whether there was more than [`MAX_ANSWER`].
    pub out: (Vec<u8>, bool),
    /// Its stderr (at most [`MAX_ANSWER`]).
    pub err: Vec<u8>,
}

/// Why a plugin run gave nothing.
pub enum Failed {
    /// It could not be started.
    Start(std::io::Error),
    /// Waiting for it failed.
    Wait(std::io::Error),
    /// It ran over the time limit (its process group is killed).
    TimedOut,
}

/// Starts `program arg` in its own process group, feeds it `body`, and collects its exit
/// status and output within `timeout`.
pub fn run(
    program: &Path,
    arg: &str,
    body: zeroize::Zeroizing<Vec<u8>>,
    timeout: Duration,
) -> Result<Finished, Failed> {
    use std::os::unix::process::CommandExt;
    let deadline = Instant::now() + timeout;
    let mut command = Command::new(program);
    for name in SCRUBBED {
        command.env_remove(name);
    }
    let mut child = command
        .arg(arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(Failed::Start)?;
    let group = rustix::process::Pid::from_child(&child);
    let mut stdin = child.stdin.take().expect("piped");
    std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    std::thread::spawn(move || out_tx.send(read_capped(stdout, MAX_ANSWER)));
    std::thread::spawn(move || err_tx.send(read_capped(stderr, MAX_ANSWER).0));
    let timed_out = || {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        Failed::TimedOut
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let e = timed_out();
                let _ = child.wait();
                return Err(e);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failed::Wait(e)),
        }
    };
    let left = || deadline.saturating_duration_since(Instant::now());
    let Ok(out) = out_rx.recv_timeout(left()) else {
        return Err(timed_out());
    };
    let Ok(err) = err_rx.recv_timeout(left()) else {
        return Err(timed_out());
    };
    Ok(Finished { status, out, err })
}

/// Reads `from` in chunks until EOF or until more than `cap` bytes arrived; returns what
/// was read (at most `cap` bytes) and whether there was more. Stopping early closes the
/// pipe, so a plugin that keeps writing gets EPIPE instead of filling memory.
fn read_capped(mut from: impl Read, cap: usize) -> (Vec<u8>, bool) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        match from.read(&mut chunk) {
            Ok(0) => return (buf, false),
            Ok(n) if buf.len() + n > cap => {
                buf.extend_from_slice(&chunk[..cap - buf.len()]);
                return (buf, true);
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return (buf, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap_and_says_when_there_was_more() {
        let data = vec![7u8; 40 << 10];
        assert_eq!(read_capped(&data[..], 1 << 20), (data.clone(), false));
        let (got, more) = read_capped(&data[..], 20_000);
        assert_eq!((got.len(), more), (20_000, true));
        assert_eq!(read_capped(&data[..], data.len()), (data, false));
    }
}
