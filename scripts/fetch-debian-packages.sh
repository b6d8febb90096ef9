#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Downloads Debian packages for another architecture into a cache and unpacks them there, with a
# private apt configuration: the system's apt state (sources, lists, dpkg status) is not touched.
#   scripts/fetch-debian-packages.sh ARCH SUITE DEST PACKAGE...
# ARCH is Debian's (arm64, riscv64, amd64). A metapackage (linux-image-cloud-arm64) is followed to
# the package it depends on. Each package is unpacked into DEST/<package>/; DEST/<package>.deb stays
# as the record of what was fetched. Re-running with everything present does nothing. The package
# lists are refreshed once a day, or now with FETCH_REFRESH=1.
set -euo pipefail
arch=${1:?arch}; suite=${2:?suite}; dest=${3:?dest}; shift 3
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
state="$dest/.apt-$suite-$arch"
mirror=http://deb.debian.org/debian
case "$suite" in sid|unstable) mirror=http://deb.debian.org/debian ;; esac

apt_opts=(
  -o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State=$state" -o "Dir::State::Lists=$state/lists" -o "Dir::State::Status=$state/status"
  -o "Dir::Cache=$state/cache" -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
  -o "Debug::NoLocking=1" -o "Acquire::Languages=none"
)

need_update=0
for p in "$@"; do [ -d "$dest/$p" ] || need_update=1; done
[ $need_update = 1 ] || exit 0

mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
: > "$state/status"
echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$state/sources.list"
if [ "${FETCH_REFRESH:-0}" = 1 ] || [ ! -e "$state/updated" ] || [ -n "$(find "$state/updated" -mmin +1440)" ]; then
  apt-get "${apt_opts[@]}" update -q >&2
  touch "$state/updated"
fi

# The real package behind a metapackage, following its first linux-image-<version>-* dependency
# and, since Debian's 7.x kernels, that package's linux-binary-<version>-* (which holds /boot).
resolve() {
  local p=$1 dep
  while dep=$(apt-cache "${apt_opts[@]}" depends "$p" 2>/dev/null |
                awk '/Depends: linux-(image|binary)-[0-9]/ {print $2; exit}') && [ -n "$dep" ]; do
    p=$dep
  done
  echo "$p"
}

for p in "$@"; do
  [ -d "$dest/$p" ] && continue
  real=$(resolve "$p")
  (cd "$state/cache/archives" && apt-get "${apt_opts[@]}" download "$real:$arch" >&2)
  deb=$(ls -t "$state"/cache/archives/"${real}"_*.deb | head -n1)
  cp "$deb" "$dest/$p.deb"
  rm -rf "$dest/$p.tmp" && mkdir -p "$dest/$p.tmp"
  dpkg-deb -x "$deb" "$dest/$p.tmp"
  mv "$dest/$p.tmp" "$dest/$p"
  echo "fetched $p ($real) for $arch into $dest/$p" >&2
done
