#!/usr/bin/env bash
# Builds fbvault and walks through the whole flow against the bundled Graph API sandbox:
# init -> add (exchanging a sandbox short-lived token) -> status -> run, in a throwaway
# HOME. No Facebook app and no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "building (first time: a few minutes)..." >&2
. scripts/sandbox-home.sh

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo "Graph API sandbox on $FBVAULT_GRAPH_URL (a demo app; a user who manages two pages)"
step "$bin/fbvault" init
step "$bin/fbvault" add acme --from-env
step "$bin/fbvault" status
step "$bin/fbvault" run -p acme --page "Cute Kitten Page" --mask -- sh -c 'env | grep "^FB_" | sort'
printf '\nThe run above received those variables (secret values masked by --mask).\n'
