#!/usr/bin/env bash
# Submissions/s and request bytes per submission for a 20-test problem judged by reference
# (PUT once, then {"problem": ...}) versus the same tests sent inline with every submission.
# Starts src/Runner.Api (in-memory store, api+worker in one process) on a free port.
# Usage: bash bench/problems.sh [SUBMISSIONS_PER_MODE] [TEST_BYTES] [CONCURRENCY]   (root; Python 3)
set -euo pipefail
N=${1:-40}; TEST_BYTES=${2:-65536}; CONC=${3:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dotnet build -c Release "$ROOT/src/Runner.Api" -v q -nologo >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp)
ASPNETCORE_URLS="http://127.0.0.1:$PORT" Runner__CgroupParent=runner-bench Logging__LogLevel__Default=Warning \
  dotnet "$ROOT/src/Runner.Api/bin/Release/net10.0/Runner.Api.dll" >"$LOG" 2>&1 &
API=$!
trap 'kill $API 2>/dev/null; wait $API 2>/dev/null; rm -f "$LOG"' EXIT
python3 - "$PORT" "$N" "$TEST_BYTES" "$CONC" <<'PY'
import io, json, sys, time, zipfile, urllib.request, concurrent.futures as cf
port, n, size, conc = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, ctype="application/json"):
    req = urllib.request.Request(base + path, data=body, method=method, headers={"content-type": ctype} if body else {})
    with urllib.request.urlopen(req, timeout=600) as r: return r.status, r.read()
for _ in range(600):
    try:
        if json.loads(call("GET", "/api/v1/languages")[1]): break
    except Exception: pass
    time.sleep(0.2)
# 20 tests of `size` bytes each: a line of digits the program sums.
tests = []
for i in range(20):
    line = " ".join(str((i * 7 + k) % 10) for k in range(size // 2))[:size - 1]
    tests.append((str(i + 1), line + "\n", f"{sum(int(x) for x in line.split())}\n"))
src = "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for name, i, o in tests:
        z.writestr(f"tests/{name}.in", i); z.writestr(f"tests/{name}.out", o)
status, body = call("PUT", "/api/v1/problems/sum20", buf.getvalue(), "application/zip")
package = json.loads(body)["package_bytes"]
bodies = {
    "reference": json.dumps({"language": "python", "source": src, "problem": "sum20"}).encode(),
    "inline": json.dumps({"language": "python", "source": src,
                          "tests": [{"name": n_, "input": i, "expected_output": o} for n_, i, o in tests]}).encode(),
}
print(f"uploaded zip {len(buf.getvalue())} bytes once; stored package {package} bytes (fetched once per worker)")
print(f"| mode | request bytes per submission | submissions/s ({n}, {conc} at once) |")
print("| --- | ---: | ---: |")
for mode, b in bodies.items():
    def one(_):
        s, r = call("POST", "/api/v1/submissions?wait=true", b)
        v = json.loads(r)
        assert v["verdict"] == "accepted", v
    one(0)  # warm-up (and the worker's one fetch of the package)
    t = time.monotonic()
    with cf.ThreadPoolExecutor(conc) as ex: list(ex.map(one, range(n)))
    print(f"| {mode} | {len(b)} | {n / (time.monotonic() - t):.2f} |")
PY
