#!/usr/bin/env bash
# `fbvault refresh --all` over many profiles against a slow Graph: builds release binaries,
# makes 100 profiles (each with its own long-lived token) in a throwaway HOME against the
# Graph sandbox, makes the sandbox answer every request after 200 ms, and times
# `refresh --all --force` (one exchange per profile; Facebook gives each token back
# unchanged). Prints a markdown line for the README. Needs python3 (for the HTTP call that
# sets the delay) and nothing else.
#   PROFILES=100 DELAY_MS=200 benches/refresh_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${PROFILES:-100}"
delay="${DELAY_MS:-200}"
. scripts/sandbox-home.sh
"$bin/fbvault" -q init >/dev/null
seq 1 "$profiles" | xargs -P 2 -I{} "$bin/fbvault" -q add p{} --from-env
sandbox_get() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' "$FBVAULT_GRAPH_URL$1"; }
sandbox_get "/sandbox/delay?ms=$delay"
start=$(date +%s.%N)
"$bin/fbvault" -q refresh --all --force
end=$(date +%s.%N)
python3 - "$start" "$end" "$profiles" "$delay" <<'PY'
import sys
start, end, n, delay = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
took = end - start
serial = n * delay / 1000
print(f"| `fbvault refresh --all --force`, {n} profiles, Graph answering in {delay} ms | {took:.1f} s | one at a time would take at least {serial:.0f} s |")
PY
