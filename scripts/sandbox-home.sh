# Sourced by scripts/demo.sh and benches/run.sh: builds the release binaries, makes a
# throwaway HOME in $work, starts the Graph API sandbox on a free port, and exports
# FBVAULT_GRAPH_URL, APP_ID, APP_SECRET and SHORT_TOKEN from what it prints. Sets $bin,
# $work and $sandbox_pid; the EXIT trap stops the sandbox and removes $work.
cargo build --release --locked -q -p fbvault -p fbvault-graph-sandbox
bin="$PWD/target/release"
work="$(mktemp -d)"
sandbox_pid=""
trap '[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset FBVAULT_DIR FBVAULT_IDENTITY FBVAULT_PROFILE

"$bin/fbvault-graph-sandbox" --port 0 > "$work/sandbox.txt" &
sandbox_pid=$!
for _ in $(seq 100); do grep -q SHORT_TOKEN "$work/sandbox.txt" 2>/dev/null && break; sleep 0.1; done
sandbox_value() { sed -n "s/^  $1=\([^ ]*\).*/\1/p" "$work/sandbox.txt"; }
FBVAULT_GRAPH_URL="$(sandbox_value FBVAULT_GRAPH_URL)"
APP_ID="$(sandbox_value APP_ID)"
APP_SECRET="$(sandbox_value APP_SECRET)"
SHORT_TOKEN="$(sandbox_value SHORT_TOKEN)"
export FBVAULT_GRAPH_URL APP_ID APP_SECRET SHORT_TOKEN
