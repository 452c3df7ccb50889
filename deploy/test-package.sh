#!/usr/bin/env bash
# Builds the .deb from a configured and built tree, checks what it declares and contains, unpacks
# it with `dpkg -x` into a temporary root (a clean Debian 12 directory tree) and runs that tree's
# usr/bin/archivist: version, then ingest + search over samples/docs/*.txt.
#
#   deploy/test-package.sh BUILD_DIR SOURCE_DIR      (CTest: archivist_package_test)
#
# Exit 0: pass; 77: skipped (a tool is missing); anything else: failure, with the reason printed.
set -euo pipefail

build="$(readlink -f "${1:?usage: $0 BUILD_DIR SOURCE_DIR}")"
src="$(readlink -f "${2:?usage: $0 BUILD_DIR SOURCE_DIR}")"

fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
skip() { echo "test-package: SKIP: $*" >&2; exit 77; }

for tool in cpack dpkg-deb dpkg-shlibdeps ldd; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ -f "$build/CPackConfig.cmake" ] || fail "$build has no CPackConfig.cmake (not configured?)"

tmp="$(mktemp -d /tmp/archivist_package_test.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# --- Build the package ---------------------------------------------------------------------------
# cpack first builds the tree's install prerequisites (a no-op in a built tree).
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB failed"; }
shopt -s nullglob
debs=("$tmp"/pkg/archivist_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one archivist_<version>_<arch>.deb, got: ${debs[*]:-none}"
deb="${debs[0]}"
arch="$(dpkg --print-architecture)"
version="$(dpkg-deb -f "$deb" Version)"
[ "$(basename "$deb")" = "archivist_${version}_${arch}.deb" ] ||
  fail "file name $(basename "$deb") is not archivist_${version}_${arch}.deb"
echo "test-package: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- Control data --------------------------------------------------------------------------------
depends="$(dpkg-deb -f "$deb" Depends)"
echo "test-package: Depends: $depends"
# Explicit ones, then a sample of what dpkg-shlibdeps must have found from the binary's links
# (RocksDB and FAISS are static libraries in Debian 12: they are inside the binary).
for dep in tesseract-ocr-eng tesseract-ocr-osd adduser libc6 libstdc++6 libpoppler-cpp \
           libtesseract liblept libtbb libthrift liblapack libicu; do
  grep -q "\b$dep" <<<"$depends" || fail "Depends lacks $dep"
done
mkdir "$tmp/control"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx "/etc/archivist/archivist.toml" "$tmp/control/conffiles" ||
  fail "/etc/archivist/archivist.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "maintainer script $script missing or not executable"
  sh -n "$tmp/control/$script" || fail "maintainer script $script has a syntax error"
done
grep -q "adduser --system" "$tmp/control/postinst" || fail "postinst creates no system user"
grep -q "/var/lib/archivist" "$tmp/control/postinst" || fail "postinst creates no /var/lib/archivist"

# --- Contents ------------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $NF}' >"$tmp/contents"
for f in ./usr/bin/archivist ./etc/archivist/archivist.toml \
         ./lib/systemd/system/archivist.service ./lib/systemd/system/archivist-ingest@.service \
         ./lib/systemd/system/archivist-ingest@.path ./usr/share/man/man1/archivist.1.gz \
         ./usr/share/man/man1/archivist-ingest.1.gz ./usr/share/man/man1/archivist-search.1.gz \
         ./usr/share/man/man1/archivist-serve.1.gz ./usr/share/doc/archivist/README.md; do
  grep -qxF "$f" "$tmp/contents" || fail "package lacks $f"
done
if grep -qE '^\./usr/(local|include)|\.a$|\.h$' "$tmp/contents"; then
  fail "package ships build leftovers: $(grep -E '^\./usr/(local|include)|\.a$|\.h$' "$tmp/contents")"
fi

# --- Unpack into a clean root and run it ---------------------------------------------------------
root="$tmp/root"
dpkg -x "$deb" "$root"
bin="$root/usr/bin/archivist"
[ -x "$bin" ] || fail "usr/bin/archivist is not executable"
# The binary must need nothing from the build tree: every library from the system's own dirs.
ldd "$bin" >"$tmp/ldd" || fail "ldd $bin failed"
if grep -q "not found" "$tmp/ldd"; then fail "unresolved libraries: $(grep 'not found' "$tmp/ldd")"; fi
if grep "=>" "$tmp/ldd" | awk '{print $3}' | grep -vqE '^/(usr/)?lib(64|x32)?/'; then
  fail "libraries from outside the system directories: $(cat "$tmp/ldd")"
fi
if grep -q "$build" "$tmp/ldd"; then fail "the binary links into the build tree"; fi

unset LD_LIBRARY_PATH
out="$("$bin" version)" || fail "archivist version exited with $?"
[ "$out" = "archivist ${version}" ] || fail "archivist version printed '$out', package is $version"

# The packaged config parses, and points the service's data at its state directory.
grep -q '^dir = "/var/lib/archivist/data"' "$root/etc/archivist/archivist.toml" ||
  fail "packaged config does not put the data in /var/lib/archivist/data"
"$bin" --config "$root/etc/archivist/archivist.toml" version >/dev/null ||
  fail "archivist rejects its own packaged config"

# Man pages were generated from --help: the ingest page documents the ingest options.
zcat "$root/usr/share/man/man1/archivist-ingest.1.gz" | grep -q -- 'collection' ||
  fail "archivist-ingest(1) does not document --collection"

data="$tmp/data"
"$bin" --data-dir "$data" ingest "$src"/samples/docs/*.txt >"$tmp/ingest.out" 2>&1 ||
  { cat "$tmp/ingest.out" >&2; fail "ingest of samples/docs/*.txt failed"; }
"$bin" --data-dir "$data" search "scanning backlog boxes" >"$tmp/search.out" 2>&1 ||
  { cat "$tmp/search.out" >&2; fail "search failed"; }
grep -q "meeting_notes — page 1" "$tmp/search.out" ||
  { cat "$tmp/search.out" >&2; fail "search did not find the meeting notes"; }

# --- systemd units -------------------------------------------------------------------------------
# `systemd-analyze verify` against the unpacked tree, with the templates instantiated.
if command -v systemd-analyze >/dev/null; then
  units="$tmp/units"
  mkdir "$units"
  cp "$root/lib/systemd/system/archivist.service" "$units/"
  cp "$root/lib/systemd/system/archivist-ingest@.service" "$units/archivist-ingest@clinic.service"
  cp "$root/lib/systemd/system/archivist-ingest@.path" "$units/archivist-ingest@clinic.path"
  sed -i "s#/usr/bin/archivist#$bin#" "$units"/*.service
  if ! SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
       "$units/archivist.service" "$units/archivist-ingest@clinic.service" \
       "$units/archivist-ingest@clinic.path" >"$tmp/verify.log" 2>&1; then
    cat "$tmp/verify.log" >&2
    fail "systemd-analyze verify rejected the units"
  fi
  # Unknown or misspelt keys are only warnings ("ignoring"): treat them as failures too.
  if grep -q "archivist" "$tmp/verify.log"; then
    cat "$tmp/verify.log" >&2
    fail "systemd-analyze verify warned about the units"
  fi
else
  echo "test-package: systemd-analyze not installed, unit verification skipped"
fi

# --- Offline bundle ------------------------------------------------------------------------------
# Bundle for a server shaped like this host (its own dpkg status, nothing downloaded), unpack the
# tarball and let install.sh show what apt would do: install archivist, change nothing else.
if command -v apt-get >/dev/null && [ -r /var/lib/dpkg/status ]; then
  bash "$src/deploy/offline-bundle.sh" --deb "$deb" --out "$tmp/dist" \
    --target-status /var/lib/dpkg/status --no-download >"$tmp/bundle.log" 2>&1 ||
    { cat "$tmp/bundle.log" >&2; fail "offline-bundle.sh failed"; }
  tarball="$tmp/dist/archivist-offline-${version}-${arch}.tar"
  [ -f "$tarball" ] || fail "offline-bundle.sh wrote no $(basename "$tarball")"
  (cd "$tmp/dist" && sha256sum --quiet -c "$(basename "$tarball").sha256") ||
    fail "the bundle's .sha256 does not match"
  mkdir "$tmp/unpacked"
  tar -C "$tmp/unpacked" -xf "$tarball"
  bundle="$tmp/unpacked/archivist-offline-${version}-${arch}"
  for f in install.sh SHA256SUMS README.md "archivist_${version}_${arch}.deb"; do
    [ -e "$bundle/$f" ] || fail "bundle lacks $f"
  done
  "$bundle/install.sh" --simulate >"$tmp/simulate.log" 2>&1 ||
    { cat "$tmp/simulate.log" >&2; fail "install.sh --simulate failed"; }
  grep -q "^Inst archivist " "$tmp/simulate.log" ||
    { cat "$tmp/simulate.log" >&2; fail "install.sh --simulate would not install archivist"; }
  if grep -E "^(Remv|Inst) " "$tmp/simulate.log" | grep -qv "^Inst archivist "; then
    cat "$tmp/simulate.log" >&2
    fail "install.sh would install or remove more than archivist on a host that has its deps"
  fi
else
  echo "test-package: apt-get not available, offline bundle check skipped"
fi

echo "test-package: PASS"
