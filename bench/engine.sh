#!/usr/bin/env bash
# Launch cost of one box running /bin/true: Runner's in-process engine and its CLI, against
# bubblewrap and unshare(1) with comparable isolation, on the same machine in the same run.
# Prints medians and writes bench/results/engine.md. Needs root (as the service runs).
#   bash bench/engine.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
command -v bwrap >/dev/null && command -v hyperfine >/dev/null || {
    echo "bench: needs bubblewrap and hyperfine: apt-get install -y bubblewrap hyperfine" >&2; exit 2; }

out=$(mktemp -d)
dotnet publish src/Runner.Cli -c Release -o "$out/cli" >/dev/null
dotnet build bench/Runner.Bench -c Release -o "$out/bench" >/dev/null

# Same namespaces as a Runner box (user, pid, mount, net, ipc, uts, cgroup), a fresh /proc;
# unshare has no pivot_root, seccomp or cgroup limits, so it is the floor, not a peer.
unshare_cmd="unshare --user --map-root-user --pid --fork --mount --net --ipc --uts --cgroup --mount-proc /bin/true"
# bubblewrap with a Runner-like filesystem (ro /usr, merged-usr links, /proc, /dev, tmpfs /tmp),
# every namespace and pivot_root; it sets no cgroup limits and no seccomp filter by default.
bwrap_cmd="bwrap --unshare-all --unshare-user --uid 0 --gid 0 --die-with-parent --ro-bind /usr /usr \
  --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev \
  --tmpfs /tmp --hostname sandbox /bin/true"
runner_cmd="$out/cli/runner run -- /bin/true"

hyperfine -N --warmup 10 --runs "$runs" --export-json "$out/hf.json" \
  -n true /bin/true -n unshare "$unshare_cmd" -n bwrap "$bwrap_cmd" -n "runner-cli" "$runner_cmd" >&2
inproc=$("$out/bench/Runner.Bench" "$runs")

python3 - "$out/hf.json" "$inproc" <<'PY'
import json, sys, statistics
hf = json.load(open(sys.argv[1]))
med = {r["command"]: statistics.median(r["times"]) * 1000 for r in hf["results"]}
med["runner-engine (in-process)"] = json.loads(sys.argv[2])["median_ms"]
bw = med["bwrap"]
print("| launcher | median ms | ratio to bwrap |")
print("|---|---:|---:|")
for name in ["true", "unshare", "bwrap", "runner-cli", "runner-engine (in-process)"]:
    print(f"| {name} | {med[name]:.2f} | {med[name] / bw:.2f} |")
PY
rm -rf "$out"
