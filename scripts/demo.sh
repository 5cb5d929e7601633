#!/usr/bin/env bash
# Builds fbvault and walks through the whole flow against the bundled Graph API sandbox:
# init -> add (exchanging a sandbox short-lived token) -> status -> run, in a throwaway
# HOME. No Facebook app and no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "building (first time: a few minutes)..." >&2
cargo build --release --locked -q -p fbvault -p fbvault-graph-sandbox
bin="$PWD/target/release"

demo="$(mktemp -d)"
sandbox_pid=""
cleanup() { [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$demo"; }
trap cleanup EXIT
export HOME="$demo/home" XDG_CONFIG_HOME="$demo/home/.config" XDG_DATA_HOME="$demo/home/.local/share"
unset FBVAULT_DIR FBVAULT_IDENTITY FBVAULT_PROFILE

"$bin/fbvault-graph-sandbox" --port 0 > "$demo/sandbox.txt" &
sandbox_pid=$!
for _ in $(seq 50); do grep -q SHORT_TOKEN "$demo/sandbox.txt" 2>/dev/null && break; sleep 0.1; done
value() { sed -n "s/^  $1=\([^ ]*\).*/\1/p" "$demo/sandbox.txt"; }
export FBVAULT_GRAPH_URL="$(value FBVAULT_GRAPH_URL)"
export APP_ID="$(value APP_ID)" APP_SECRET="$(value APP_SECRET)" SHORT_TOKEN="$(value SHORT_TOKEN)"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo "Graph API sandbox on $FBVAULT_GRAPH_URL (a demo app; a user who manages two pages)"
step "$bin/fbvault" init
step "$bin/fbvault" add acme --from-env
step "$bin/fbvault" status
step "$bin/fbvault" run -p acme --page "Cute Kitten Page" --mask -- sh -c 'env | grep "^FB_" | sort'
printf '\nThe run above received those variables (secret values masked by --mask).\n'
printf 'The vault it used, encrypted: %s\n' "$XDG_DATA_HOME/fbvault/vault (deleted now)"
