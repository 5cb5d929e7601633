#!/usr/bin/env bash
# fbvault's benchmark. Builds a release binary, makes a vault in a throwaway HOME (one
# profile with a fresh token from the Graph sandbox, which is then stopped: nothing below
# may touch the network), and measures with hyperfine:
#   1. `fbvault run -p bench -- true` against bare `true` and against `age -d` (and
#      `rage -d` when installed) of the same profile file: the overhead of run;
#   2. `fbvault show bench`: open and decrypt one profile;
#   3. `fbvault list` over 1,000 profiles.
# and the peak RSS of `fbvault run -- true`. Prints a markdown table for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
. scripts/sandbox-home.sh
"$bin/fbvault" -q init >/dev/null
"$bin/fbvault" -q add bench --from-env
kill "$sandbox_pid"; sandbox_pid=""
export FBVAULT_GRAPH_URL="http://127.0.0.1:9"   # closed: any network call would fail loudly

id="$XDG_CONFIG_HOME/fbvault/identity.txt"
file="$XDG_DATA_HOME/fbvault/vault/profiles/bench.age"
true_bin="$(command -v true)"
cmds=(-n true "$true_bin" -n "env true (a bare exec wrapper)" "env $true_bin" -n "fbvault run -- true" "$bin/fbvault run -p bench -- $true_bin" -n "age -d (same file)" "age -d -i $id $file")
command -v rage >/dev/null && cmds+=(-n "rage -d (same file)" "rage -d -i $id $file")
hyperfine -N --warmup 20 --runs 300 --export-json "$work/run.json" "${cmds[@]}" >&2
hyperfine -N --warmup 10 --runs 200 --export-json "$work/show.json" -n "fbvault show (open + decrypt one profile)" "$bin/fbvault show bench" >&2

seq 1 1000 | xargs -P 2 -I{} sh -c "printf 's3cret\n' | '$bin/fbvault' -q add p{} --app-id 1 --app-secret-stdin --no-exchange"
hyperfine -N --warmup 2 --runs 20 --export-json "$work/list.json" -n "fbvault list (1,000 profiles)" "$bin/fbvault list" >&2

# Peak RSS in KiB, with GNU time (Debian's `time` package). It counts the whole process,
# fbvault before the exec included.
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
rss_fbvault=$(rss "$bin/fbvault" run -p bench -- "$true_bin")
rss_true=$(rss "$true_bin")

python3 - "$work" "$rss_fbvault" "$rss_true" <<'PY'
import json, sys
work, rss_fb, rss_true = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
run = json.load(open(f"{work}/run.json"))["results"]
base = run[0]["median"]
print("| command | median | vs `true` |")
print("|---|---|---|")
for r in run:
    print(f"| {r['command']} | {r['median']*1000:.2f} ms | +{(r['median']-base)*1000:.2f} ms ({r['median']/base:.1f}x) |")
for name in ("show", "list"):
    for r in json.load(open(f"{work}/{name}.json"))["results"]:
        print(f"| {r['command']} | {r['median']*1000:.2f} ms | |")
print(f"\npeak RSS of `fbvault run -p bench -- true`: {rss_fb/1024:.1f} MiB (bare `true`: {rss_true/1024:.1f} MiB)")
PY
