#!/usr/bin/env bash
# Builds the peers bench/fastpath.sh --peers measures, from source, into OUT:
#   OUT/isolate/isolate  isolate 1.10.1 (cgroup v1 or v2 as the host has), boxes under OUT,
#                        box id 7 initialised, its cgroups under the cgroup "runner-peers"
#   OUT/nsjail/nsjail    nsjail 3.4 with kafel (seccomp policies)
# Sources come from GitHub tarballs, or from local git clones named by ISOLATE_GIT, NSJAIL_GIT
# and KAFEL_GIT (e.g. an offline mirror). Build dependencies are installed with apt-get.
#   bash bench/peers.sh OUT
set -euo pipefail
out=$(realpath -m "${1:?usage: peers.sh OUT}")
mkdir -p "$out"
ISOLATE_TAG=v1.10.1 NSJAIL_TAG=3.4 KAFEL_COMMIT=76d0f41bf3eb5c4008713d64b9767b461a9129a3

# source NAME REF GIT_DIR_OR_EMPTY URL -> unpacked into $out/NAME-src
source_tree() {
  local dir="$out/$1-src"
  rm -rf "$dir"; mkdir -p "$dir"
  if [[ -n $3 ]]; then git -C "$3" archive "$2" | tar -x -C "$dir"
  else curl -fsSL "$4" | tar -xz -C "$dir" --strip-components=1; fi
}

apt-get install -y -qq build-essential libcap-dev pkg-config protobuf-compiler libprotobuf-dev \
  libnl-route-3-dev bison flex >/dev/null

if [[ ! -x $out/isolate/isolate ]]; then
  source_tree isolate "$ISOLATE_TAG" "${ISOLATE_GIT:-}" "https://github.com/ioi/isolate/archive/refs/tags/$ISOLATE_TAG.tar.gz"
  mkdir -p "$out/isolate/boxes"
  cat >"$out/isolate/isolate.cf" <<CF
box_root = $out/isolate/boxes
cg_root = /sys/fs/cgroup
cg_parent = runner-peers
first_uid = 61000
first_gid = 61000
num_boxes = 10
CF
  make -C "$out/isolate-src" -s isolate CONFIG="$out/isolate/isolate.cf" BUILD_COMMIT="$ISOLATE_TAG" >/dev/null
  cp "$out/isolate-src/isolate" "$out/isolate/isolate"
fi
# isolate 1.x (cgroup v1) and nsjail (--cgroup_*_parent) create their boxes' cgroups under runner-peers.
for c in memory cpuacct cpuset pids; do
  [[ -d /sys/fs/cgroup/$c ]] || continue
  mkdir -p "/sys/fs/cgroup/$c/runner-peers"
  [[ $c == cpuset ]] && { cat /sys/fs/cgroup/cpuset/cpuset.cpus >/sys/fs/cgroup/cpuset/runner-peers/cpuset.cpus
                           cat /sys/fs/cgroup/cpuset/cpuset.mems >/sys/fs/cgroup/cpuset/runner-peers/cpuset.mems; }
done
"$out/isolate/isolate" --cg --box-id=7 --cleanup >/dev/null 2>&1 || true
"$out/isolate/isolate" --cg --box-id=7 --init >/dev/null

if [[ ! -x $out/nsjail/nsjail ]]; then
  source_tree nsjail "$NSJAIL_TAG" "${NSJAIL_GIT:-}" "https://github.com/google/nsjail/archive/refs/tags/$NSJAIL_TAG.tar.gz"
  rm -rf "$out/nsjail-src/kafel"
  mkdir -p "$out/nsjail-src/kafel"
  if [[ -n ${KAFEL_GIT:-} ]]; then git -C "$KAFEL_GIT" archive "$KAFEL_COMMIT" | tar -x -C "$out/nsjail-src/kafel"
  else curl -fsSL "https://github.com/google/kafel/archive/$KAFEL_COMMIT.tar.gz" | tar -xz -C "$out/nsjail-src/kafel" --strip-components=1; fi
  make -C "$out/nsjail-src" -s -j"$(nproc)" nsjail >/dev/null
  mkdir -p "$out/nsjail"; cp "$out/nsjail-src/nsjail" "$out/nsjail/nsjail"
fi
echo "peers built in $out: $("$out/isolate/isolate" --version | head -1); nsjail $NSJAIL_TAG" 
