#!/usr/bin/env bash
# A real install on a clean Debian 12, the way an operator does it, in a throwaway chroot:
#   1. debootstrap a minimal bookworm root (the "server"; needs the network once, on the build host),
#   2. build the offline bundle for a server that has nothing (--target-status of that root),
#   3. inside the root, with NO network (unshare -n): sha256sum -c, tar -x, install.sh (apt-get
#      install --no-download of the bundle's .debs; the package's postinst creates the user),
#   4. as the `archivist` user, with the packaged config: version, ingest samples/docs, search,
#      upgrade --check, and a /metrics scrape of `serve` over 127.0.0.1 inside the namespace.
# Not part of CTest (minutes and a download); run it as root before a release:
#
#   deploy/test-install-chroot.sh BUILD_DIR SOURCE_DIR [ROOTFS]
#
# ROOTFS defaults to a new directory under /tmp; an existing debootstrapped root is reused (it is
# copied first, so the original stays clean). Exit 0: pass; 77: skipped; else failure.
set -euo pipefail

build="$(readlink -f "${1:?usage: $0 BUILD_DIR SOURCE_DIR [ROOTFS]}")"
src="$(readlink -f "${2:?usage: $0 BUILD_DIR SOURCE_DIR [ROOTFS]}")"
base="${3:-}"

fail() { echo "test-install-chroot: FAIL: $*" >&2; exit 1; }
skip() { echo "test-install-chroot: SKIP: $*" >&2; exit 77; }
log() { echo "test-install-chroot: $*"; }

[ "$(id -u)" = 0 ] || skip "needs root (chroot, unshare)"
for tool in debootstrap cpack unshare chroot ip; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

tmp="$(mktemp -d /tmp/archivist_install_chroot.XXXXXX)"
cleanup() {
  umount "$tmp/root/proc" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$base" ]; then
  base="$tmp/base"
  log "debootstrap --variant=minbase bookworm (network, build host side)"
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian >"$tmp/debootstrap.log" 2>&1 ||
    { tail -20 "$tmp/debootstrap.log" >&2; fail "debootstrap failed"; }
fi
[ -x "$base/usr/bin/apt-get" ] || fail "$base is not a Debian root"
root="$tmp/root"
cp -a "$base" "$root"

# --- Build host: package and bundle for a server that has only the minimal base ----------------
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb="$(ls "$tmp"/pkg/archivist_*.deb)"
bash "$src/deploy/offline-bundle.sh" --deb "$deb" --out "$tmp/dist" \
  --target-status "$root/var/lib/dpkg/status" >"$tmp/bundle.log" 2>&1 ||
  { tail -30 "$tmp/bundle.log" >&2; fail "offline-bundle.sh failed"; }
tarball="$(ls "$tmp"/dist/archivist-offline-*.tar)"
log "bundle $(basename "$tarball"): $(du -h "$tarball" | cut -f1), $(tar -tf "$tarball" | grep -c '\.deb$') .debs"

# --- The "stick": only the tarball, its checksum and the sample documents go into the server ----
mkdir -p "$root/media/stick" "$root/srv/samples"
cp "$tarball" "$tarball.sha256" "$root/media/stick/"
cp "$src"/samples/docs/* "$root/srv/samples/"

# --- Server: install and use it with no network at all ------------------------------------------
cat >"$root/tmp/operator.sh" <<'OPERATOR'
set -euo pipefail
cd /media/stick
sha256sum -c ./*.tar.sha256
tar -xf ./*.tar
cd archivist-offline-*/
./install.sh
id archivist
test -d /var/lib/archivist/data -o -d /var/lib/archivist
archivist version
chmod -R a+rX /srv/samples
# As the units run it: the archivist user and the units' environment.
run() {
  OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    setpriv --reuid=archivist --regid=archivist --init-groups -- "$@"
}
cd /var/lib/archivist
run archivist --config /etc/archivist/archivist.toml ingest /srv/samples
run archivist --config /etc/archivist/archivist.toml search "scanning backlog boxes"
run archivist --config /etc/archivist/archivist.toml upgrade --check
run archivist --config /etc/archivist/archivist.toml --log-format text serve --port 9440 2>/tmp/serve.log &
pid=$!
for _ in $(seq 1 100); do grep -q "metrics endpoint listening" /tmp/serve.log && break; sleep 0.2; done
exec 3<>/dev/tcp/127.0.0.1/9464
printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
cat <&3 >/tmp/metrics.txt
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
echo "serve exit status after SIGTERM: $status"
cat /tmp/serve.log
head -1 /tmp/metrics.txt
grep -E '^archivist_(documents|pages|chunks) [0-9]+' /tmp/metrics.txt
OPERATOR
log "installing and running inside the root with no network (unshare -n)"
if ! unshare -n -m -- sh -c "ip link set lo up && mount -t proc proc '$root/proc' &&
                            chroot '$root' bash /tmp/operator.sh" \
     >"$tmp/operator.log" 2>&1; then
  cat "$tmp/operator.log" >&2
  fail "the operator steps failed inside the clean root"
fi
cat "$tmp/operator.log"
grep -q "meeting_notes" "$tmp/operator.log" || fail "search did not find the meeting notes"
docs="$(grep -E '^archivist_documents ' "$tmp/operator.log" | awk '{print $2}')"
[ "${docs:-0}" -ge 1 ] || fail "/metrics reported no documents"
log "PASS (documents in the archive: $docs)"
