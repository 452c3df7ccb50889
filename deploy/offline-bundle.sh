#!/usr/bin/env bash
# Builds the offline install bundle: the archivist .deb, every Debian package it depends on
# (the whole closure), an install script that uses only dpkg/apt on those files, and checksums,
# tarred up for a USB stick. Run it on a networked Debian 12 build host of the same architecture
# as the air-gapped server; see deploy/README.md.
#
#   deploy/offline-bundle.sh [--deb FILE | --build-dir DIR] [--out DIR]
#                            [--target-status FILE] [--no-download]
#
#   --deb FILE            bundle this archivist_<version>_<arch>.deb instead of building one
#   --build-dir DIR       configured and built tree to run `cpack -G DEB` in (default: ./build)
#   --out DIR             where the bundle directory and tarball go (default: ./dist)
#   --target-status FILE  a copy of the server's /var/lib/dpkg/status: bundle only what the server
#                         lacks. Default: assume nothing installed, bundle the full closure
#                         (install.sh skips whatever the server already has at that version or newer)
#   --no-download         take every .deb from this host's /var/cache/apt/archives and fail, naming
#                         the missing ones, rather than download (for a build host that is offline)
#
# Dependencies are resolved by apt itself (`apt-get install --download-only`) against a private
# cache directory and a private dpkg status, so the build host's own installation is neither
# consulted nor changed. Debs already in /var/cache/apt/archives are reused, not downloaded again.
set -euo pipefail

die() { echo "offline-bundle: $*" >&2; exit 1; }

deb=""
build_dir="./build"
out="./dist"
target_status=""
no_download=0
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --target-status) target_status="$2"; shift 2 ;;
    --no-download) no_download=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
here="$(cd "$(dirname "$0")" && pwd)"
for tool in apt-get dpkg-deb sha256sum tar; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

work="$(mktemp -d /tmp/archivist-bundle.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# --- 1. The archivist package -------------------------------------------------------------------
if [ -z "$deb" ]; then
  [ -f "$build_dir/CPackConfig.cmake" ] ||
    die "$build_dir is not a configured build tree (use --build-dir or --deb)"
  echo "offline-bundle: building the .deb in $build_dir"
  cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log" >&2; die "cpack failed"; }
  deb="$(ls "$work"/cpack/archivist_*.deb)"
fi
[ -f "$deb" ] || die "no such .deb: $deb"
deb="$(readlink -f "$deb")"
pkg="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"
arch="$(dpkg-deb -f "$deb" Architecture)"
[ "$pkg" = archivist ] || die "$deb is package '$pkg', not archivist"
[ "$arch" = "$(dpkg --print-architecture)" ] ||
  die "$deb is for $arch; build the bundle on a $arch host so apt resolves the right packages"

# --- 2. Its dependency closure, resolved by apt into a private cache -----------------------------
cache="$work/apt-cache"
mkdir -p "$cache/partial"
status="$work/dpkg-status"
if [ -n "$target_status" ]; then
  cp "$target_status" "$status"
else
  : >"$status"
fi
apt_opts=(
  -o "Dir::Cache::archives=$cache"
  -o "Dir::State::status=$status"
  -o "Debug::NoLocking=1"             # private state: do not take the host's dpkg lock
  -o "pkgCacheGen::Essential=none"    # only what the package needs, not the whole base system
  -o "APT::Install-Recommends=false"
  -o "APT::Install-Suggests=false"
)

# Reuse what the host already downloaded: link the debs apt will ask for into the private cache.
apt-get install -s -q "${apt_opts[@]}" "$deb" >"$work/plan" 2>"$work/plan.err" ||
  { cat "$work/plan.err" >&2; die "apt cannot resolve archivist's dependencies on this host"; }
# "Inst NAME [OLD] (VERSION ORIGIN [ARCH])" -> the archive's file name, NAME_VERSION_ARCH.deb.
sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) [^)]*\[\([^]]*\)\]).*$/\1 \3 \4/p' \
  "$work/plan" >"$work/needed"
[ -s "$work/needed" ] || die "apt planned no packages; its plan was: $(cat "$work/plan")"
missing=()
while read -r name ver a; do
  [ "$name" = archivist ] && continue
  file="${name}_${ver//:/%3a}_${a}.deb"
  if [ -f "/var/cache/apt/archives/$file" ]; then
    ln -f "/var/cache/apt/archives/$file" "$cache/$file" 2>/dev/null ||
      cp "/var/cache/apt/archives/$file" "$cache/$file"
  else
    missing+=("$file")
  fi
done <"$work/needed"
if [ "$no_download" -eq 1 ] && [ ${#missing[@]} -gt 0 ]; then
  die "--no-download: ${#missing[@]} packages are not in /var/cache/apt/archives: ${missing[*]}"
fi
echo "offline-bundle: $(wc -l <"$work/needed") packages in the closure," \
     "${#missing[@]} to download"

download_flag=()
[ "$no_download" -eq 1 ] && download_flag=(--no-download)
if ! apt-get install --download-only -y -qq "${download_flag[@]}" "${apt_opts[@]}" "$deb" \
     >"$work/download.log" 2>&1; then
  cat "$work/download.log" >&2
  [ "$no_download" -eq 1 ] && die "some dependencies are not in /var/cache/apt/archives (above)"
  die "downloading the dependencies failed"
fi

# --- 3. The bundle ------------------------------------------------------------------------------
name="archivist-offline-${version}-${arch}"
bundle="$out/$name"
rm -rf "$bundle"
mkdir -p "$bundle/debs"
cp "$deb" "$bundle/"
ndeps=0
for f in "$cache"/*.deb; do
  [ -e "$f" ] || continue
  cp "$f" "$bundle/debs/"
  ndeps=$((ndeps + 1))
done
cp "$here/bundle-install.sh" "$bundle/install.sh"
chmod 0755 "$bundle/install.sh"
cp "$here/README.md" "$bundle/README.md"
(cd "$bundle" && find . -name '*.deb' -printf '%P\n' | sort | xargs sha256sum >SHA256SUMS)
tar -C "$out" -cf "$out/$name.tar" "$name"
(cd "$out" && sha256sum "$name.tar" >"$name.tar.sha256")

echo "offline-bundle: $out/$name.tar ($(du -h "$out/$name.tar" | cut -f1)):" \
     "archivist $version and $ndeps dependency packages"
echo "offline-bundle: checksum in $out/$name.tar.sha256; on the server run ./install.sh as root"
