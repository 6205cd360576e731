#!/usr/bin/env bash
# Service benchmark on PostgreSQL: wait=true latency of a python hello world minus bare
# python3, and sustained judged submissions per second.
#   bench/service.sh [LATENCY_RUNS=50] [THROUGHPUT_SUBMISSIONS=200]
# Starts a throwaway PostgreSQL cluster (installed server binaries, run as the postgres user)
# and Runner.Api (Release, roles api,worker) on loopback; stops both at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-50}
SUBMISSIONS=${2:-200}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/runner-bench-XXXX)
PGPORT=$((20000 + RANDOM % 20000))
APIPORT=$((40000 + RANDOM % 20000))
API=http://127.0.0.1:$APIPORT
chmod 755 "$WORK"; mkdir -p "$WORK/data" "$WORK/sock"; chown -R postgres:postgres "$WORK"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
cleanup() {
  [[ -n "${API_PID:-}" ]] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
  (cd / && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1) || true
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd / && as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U runner --no-sync >/dev/null)
(cd / && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w -o "-p $PGPORT -k $WORK/sock -c listen_addresses=127.0.0.1" start >/dev/null)
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U runner -d postgres -tAq)

dotnet build -c Release src/Runner.Api -v q -nologo >/dev/null
ConnectionStrings__Runner="Host=127.0.0.1;Port=$PGPORT;Username=runner;Database=postgres" \
Runner__CgroupParent=runner-bench Logging__LogLevel__Default=Warning \
  dotnet src/Runner.Api/bin/Release/net10.0/Runner.Api.dll --urls "$API" >"$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 100); do curl -sf "$API/health/live" >/dev/null && break; sleep 0.2; done
curl -sf "$API/api/v1/languages" >/dev/null   # language detection happens once, before timing

BODY='{"language":"python","source":"print(\"hello\")\n","expected_output":"hello\n"}'

# Bare and service runs alternate, so load from other processes on the machine hits both alike.
read -r BARE50 E50 E99 < <(python3 - "$API" "$RUNS" "$BODY" <<'PY'
import json, statistics, subprocess, sys, time, urllib.request
api, runs, body = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
def post():
    req = urllib.request.Request(api + "/api/v1/submissions?wait=true", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert json.load(r)["verdict"] == "accepted"
def bare():
    subprocess.run(["python3", "-c", 'print("hello")'], stdout=subprocess.DEVNULL, check=True)
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
for _ in range(3): post()
b, e = [], []
for _ in range(runs):
    b.append(timed(bare)); e.append(timed(post))
e.sort()
print(f"{statistics.median(b)*1000:.1f} {statistics.median(e)*1000:.1f} {e[min(len(e)-1, round(0.99*(len(e)-1)))]*1000:.1f}")
PY
)

START=$(date +%s.%N)
seq "$SUBMISSIONS" | xargs -P 16 -I{} curl -sf -o /dev/null -XPOST "$API/api/v1/submissions" -H 'content-type: application/json' -d "$BODY"
while [[ $("${PSQL[@]}" -c "select count(*) from runner.submissions where status <> 'finished'") != 0 ]]; do sleep 0.05; done
END=$(date +%s.%N)
BAD=$("${PSQL[@]}" -c "select count(*) from runner.submissions where result->>'verdict' <> 'accepted'")

python3 - "$BARE50" "$E50" "$E99" "$START" "$END" "$SUBMISSIONS" "$BAD" "$RUNS" <<'PY'
import sys
bare, e50, e99, start, end, n, bad, runs = sys.argv[1:]
bare, e50, e99, secs = float(bare), float(e50), float(e99), float(end) - float(start)
print(f"load average at start:                        {open('/proc/loadavg').read().split()[0]}")
print(f"bare python3 hello, median of {runs}:             {bare:.1f} ms")
print(f"wait=true submission, p50 / p99 of {runs}:         {e50:.1f} / {e99:.1f} ms")
print(f"service overhead (p50 - bare), (p99 - bare):  {e50-bare:.1f} / {e99-bare:.1f} ms")
print(f"sustained: {n} submissions judged in {secs:.2f} s = {int(n)/secs:.1f} submissions/s ({bad} not accepted)")
PY
