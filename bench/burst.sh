#!/usr/bin/env bash
# Burst benchmark on PostgreSQL, shaped like a contest start: an api-only host and two worker
# processes (2 judge workers each) on one machine, N python submissions posted at once by C
# clients with keep-alive connections (a tenth of them as batches of 10), then drained.
#   bench/burst.sh [SUBMISSIONS=1000] [CLIENTS=32]
# Reports accepted/s (the POST phase, with the workers already judging on the same cores),
# judged/s (first created_at to last finished_at) and how many were judged more than once.
# Starts a throwaway PostgreSQL cluster (installed server binaries, run as the postgres user)
# and the three processes (Release) on loopback; stops everything at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
CLIENTS=${2:-32}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/runner-burst-XXXX)
PGPORT=$((20000 + RANDOM % 20000))
APIPORT=$((40000 + RANDOM % 20000))
API=http://127.0.0.1:$APIPORT
PIDS=()
chmod 755 "$WORK"; mkdir -p "$WORK/data" "$WORK/sock"; chown -R postgres:postgres "$WORK"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  (cd / && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1) || true
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd / && as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U runner --no-sync >/dev/null)
(cd / && as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w -o "-p $PGPORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null)
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U runner -d postgres -tAq)

dotnet build -c Release src/Runner.Api -v q -nologo >/dev/null
dotnet build -c Release src/Runner.Worker -v q -nologo >/dev/null
export ConnectionStrings__Runner="Host=127.0.0.1;Port=$PGPORT;Username=runner;Database=postgres"
export Runner__CgroupParent=runner-bench Logging__LogLevel__Default=Warning Runner__Queue__Workers=2
export DOTNET_hostBuilder__reloadConfigOnChange=false
Runner__Roles=api dotnet src/Runner.Api/bin/Release/net10.0/Runner.Api.dll --urls "$API" >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 150); do curl -sf "$API/health/live" >/dev/null && break; sleep 0.2; done
for w in 1 2; do
  dotnet src/Runner.Worker/bin/Release/net10.0/Runner.Worker.dll >"$WORK/worker$w.log" 2>&1 &
  PIDS+=($!)
done
# Ready when python is accepted (the workers detected their languages).
for _ in $(seq 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$API/api/v1/submissions" -H 'content-type: application/json' -d '{"language":"python","source":"print(0)"}')
  [[ $code == 202 ]] && break; sleep 0.2
done
while [[ $("${PSQL[@]}" -c "select count(*) from runner.submissions where status <> 'finished'") != 0 ]]; do sleep 0.2; done
"${PSQL[@]}" -c "delete from runner.submissions"

LOAD=$(cut -d' ' -f1 /proc/loadavg)
read -r POSTED ACCEPTED FAILED < <(python3 - "$APIPORT" "$N" "$CLIENTS" <<'PY'
import http.client, json, sys, threading, time
port, n, clients = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
one = {"language": "python", "source": "print(int(input()) * 2)\n", "stdin": "21", "expected_output": "42\n"}
# Work items: every tenth submission goes in a batch of 10.
items = []
left = n
while left > 0:
    if len(items) % 10 == 9 and left >= 10:
        items.append(("/api/v1/submissions/batch", {"submissions": [one] * 10}, 10)); left -= 10
    else:
        items.append(("/api/v1/submissions", one, 1)); left -= 1
lock = threading.Lock(); accepted = [0]; failed = [0]
def client(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for path, body, count in items[k::clients]:
        conn.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        r = conn.getresponse(); r.read()
        with lock:
            if r.status == 202: accepted[0] += count
            else: failed[0] += count
t = time.perf_counter()
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for th in threads: th.start()
for th in threads: th.join()
print(f"{time.perf_counter() - t:.3f} {accepted[0]} {failed[0]}")
PY
)
while [[ $("${PSQL[@]}" -c "select count(*) from runner.submissions where status <> 'finished'") != 0 ]]; do sleep 0.2; done
read -r SPAN BAD TWICE < <("${PSQL[@]}" -F' ' -c "select extract(epoch from max(finished_at) - min(created_at)), count(*) filter (where result::text not like '%\"accepted\"%'), count(*) filter (where attempts > 1) from runner.submissions")
python3 - "$N" "$CLIENTS" "$LOAD" "$POSTED" "$ACCEPTED" "$FAILED" "$SPAN" "$BAD" "$TWICE" <<'PY'
import sys
n, clients, load, posted, accepted, failed, span, bad, twice = sys.argv[1:]
print(f"load average at start:   {load}")
print(f"posted by {clients} clients:      {accepted}/{n} accepted ({failed} refused) in {float(posted):.2f} s = {int(accepted)/float(posted):.1f} accepted/s")
print(f"drained:                 all finished {float(span):.1f} s after the first was created = {int(accepted)/float(span):.2f} judged/s")
print(f"verdicts:                {bad} not accepted, {twice} judged more than once")
PY
