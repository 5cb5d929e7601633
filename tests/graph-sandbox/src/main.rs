//! `fbvault-graph-sandbox`: run the Graph API look-alike on 127.0.0.1 to try fbvault
//! without a Facebook app.

use std::time::Duration;

use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, DEMO_CLIENT_TOKEN, Sandbox};

const USAGE: &str = "usage: fbvault-graph-sandbox [--port PORT] [--long-lived-days N] [--delay-ms MS] [--extend-after-day] [--decline] [--device-interval S]

Runs a Graph API sandbox on 127.0.0.1 (default port 8766; 8765 is fbvault's login port)
with a demo app and a user who manages two pages. Point fbvault at it with
FBVAULT_GRAPH_URL=http://127.0.0.1:PORT, and its login dialog with FBVAULT_DIALOG_URL
(the same URL). GET /sandbox/short-token mints a new short-lived user token;
GET /sandbox/device/approve?user_code=CODE approves a device login (also /decline, /expire).

Like Facebook, a long-lived user token sent to fb_exchange_token comes back unchanged.
  --extend-after-day   UNVERIFIED optimistic mode: a fresh 60-day token once a day
  --delay-ms MS        answer every request after MS milliseconds (benchmarks)
  --decline            the login dialog's person says no (error=access_denied)
  --device-interval S  the polling interval device logins answer with (default 5)";

fn main() {
    let mut port: u16 = 8766;
    let mut decline = false;
    let mut device_interval: Option<u64> = None;
    let mut days: Option<i64> = None;
    let mut delay_ms: u64 = 0;
    let mut extend = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| {
            args.next()
                .unwrap_or_else(|| fail(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--port" => {
                port = value(&mut args)
                    .parse()
                    .unwrap_or_else(|_| fail("--port takes a number"))
            }
            "--long-lived-days" => {
                days = Some(
                    value(&mut args)
                        .parse()
                        .unwrap_or_else(|_| fail("--long-lived-days takes a number")),
                )
            }
            "--delay-ms" => {
                delay_ms = value(&mut args)
                    .parse()
                    .unwrap_or_else(|_| fail("--delay-ms takes a number"))
            }
            "--extend-after-day" => extend = true,
            "--decline" => decline = true,
            "--device-interval" => {
                device_interval = Some(
                    value(&mut args)
                        .parse()
                        .unwrap_or_else(|_| fail("--device-interval takes a number")),
                )
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let sandbox = Sandbox::start_on(port)
        .unwrap_or_else(|e| fail(&format!("cannot listen on 127.0.0.1:{port}: {e}")));
    sandbox.configure(|c| {
        if let Some(d) = days {
            c.long_lived_secs = d * 86_400;
        }
        c.delay = Duration::from_millis(delay_ms);
        c.extend_after_day = extend;
        c.dialog_decline = decline;
        if let Some(i) = device_interval {
            c.device_interval_secs = i.max(1);
        }
    });
    let token = sandbox.short_token();
    println!("Graph API sandbox listening on {}", sandbox.url());
    println!("  FBVAULT_GRAPH_URL={}", sandbox.url());
    println!("  FBVAULT_DIALOG_URL={}   (for login --web)", sandbox.url());
    println!("  APP_ID={DEMO_APP_ID}");
    println!("  APP_SECRET={DEMO_APP_SECRET}   (a sandbox value)");
    println!("  CLIENT_TOKEN={DEMO_CLIENT_TOKEN}   (for login --device)");
    println!(
        "  SHORT_TOKEN={token}   (valid 1 hour; more: curl {}/sandbox/short-token)",
        sandbox.url()
    );
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("fbvault-graph-sandbox: {message}\n\n{USAGE}");
    std::process::exit(2);
}
