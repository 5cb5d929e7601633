//! `run --mask`: fbvault stays as the parent, copies the child's stdout and stderr with
//! every secret value replaced by `***` (also when a value arrives split across reads),
//! forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT that another process sent to fbvault (a terminal's
//! Ctrl-C already reaches the child, which shares the process group), and exits with the
//! child's status, or 128+N when it died of signal N. Output that cannot be written (a full
//! disk, `> /dev/full`) is exit 1 once the child is done; a closed pipe is not an error.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;

use super::{StartError, Var, command, start_error};

const MASK: &[u8] = b"***";

/// Replaces secret byte strings in a stream.
#[derive(Debug)]
pub struct Masker {
    secrets: Vec<Vec<u8>>,
    pending: Vec<u8>,
}

impl Masker {
    /// A masker for these values (values shorter than 4 bytes are not masked: they would
    /// censor ordinary text).
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Masker {
        let mut secrets: Vec<Vec<u8>> = values
            .into_iter()
            .filter(|v| v.len() >= 4)
            .map(|v| v.as_bytes().to_vec())
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Masker {
            secrets,
            pending: Vec::new(),
        }
    }

    /// Feeds a chunk; appends what can be released to `out`. Bytes that may be the start
    /// of a secret are held back until the next chunk decides.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(chunk);
        self.drain(out, false);
    }

    /// Releases everything still held.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.drain(out, true);
    }

    fn drain(&mut self, out: &mut Vec<u8>, at_end: bool) {
        let mut i = 0;
        let buf = &self.pending;
        while i < buf.len() {
            let rest = &buf[i..];
            if let Some(s) = self.secrets.iter().find(|s| rest.starts_with(s)) {
                out.extend_from_slice(MASK);
                i += s.len();
                continue;
            }
            if !at_end
                && self
                    .secrets
                    .iter()
                    .any(|s| s.len() > rest.len() && s.starts_with(rest))
            {
                break;
            }
            out.push(buf[i]);
            i += 1;
        }
        self.pending.drain(..i);
    }
}

/// Copies `from` to `to` through the masker. Returns the first error writing `to`, other
/// than a closed pipe (`| head`, which ends the copy quietly); after an error the child's
/// output is still drained, so the child is never blocked on a full pipe.
fn pump(mut from: impl Read, mut to: impl Write, mut masker: Masker) -> Option<io::Error> {
    let mut buf = [0u8; 8192];
    let mut out = Vec::with_capacity(8192);
    let mut failed: Option<io::Error> = None;
    let mut closed = false;
    let mut write = |bytes: &[u8], failed: &mut Option<io::Error>, closed: &mut bool| {
        if failed.is_some() || *closed {
            return;
        }
        match to.write_all(bytes).and_then(|()| to.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => *closed = true,
            Err(e) => *failed = Some(e),
        }
    };
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        out.clear();
        masker.feed(&buf[..n], &mut out);
        write(&out, &mut failed, &mut closed);
    }
    out.clear();
    masker.finish(&mut out);
    write(&out, &mut failed, &mut closed);
    failed
}

/// Runs the command with masked output and returns the exit code to use.
pub fn run(argv: &[OsString], vars: &[Var]) -> Result<u8, StartError> {
    let secrets: Vec<String> = vars
        .iter()
        .filter(|v| v.secret)
        .map(|v| v.value.expose().to_string())
        .collect();
    let masker = || Masker::new(secrets.iter().map(String::as_str));
    let mut signals =
        SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]).map_err(|e| {
            StartError {
                code: 126,
                message: format!("cannot watch signals: {e}"),
            }
        })?;
    let mut child = command(argv, vars)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| start_error(&argv[0], &e))?;
    let pid = rustix::process::Pid::from_child(&child);
    let handle = signals.handle();
    let forwarder = std::thread::spawn(move || {
        for origin in signals.forever() {
            // A signal from the kernel (the terminal's Ctrl-C) already reached the child.
            if matches!(origin.cause, Cause::Kernel) {
                continue;
            }
            if let Some(sig) = rustix::process::Signal::from_named_raw(origin.signal) {
                let _ = rustix::process::kill_process(pid, sig);
            }
        }
    });
    let out = child.stdout.take().expect("piped");
    let err = child.stderr.take().expect("piped");
    let (m1, m2) = (masker(), masker());
    let t_out = std::thread::spawn(move || pump(out, io::stdout(), m1));
    let t_err = std::thread::spawn(move || pump(err, io::stderr(), m2));
    let status = child.wait();
    let out_failed = t_out.join().ok().flatten();
    let err_failed = t_err.join().ok().flatten();
    handle.close();
    let _ = forwarder.join();
    let status = status.map_err(|e| StartError {
        code: 126,
        message: format!("lost the child: {e}"),
    })?;
    // Output that could not be written is an error, never a silent success.
    if let Some((which, e)) = out_failed
        .map(|e| ("standard output", e))
        .or(err_failed.map(|e| ("standard error", e)))
    {
        return Err(StartError {
            code: 1,
            message: format!("cannot write the command's {which}: {e}"),
        });
    }
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(sig)) => 128u8.saturating_add(sig as u8),
        _ => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_chunks(secrets: &[&str], chunks: &[&str]) -> String {
        let mut m = Masker::new(secrets.iter().copied());
        let mut out = Vec::new();
        for c in chunks {
            m.feed(c.as_bytes(), &mut out);
        }
        m.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks_whole_values() {
        assert_eq!(
            mask_chunks(&["EAABsecret"], &["token=EAABsecret;"]),
            "token=***;"
        );
    }

    #[test]
    fn masks_values_split_across_reads() {
        assert_eq!(
            mask_chunks(&["EAABsecret"], &["token=EA", "ABsec", "ret done"]),
            "token=*** done"
        );
        let split_everywhere: Vec<String> = "xEAABsecretx".chars().map(String::from).collect();
        let refs: Vec<&str> = split_everywhere.iter().map(String::as_str).collect();
        assert_eq!(mask_chunks(&["EAABsecret"], &refs), "x***x");
    }

    #[test]
    fn a_partial_prefix_at_the_end_is_released() {
        assert_eq!(
            mask_chunks(&["EAABsecret"], &["ends with EAAB"]),
            "ends with EAAB"
        );
    }

    #[test]
    fn longest_secret_wins_and_short_values_are_ignored() {
        assert_eq!(
            mask_chunks(&["abcd", "abcdefgh", "ab"], &["abcdefgh abcd ab"]),
            "*** *** ab"
        );
    }
}
