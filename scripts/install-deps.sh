#!/usr/bin/env bash
# Installs every Debian 12 package Archivist needs to build, test and run. Idempotent.
set -euo pipefail

PKGS=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # storage and vectors
  librocksdb-dev libfaiss-dev libopenblas-dev liblapack-dev libomp-dev
  # documents
  libpoppler-cpp-dev libpoppler-private-dev poppler-utils
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd
  libmagic-dev
  # text
  libicu-dev libstemmer-dev libpcre2-dev
  # threads, api, cli, config
  libtbb-dev thrift-compiler libthrift-dev libboost-dev libssl-dev python3-thrift openssl
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libxxhash-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libxapian-dev
  # sample generation and measurement tools
  python3 ghostscript imagemagick fonts-dejavu-core libtiff-tools strace iproute2
  # packaging (deploy/): man pages from --help, dpkg-shlibdeps for the .deb Depends;
  # fontconfig headers: the CLI keeps fontconfig out of $HOME (air-gap test)
  help2man dpkg-dev libfontconfig-dev
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
