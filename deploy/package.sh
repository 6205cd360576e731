#!/usr/bin/env bash
# Builds Runner for installation with the tools of the OS: a tarball rooted at / and, where
# dpkg-deb exists, a .deb with the same files, both under FHS paths:
#   /usr/bin/runner -> /usr/lib/runner/cli/runner   the CLI (NativeAOT; needs libc and libseccomp.so.2),
#                                            with what it looks for beside itself (runner-launcher, ...)
#   /usr/lib/runner/api/Runner.Api           the API host   (framework-dependent: needs the
#   /usr/lib/runner/worker/Runner.Worker     the worker host  ASP.NET Core 10 shared runtime)
#   /usr/share/runner/seccomp/default.json   the default syscall profile (the CLI embeds it too)
#   /usr/share/runner/languages.json         the built-in languages, as a starting point for RUNNER_LANGUAGES
#   /usr/lib/systemd/system/runner-{api,worker}.service
#   /etc/runner/{api,worker}.env             configuration read by the units (conffiles in the .deb)
#   /usr/share/doc/runner/README.md
# Usage: deploy/package.sh [--version V] [--no-deb] OUTDIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
version=0.1.0
deb=auto
out=
while (($#)); do
    case $1 in
        --version) version=${2:?--version needs a value}; shift 2 ;;
        --no-deb) deb=no; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) echo "package.sh: $1: unknown option" >&2; exit 2 ;;
        *) [[ -z $out ]] || { echo "package.sh: give one OUTDIR" >&2; exit 2; }; out=$1; shift ;;
    esac
done
[[ -n $out ]] || { echo "package.sh: OUTDIR: expected the directory for the packages" >&2; exit 2; }
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "package.sh: --version: expected a Debian version such as 1.2.0, got '$version'" >&2; exit 2; }
case $(uname -m) in x86_64) arch=amd64 rid=linux-x64 ;; aarch64) arch=arm64 rid=linux-arm64 ;; *) echo "package.sh: unsupported machine $(uname -m)" >&2; exit 2 ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

publish() { # project output [extra args]
    local project=$1 output=$2; shift 2
    dotnet publish "$repo/src/$project" -c Release -r "$rid" -o "$output" \
        --artifacts-path "$work/artifacts" -nologo -v quiet "$@"
}
echo "package.sh: publishing runner, Runner.Api and Runner.Worker ($rid)"
publish Runner.Cli "$work/cli"
publish Runner.Api "$root/usr/lib/runner/api" --self-contained false
publish Runner.Worker "$root/usr/lib/runner/worker" --self-contained false

rm -f "$work/cli/runner.dbg"
mkdir -p "$root/usr/lib/runner" "$root/usr/bin"
cp -r "$work/cli" "$root/usr/lib/runner/cli"
ln -s ../lib/runner/cli/runner "$root/usr/bin/runner"
install -D -m 644 "$repo/seccomp/default.json" "$root/usr/share/runner/seccomp/default.json"
install -D -m 644 "$repo/src/Runner.Judge/languages.json" "$root/usr/share/runner/languages.json"
install -D -m 644 -t "$root/usr/lib/systemd/system" "$repo/deploy/systemd/runner-api.service" "$repo/deploy/systemd/runner-worker.service"
install -D -m 640 -t "$root/etc/runner" "$repo/deploy/etc/api.env" "$repo/deploy/etc/worker.env"
install -D -m 644 "$repo/README.md" "$root/usr/share/doc/runner/README.md"
# Debug symbols and PDBs stay out of the package; the services need their .dll files only.
find "$root" \( -name '*.pdb' -o -name '*.dbg' \) -delete
chmod -R u+rwX,go+rX,go-w "$root/usr"

name=runner_${version}_${arch}
tar -C "$root" --owner=0 --group=0 --numeric-owner --sort=name -czf "$out/$name.tar.gz" .
echo "package.sh: $out/$name.tar.gz"

if [[ $deb == auto ]] && command -v dpkg-deb >/dev/null; then
    mkdir -p "$root/DEBIAN"
    size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
    cat > "$root/DEBIAN/control" <<CONTROL
Package: runner
Version: $version
Architecture: $arch
Maintainer: Runner maintainers <runner@localhost>
Installed-Size: $size
Depends: libc6, libseccomp2
Recommends: aspnetcore-runtime-10.0 | dotnet-runtime-10.0
Section: devel
Priority: optional
Description: sandbox, judge and HTTP service for untrusted code
 runner runs programs in boxes built from Linux namespaces, cgroups and
 seccomp, judges submissions, and serves an HTTP API with workers
 (runner-api.service, runner-worker.service).
CONTROL
    printf '/etc/runner/api.env\n/etc/runner/worker.env\n' > "$root/DEBIAN/conffiles"
    cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
# Units are installed, not enabled: configure /etc/runner/*.env first (README, "Installing").
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POSTINST
    chmod 755 "$root/DEBIAN/postinst"
    dpkg-deb --root-owner-group -Zxz --build "$root" "$out/$name.deb" >/dev/null
    echo "package.sh: $out/$name.deb"
fi
