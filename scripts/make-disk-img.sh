#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates a FAT32 disk image for Tessera with mkfs.fat and mtools: no mount, no root.
#   scripts/make-disk-img.sh OUT.img ARCH ENTRY...
# An ENTRY ending in .toml is a VM config: it goes to /guest/vm_default/ on the disk, where the
# hypervisor reads configs at boot, and every image it names with image_location = "fs"
# (kernel_path, dtb_path, bios_path, ramdisk_path: paths on the disk) is copied to that path, taken
# from the host file with the same base name next to the config or in build/guests/ARCH/.
# Any other ENTRY is a file copied to /guest/<its base name>.
# DISK_SIZE_MB (default 64) sets the size; the image is sparse.
set -euo pipefail
out=${1:?usage: make-disk-img.sh OUT.img ARCH ENTRY...}
arch=${2:?usage: make-disk-img.sh OUT.img ARCH ENTRY...}
shift 2
size_mb=${DISK_SIZE_MB:-64}
export MTOOLS_SKIP_CHECK=1
die() { echo "make-disk-img.sh: $*" >&2; rm -f "$out.tmp"; exit 1; }

rm -f "$out.tmp"
# 512-byte clusters keep even a small disk above the 65525 clusters that make a volume FAT32.
mkfs.fat -F 32 -S 512 -s 1 -n TESSERA -C "$out.tmp" $((size_mb * 1024)) > /dev/null ||
  die "mkfs.fat failed"
mmd -i "$out.tmp" ::/guest ::/guest/vm_default

made_dirs=" /guest /guest/vm_default "
copy_to_disk() { # host-file disk-path
  local dir="" part
  local parent=${2%/*}
  IFS=/ read -ra parts <<< "${parent#/}"
  for part in "${parts[@]}"; do
    [ -n "$part" ] || continue
    dir="$dir/$part"
    case "$made_dirs" in *" $dir "*) ;; *) mmd -i "$out.tmp" "::$dir"; made_dirs="$made_dirs$dir ";; esac
  done
  mcopy -o -i "$out.tmp" "$1" "::$2" || die "cannot copy $1 to $2"
  echo "  DISK    $2 <- $1"
}

for entry in "$@"; do
  [ -f "$entry" ] || die "no such file: $entry"
  case "$entry" in
  *.toml)
    copy_to_disk "$entry" "/guest/vm_default/$(basename "$entry")"
    grep -q '^[[:space:]]*image_location[[:space:]]*=[[:space:]]*"memory"' "$entry" && continue
    while read -r disk_path; do
      [ -n "$disk_path" ] || continue
      name=$(basename "$disk_path")
      src=""
      for candidate in "$(dirname "$entry")/$name" "build/guests/$arch/$name"; do
        [ -f "$candidate" ] && { src=$candidate; break; }
      done
      [ -n "$src" ] || die "$entry names '$disk_path': no $name next to it or in build/guests/$arch/"
      copy_to_disk "$src" "/${disk_path#/}"
    done < <(sed -n 's/^[[:space:]]*\(kernel\|dtb\|bios\|ramdisk\)_path[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\2/p' "$entry")
    ;;
  *) copy_to_disk "$entry" "/guest/$(basename "$entry")" ;;
  esac
done
mv "$out.tmp" "$out"
echo "  DISK    $out (${size_mb} MiB FAT32)"
