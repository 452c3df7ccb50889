#!/bin/sh
# Installs Archivist from this offline bundle. Needs no network: apt/dpkg read only the .deb files
# next to this script. Run as root on the air-gapped Debian 12 server:
#
#   ./install.sh           install with apt-get (resolves the order, refuses to break anything)
#   ./install.sh --dpkg    install with dpkg -i alone (for a server without apt)
#   ./install.sh --simulate  show what apt would do, change nothing (any user)
#
# Packages the server already has at the bundled version or newer are left alone; the packaged
# configuration /etc/archivist/archivist.toml is a conffile, so an upgrade keeps local edits.
set -eu

cd "$(dirname "$0")"
use_dpkg=0
simulate=0
case "${1:-}" in
  --dpkg) use_dpkg=1 ;;
  --simulate) simulate=1 ;;
  "") ;;
  *) echo "usage: $0 [--dpkg | --simulate]" >&2; exit 64 ;;
esac
[ "$simulate" -eq 1 ] || [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

echo "install.sh: checking the bundle against SHA256SUMS"
sha256sum --quiet --strict -c SHA256SUMS || { echo "install.sh: bundle is damaged" >&2; exit 1; }

main=$(ls archivist_*.deb)
set -f  # the file names below are plain words: split them, never glob them
server_arch=$(dpkg --print-architecture)
bundle_arch=$(dpkg-deb -f "$main" Architecture)
if [ "$server_arch" != "$bundle_arch" ]; then
  echo "install.sh: this bundle is for $bundle_arch, the server is $server_arch" >&2
  exit 1
fi

# Sort the bundled dependencies: missing on the server, older on the server, or already there at
# that version or newer (left alone: the bundle never downgrades what the system uses).
missing=""
older=""
present=0
for deb in $(ls debs/ | grep '\.deb$'); do
  pkg=$(dpkg-deb -f "debs/$deb" Package)
  ver=$(dpkg-deb -f "debs/$deb" Version)
  arch=$(dpkg-deb -f "debs/$deb" Architecture)
  query="$pkg"
  [ "$arch" = all ] || query="$pkg:$arch"
  have=$(dpkg-query -W -f '${db:Status-Status} ${Version}' "$query" 2>/dev/null || true)
  case "$have" in
    "installed "*)
      if dpkg --compare-versions "${have#installed }" ge "$ver"; then
        present=$((present + 1))
      else
        older="$older ./debs/$deb"
      fi ;;
    *) missing="$missing ./debs/$deb" ;;
  esac
done
echo "install.sh: dependencies: $(echo $missing | wc -w) missing, $(echo $older | wc -w) older" \
     "on this server, $present already present"

export DEBIAN_FRONTEND=noninteractive
# apt sees only the bundle and dpkg's status: no sources, and an empty package-list directory.
# Otherwise a server whose lists name the same versions (any server installed from a Debian
# mirror) makes apt pick the mirror's copy of a package over the bundle's file, and with
# --no-download the install fails with "Unable to fetch some archives" (found by
# deploy/test-install-chroot.sh on a debootstrapped root).
# The .debs are also staged (hard links, else copies) in apt's archive directory and named by
# absolute path: apt 2.6 otherwise stops with "Internal Error, Pathname to install is not
# absolute" on local files whose name has an epoch (tesseract-ocr-eng_1%3a…) — found the same way.
apt_state="$(mktemp -d)"
trap 'rm -rf "$apt_state"' EXIT
mkdir -p "$apt_state/lists/partial" "$apt_state/sources.list.d" "$apt_state/archives/partial"
: >"$apt_state/sources.list"
apt_install() {
  # POSIX sh has no arrays: rotate the arguments, replacing each .deb by its staged path.
  for f in "$@"; do
    shift
    case "$f" in
      *.deb) ln -f "$f" "$apt_state/archives/" 2>/dev/null || cp -f "$f" "$apt_state/archives/"
             set -- "$@" "$apt_state/archives/$(basename "$f")" ;;
      *) set -- "$@" "$f" ;;
    esac
  done
  apt-get install --no-download --no-install-recommends -o Dpkg::Options::=--force-confold \
    -o Dir::State::Lists="$apt_state/lists" -o Dir::Etc::SourceList="$apt_state/sources.list" \
    -o Dir::Etc::SourceParts="$apt_state/sources.list.d" \
    -o Dir::Cache::Archives="$apt_state/archives/" "$@"
}
if [ "$use_dpkg" -eq 1 ]; then
  # One dpkg run unpacks everything before configuring, so dependency order does not matter.
  [ "$simulate" -eq 1 ] && { echo "install.sh: would run: dpkg -i $missing $older ./$main"; exit 0; }
  dpkg -i --force-confold $missing $older "./$main"
else
  # Upgrade a library the server already has only if archivist really needs the newer version:
  # other installed packages may pin the old one, and apt can only draw on this bundle.
  selected="$missing"
  if ! apt_install -s $selected "./$main" >/dev/null 2>&1; then
    echo "install.sh: archivist needs newer versions of installed packages; upgrading those too"
    selected="$missing $older"
  fi
  if [ "$simulate" -eq 1 ]; then
    apt_install -s $selected "./$main"
    exit 0
  fi
  apt_install -y $selected "./$main"
fi

echo "install.sh: installed $(/usr/bin/archivist version)"
cat <<'NEXT'
install.sh: next steps (deploy/README.md has the details):
  1. review /etc/archivist/archivist.toml
  2. systemctl enable --now archivist.service                 # the Thrift API on 127.0.0.1:9440
  3. systemctl enable --now archivist-ingest@<name>.path      # optional drop folder
  4. sudo -u archivist archivist --config /etc/archivist/archivist.toml stats
NEXT
