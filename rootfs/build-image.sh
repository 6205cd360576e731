#!/usr/bin/env bash
# Builds a self-contained root filesystem image for Runner boxes with debootstrap and the
# shipped languages' Debian packages (rootfs/packages.txt), for deployments that do not want
# the host's /usr inside boxes. See rootfs/README.md.
#
# Usage: rootfs/build-image.sh [--print-path] [--force]
#   prints the image directory on its last line of stdout.
# Environment:
#   RUNNER_ROOTFS_CACHE   where images are kept (default /var/cache/runner-rootfs)
#   RUNNER_ROOTFS_SUITE   Debian suite (default: the host's VERSION_CODENAME, else bookworm)
#   RUNNER_ROOTFS_MIRROR  Debian mirror URL (default: the first one in the host's apt sources)
#
# The image is cached under $RUNNER_ROOTFS_CACHE/<hash>, the hash covering the package list,
# the suite and this script, so CI can keep the directory between runs. A build goes into a
# temporary sibling and is renamed into place only when complete.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${RUNNER_ROOTFS_CACHE:-/var/cache/runner-rootfs}"
force=0
print_only=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --print-path) print_only=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

suite="${RUNNER_ROOTFS_SUITE:-}"
if [[ -z "$suite" ]]; then
  suite="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  suite="${suite:-bookworm}"
fi

mirror="${RUNNER_ROOTFS_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  # deb822 sources first, then one-line sources; the first plain Debian archive wins.
  mirror="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
  if [[ -z "$mirror" ]]; then
    mirror="$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
  fi
fi
if [[ -z "$mirror" ]]; then
  echo "build-image.sh: no Debian mirror found in apt sources; set RUNNER_ROOTFS_MIRROR" >&2
  exit 2
fi

packages="$(grep -vE '^\s*(#|$)' "$here/packages.txt" | tr -s ' \n' ',' | sed 's/,$//')"
key="$( (cat "$here/packages.txt" "$0"; echo "$suite") | sha256sum | cut -c1-16)"
image="$cache/$key"

if [[ $print_only == 1 ]]; then echo "$image"; exit 0; fi
if [[ -f "$image/.runner-image-complete" && $force == 0 ]]; then
  echo "build-image.sh: using cached image" >&2
  echo "$image"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "build-image.sh: debootstrap is missing: apt-get install debootstrap" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "build-image.sh: debootstrap needs root" >&2; exit 2; }

mkdir -p "$cache/debs"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf --one-file-system "$work"' EXIT
start=$SECONDS
echo "build-image.sh: debootstrap $suite with $packages" >&2
debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$packages" "$suite" "$work/root" "$mirror" >&2

# The box never boots the image: drop what only a booted system or apt needs, keep the rest.
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* 2>/dev/null || true
chmod 0755 "$work/root"
touch "$work/root/.runner-image-complete"
rm -rf --one-file-system "$image"
mv "$work/root" "$image"
echo "build-image.sh: built $image in $((SECONDS - start)) s" >&2
echo "$image"
