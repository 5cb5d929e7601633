//! The loopback listener of a browser login: bound to `127.0.0.1` only, it answers
//! nothing but `GET /callback`, refuses a callback whose `state` is not this run's (a 400
//! page, and it keeps waiting), accepts exactly one that matches, and is gone (port
//! released) as soon as it returns, on an answer or at the deadline. Requests are read
//! with a short timeout and a size cap: one request line and headers, no body.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use fbvault_provider::Secret;

/// The most bytes read of one request (request line and headers).
const MAX_REQUEST: usize = 8 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

/// What went wrong while listening.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError {
    /// Another program holds the port.
    #[error("port {port} on 127.0.0.1 is in use")]
    InUse {
        /// The port.
        port: u16,
    },
    /// The port cannot be bound for another reason.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// No matching callback before the deadline.
    #[error("no answer from the browser")]
    TimedOut,
}

/// What the matching callback said.
pub enum Callback {
    /// The person approved: the authorization code.
    Code(Secret),
    /// The dialog came back with `error` (the person said no): `error`, `error_reason`.
    Denied(String, Option<String>),
}

/// A bound listener.
pub struct Listener {
    socket: TcpListener,
}

impl Listener {
    /// Binds `127.0.0.1:port`.
    pub fn bind(port: u16) -> Result<Listener, ListenError> {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                ListenError::InUse { port }
            } else {
                ListenError::Bind { port, source: e }
            }
        })?;
        socket
            .set_nonblocking(true)
            .map_err(|source| ListenError::Bind { port, source })?;
        Ok(Listener { socket })
    }

    /// Waits until `deadline` for the one callback carrying `state`; the listener is
    /// closed when this returns.
    pub fn wait(self, state: &Secret, deadline: Instant) -> Result<Callback, ListenError> {
        while Instant::now() < deadline {
            match self.socket.accept() {
                Ok((stream, _)) => {
                    if let Some(callback) = serve(stream, state) {
                        return Ok(callback);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        Err(ListenError::TimedOut)
    }
}

/// Reads one request and answers it; `Some` for the matching callback.
fn serve(mut stream: TcpStream, state: &Secret) -> Option<Callback> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let head = zeroize::Zeroizing::new(read_head(&mut stream)?);
    let line = head.lines().next().unwrap_or("");
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/callback" {
        respond(
            &mut stream,
            404,
            "Not found",
            "fbvault is waiting for its login callback only.",
        );
        return None;
    }
    if method != "GET" {
        respond(
            &mut stream,
            405,
            "Method not allowed",
            "Only GET /callback is answered.",
        );
        return None;
    }
    let mut given_state = None;
    let (mut code, mut error, mut reason) = (None, None, None);
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "state" => given_state = Some(Secret::new(v.into_owned())),
            "code" => code = Some(Secret::new(v.into_owned())),
            "error" => error = Some(v.into_owned()),
            "error_reason" => reason = Some(v.into_owned()),
            _ => {}
        }
    }
    // Secret's equality compares in constant time.
    if given_state.as_ref() != Some(state) {
        respond(
            &mut stream,
            400,
            "Wrong login",
            "This is not the login fbvault is waiting for (its state does not match). Use the link fbvault printed.",
        );
        return None;
    }
    if let Some(error) = error {
        respond(
            &mut stream,
            200,
            "Login cancelled",
            "Access was not granted. You can close this tab; fbvault said what to do next.",
        );
        return Some(Callback::Denied(error, reason));
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        respond(&mut stream, 400, "No code", "The callback carries no code.");
        return None;
    };
    respond(
        &mut stream,
        200,
        "Logged in",
        "fbvault got the login. You can close this tab and go back to the terminal.",
    );
    Some(Callback::Code(code))
}

/// The request line and headers, up to [`MAX_REQUEST`] bytes; `None` when the client
/// sends nothing usable in time.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && !buf.windows(2).any(|w| w == b"\n\n") {
        if buf.len() >= MAX_REQUEST {
            respond(stream, 431, "Too large", "The request is too large.");
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8(buf).ok()?;
    (!text.is_empty()).then_some(text)
}

fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>fbvault: {title}</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let head = format!(
        "HTTP/1.1 {status} {title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn only_the_matching_callback_is_accepted_then_the_port_is_free() {
        let probe = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let listener = Listener::bind(port).unwrap();
        let state = Secret::new("the-state");
        let client = std::thread::spawn(move || {
            let a = get(port, "/favicon.ico");
            let b = get(port, "/callback?code=c1&state=wrong");
            let c = get(port, "/callback?code=c2&state=the-state");
            (a, b, c)
        });
        let got = listener
            .wait(&state, Instant::now() + Duration::from_secs(10))
            .unwrap();
        let (a, b, c) = client.join().unwrap();
        assert!(a.starts_with("HTTP/1.1 404"), "{a}");
        assert!(b.starts_with("HTTP/1.1 400"), "{b}");
        assert!(
            c.starts_with("HTTP/1.1 200") && c.contains("close this tab"),
            "{c}"
        );
        assert!(matches!(got, Callback::Code(code) if code.expose() == "c2"));
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("the port is released");
    }
}
