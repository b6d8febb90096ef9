#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds a disk image holding the ext4 root of the Linux test guests (Debian's static busybox and
# tests/guests/linux/root-init.sh as /sbin/init), without root: mke2fs -d fills each filesystem from
# a directory, and the partition table is written by sfdisk into the image file. No loop mount.
#   scripts/make-linux-root.sh ARCH OUT.img [SIZE_MB...]
# One size (default 32): the whole disk is one filesystem, labelled tessera-root (boot it with
# tessera.root=/dev/vda). Several: an MBR with one Linux partition each, from 1 MiB on, holding the
# same tree labelled tessera-root1, tessera-root2, ... (/dev/vda1, /dev/vda2, ...). Each root also
# has its label in /tessera-label, which root-init.sh prints. The image is sparse.
set -euo pipefail
arch=${1:?usage: make-linux-root.sh ARCH OUT.img [SIZE_MB...]}
out=${2:?usage: make-linux-root.sh ARCH OUT.img [SIZE_MB...]}
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(32)
root=$(cd "$(dirname "$0")/.." && pwd)
case "$arch" in
  aarch64) debarch=arm64 suite=bookworm ;;
  riscv64) debarch=riscv64 suite=sid ;;
  x86_64) debarch=amd64 suite=bookworm ;;
  *) echo "make-linux-root.sh: unknown arch '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
for tool in mke2fs sfdisk; do
  command -v "$tool" > /dev/null || PATH=$PATH:/sbin:/usr/sbin
  command -v "$tool" > /dev/null || {
    echo "make-linux-root.sh: no $tool: scripts/ensure-deps.sh test installs it" >&2; exit 1; }
done
cache="$root/.cache/debian/$debarch"
"$root/scripts/fetch-debian-packages.sh" "$debarch" "$suite" "$cache" busybox-static
busybox=
for f in "$cache"/busybox-static/bin/busybox "$cache"/busybox-static/usr/bin/busybox; do
  [ -f "$f" ] && busybox=$f && break
done
[ -n "$busybox" ] || { echo "make-linux-root.sh: no busybox in $cache/busybox-static" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-root.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The tree: /bin/sh for root-init.sh's #! line; the mount points the initramfs moves /dev, /proc
# and /sys to; /tmp and /mnt.
tree=$work/tree
mkdir -p "$tree"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,root}
chmod 1777 "$tree/tmp"
cp "$busybox" "$tree/bin/busybox"
chmod 755 "$tree/bin/busybox"
ln -s busybox "$tree/bin/sh"
install -m 755 "$root/tests/guests/linux/root-init.sh" "$tree/sbin/init"

# An ext4 filesystem of $2 MiB labelled $3 in the file $1.
make_fs() {
  echo "$3" > "$tree/tessera-label"
  rm -f "$1"
  # -E root_owner: the files are the builder's, but the root directory is root's in the guest.
  mke2fs -q -t ext4 -L "$3" -d "$tree" -E root_owner=0:0 -F "$1" "$2M" > /dev/null
}

rm -f "$out.tmp"
if [ ${#sizes[@]} -eq 1 ]; then
  make_fs "$out.tmp" "${sizes[0]}" tessera-root
else
  # Partitions from 1 MiB (sector 2048), each after the last, type 83 (Linux), and 1 MiB spare at
  # the end; each filesystem is made apart and copied in at its partition's offset.
  total=2; script="label: dos"$'\n'; start=1
  for s in "${sizes[@]}"; do
    script+="start=$((start * 2048)), size=$((s * 2048)), type=83"$'\n'
    start=$((start + s)); total=$((total + s))
  done
  truncate -s "${total}M" "$out.tmp"
  sfdisk -q "$out.tmp" <<< "$script"
  start=1; n=1
  for s in "${sizes[@]}"; do
    make_fs "$work/part.img" "$s" "tessera-root$n"
    dd if="$work/part.img" of="$out.tmp" bs=1M seek="$start" conv=notrunc,sparse status=none
    start=$((start + s)); n=$((n + 1))
  done
fi
mv "$out.tmp" "$out"
