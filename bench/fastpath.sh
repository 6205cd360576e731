#!/usr/bin/env bash
# Issue 11's table in one run: /bin/true in a box (back-to-back and with 0.2 s gaps) for
# Runner's CLI, its in-process engine and its peers; the judge's per-test time for python hello
# over 50 tests; the service's wait=true p50/p99 (in-memory and PostgreSQL) against the same
# /usr/bin/python3 the boxes run; sustained throughput against the bare-parallel ideal with the
# CPU used; and CPU-time accounting of a 0.5 s CPU-bound program. Root; the machine should be
# otherwise idle (the load average is printed with every section).
#   bash bench/fastpath.sh [--peers] [--only launch,judge,service,cpu] [--workers N] [--quick]
#     --peers   also build isolate 1.10.1 and nsjail from source (needs network, build tools,
#               libcap-dev, and for nsjail protobuf, libnl and bison/flex) and measure them
#     --workers N  the service's Runner:Queue:Workers (default: the service's default)
#     --service-setting KEY=VALUE  an environment setting of the service, e.g.
#               Runner__Queue__HandOff=false (repeatable; for before/after comparisons)
#     --quick   fewer runs of everything (a smoke test of the script, not numbers to quote)
# Needs: gcc, dotnet, PostgreSQL server binaries, bubblewrap (apt-get install bubblewrap).
set -euo pipefail
cd "$(dirname "$0")/.."
peers=0; args=()
while (($#)); do
  case $1 in
    --peers) peers=1 ;;
    --quick) args+=(--runs 40 --gap-runs 10 --rounds 2 --judge-runs 2 --service-runs 20 --burst 40 --cpu-runs 5) ;;
    --only) args+=(--only "$2"); shift ;;
    --workers) args+=(--workers "$2"); shift ;;
    --service-setting) args+=(--service-setting "$2"); shift ;;
    *) echo "fastpath.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || { echo "fastpath.sh: run as root (the service and the peers need it)" >&2; exit 2; }

out=${FASTPATH_BUILD:-/tmp/runner-fastpath-build}
mkdir -p "$out"
echo "building (Release) into $out ..." >&2
quiet() { "$@" >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; echo "fastpath.sh: failed: $*" >&2; exit 1; }; }
quiet gcc -O2 -Wall -o "$out/timer" bench/timer.c -lm
quiet gcc -O2 -Wall -o "$out/spin" bench/spin.c
quiet gcc -O2 -Wall -pthread -o "$out/burst" bench/burst.c
quiet dotnet publish src/Runner.Cli -c Release -o "$out/cli" -v q -nologo
quiet dotnet build bench/Runner.Bench -c Release -o "$out/bench" -v q -nologo
quiet dotnet build src/Runner.Api -c Release -o "$out/api" -v q -nologo

peer_args=()
if ((peers)); then
  quiet bash bench/peers.sh "$out/peers"
  peer_args=(--isolate "$out/peers/isolate/isolate" --nsjail "$out/peers/nsjail/nsjail")
else
  echo "note: isolate and nsjail are skipped (pass --peers to build them from source)"
fi

exec /usr/bin/python3 bench/fastpath.py --timer "$out/timer" --spin "$out/spin" --cli "$out/cli/runner" \
  --bench "$out/bench/Runner.Bench" --api "$out/api/Runner.Api.dll" --burst-client "$out/burst" "${peer_args[@]}" "${args[@]}"
