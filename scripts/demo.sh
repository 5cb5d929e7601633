#!/usr/bin/env bash
# Builds fbvault and walks through the whole flow against the bundled Graph API sandbox:
# init -> add (exchanging a sandbox short-lived token) -> status -> login --web (a scripted
# browser, scripts/fake-browser.py, plays the person in the sandbox's login dialog) -> run,
# in a throwaway HOME, and ends by really posting to a sandbox page with scripts/post.py and the token
# and appsecret_proof `run` injects. Needs the Rust toolchain and python3; no Facebook
# app and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "the demo's posting script needs python3" >&2; exit 1; }

echo "building (first time: a few minutes)..." >&2
. scripts/sandbox-home.sh

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo "Graph API sandbox on $FBVAULT_GRAPH_URL (a demo app; a user who manages two pages)"
step "$bin/fbvault" init
step "$bin/fbvault" add acme --from-env
step "$bin/fbvault" status
# The login of 60 days later: the dialog is the sandbox's, the browser a script that
# follows its redirect to fbvault's listener on 127.0.0.1 (a free port, as if registered).
export FBVAULT_DIALOG_URL="$FBVAULT_GRAPH_URL" BROWSER="python3 $PWD/scripts/fake-browser.py"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
step "$bin/fbvault" login acme --web --port "$port"
printf '\nThat was `fbvault login --web`: the browser (here a script) went through the login dialog and back to fbvault on 127.0.0.1:%s.\n' "$port"
step "$bin/fbvault" run -p acme --page "Cute Kitten Page" --mask -- sh -c 'env | grep "^FB_" | sort'
printf '\nThe run above received those variables (secret values masked by --mask).\n'
step "$bin/fbvault" run -p acme --page "Cute Kitten Page" -- python3 scripts/post.py "Hello from fbvault"
printf '\nscripts/post.py posted with FB_PAGE_ACCESS_TOKEN and FB_PAGE_APPSECRET_PROOF; the sandbox checks the proof like Facebook.\n'
