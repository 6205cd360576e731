#!/usr/bin/env bash
# Per-test overhead of the judge beyond the program's own run time: python hello world judged
# over 50 tests by the published `runner judge`, against `python3` run bare 50 times.
# Usage: bench/judge-overhead.sh [RUNNER]   (default: publishes the CLI to /tmp/judge-cli)
# Needs hyperfine. Prints hyperfine's medians and the ratio per test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runner="${1:-}"
if [[ -z "$runner" ]]; then
  dotnet publish "$here/src/Runner.Cli" -c Release -o /tmp/judge-cli >/dev/null
  runner=/tmp/judge-cli/runner
fi
command -v hyperfine >/dev/null || { echo "judge-overhead.sh: hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tests"
echo 'print("hello")' > "$work/hello.py"
for i in $(seq 1 50); do : > "$work/tests/$i.in"; echo hello > "$work/tests/$i.out"; done
py="$(command -v python3)"
# Same interpreter as the box sees (the host's /usr), not a shim earlier in PATH.
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3

hyperfine --warmup 1 --runs "${RUNS:-10}" --export-json "$work/result.json" \
  -n bare-50 "for i in \$(seq 1 50); do $py $work/hello.py >/dev/null; done" \
  -n judge-50 "$runner judge --language python --source $work/hello.py --tests $work/tests --json >/dev/null"

python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
bare, judge = r["bare-50"]["median"], r["judge-50"]["median"]
print(f"bare python3 x50:  median {bare:.3f} s  ({bare / 50 * 1000:.1f} ms per run)")
print(f"runner judge x50:  median {judge:.3f} s  ({judge / 50 * 1000:.1f} ms per test, compile step included)")
print(f"overhead per test: {(judge - bare) / 50 * 1000:.1f} ms; ratio judge/bare: {judge / bare:.2f}")
PY
