#!/usr/bin/env bash
# Generates the man pages from the binary's own --help, so they can never drift from the options
# the binary really has. Called by the build (target archivist_man); usable by hand too.
#
#   gen-man.sh ARCHIVIST_BINARY VERSION INCLUDE_FILE OUT_DIR
#
# Writes OUT_DIR/archivist.1.gz and OUT_DIR/archivist-<subcommand>.1.gz for every subcommand.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 ARCHIVIST_BINARY VERSION INCLUDE_FILE OUT_DIR" >&2
  exit 64
fi
bin="$(readlink -f "$1")"
version="$2"
include="$3"
out="$4"

command -v help2man >/dev/null || { echo "gen-man: help2man is not installed" >&2; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One page per subcommand, found in the binary's own help so a new subcommand gets a page without
# touching this script: "name|description" from the lines under "Subcommands:".
pages=("|on-premise document intelligence: ingest, search and ask over a private archive")
while IFS= read -r line; do
  pages+=("$line")
done < <(OMP_THREAD_LIMIT=1 "$bin" --help |
         awk '/^Subcommands:/ {on = 1; next}
              on && /^  [a-z]/ {name = $1; $1 = ""; sub(/^ +/, ""); print name "|" $0; next}
              on && !/^ / {on = 0}')
if [ ${#pages[@]} -lt 2 ]; then
  echo "gen-man: found no subcommands in '$bin --help'" >&2
  exit 1
fi

# help2man names a page after the program it runs, so each subcommand gets a wrapper called
# archivist-<sub>; the page then reads `archivist-ingest`, and `man archivist-ingest` finds it.
for entry in "${pages[@]}"; do
  sub="${entry%%|*}"
  desc="${entry#*|}"
  if [ -z "$sub" ]; then
    name="archivist"
    printf '#!/bin/sh\nexec %q "$@"\n' "$bin" >"$work/$name"
  else
    name="archivist-$sub"
    printf '#!/bin/sh\nexec %q %q "$@"\n' "$bin" "$sub" >"$work/$name"
  fi
  chmod +x "$work/$name"
  # The environment pins OpenMP so the binary does not re-execute itself (see cli/src/main.cc).
  OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 help2man --no-info --section=1 \
    --version-string="$version" --name="$desc" --source="Archivist $version" \
    --manual="Archivist Manual" --include="$include" \
    --output="$work/$name.1" "$work/$name"
  gzip -9n -c "$work/$name.1" >"$out/$name.1.gz"
done
