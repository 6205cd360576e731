#!/usr/bin/env bash
# Installs what tests/Runner.CgroupV2.Tests needs to boot its cgroup v2 VM: qemu, a static
# busybox for the guest, cpio to pack the initramfs, and a static libc for the guest's probe
# programs. The kernel itself is fetched by the test fixture with `apt-get download`, which
# needs current package lists, so those are refreshed whenever anything is missing or the
# lists are empty. Safe to run repeatedly; does nothing when all is present.
set -euo pipefail

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# busybox (dynamic) and busybox-static provide the same path; only the static one works
# inside the initramfs, which carries no libraries for it.
if ! command -v busybox >/dev/null || ldd "$(command -v busybox)" >/dev/null 2>&1; then
    need+=(busybox-static)
fi
command -v cpio >/dev/null || need+=(cpio)
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)

lists_empty=1
compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null && lists_empty=0

if [ ${#need[@]} -gt 0 ] || [ $lists_empty -eq 1 ]; then
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    if [ ${#need[@]} -gt 0 ]; then
        echo "qemu-deps: installing ${need[*]}"
        $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
    fi
fi
echo "qemu-deps: ok ($(qemu-system-x86_64 --version | head -1))"
