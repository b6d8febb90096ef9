#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates the seed corpus of tests/fuzz/fuzz_fat32.c: small FAT32 volumes made by mkfs.fat and
# filled by mtools, stored sparse (u32 sector number + 512 bytes, for each sector that is not zero).
# Run by hand when the input format changes; the seeds are committed.
set -euo pipefail
out=${1:-tests/fuzz/corpus/fat32}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
sparse() { python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
with open(sys.argv[2], 'wb') as out:
    for s in range(len(data) // 512):
        sector = data[s * 512:(s + 1) * 512]
        if any(sector):
            out.write(struct.pack('<I', s) + sector)
PY
}
mkdir -p "$out"
# 33 MiB, 512-byte clusters: the smallest volumes mtools treats as FAT32.
make_volume() { rm -f "$work/d.img"; mkfs.fat -F 32 -C -S 512 -s 1 -f 1 "$work/d.img" 33792 >/dev/null; }
printf 'hello from the disk\n' > "$work/hello.bin"
head -c 3000 /dev/zero | tr '\0' 'x' > "$work/three_k"
printf '[base]\nid = 1\nname = "hello"\n' > "$work/hello.toml"

make_volume
sparse "$work/d.img" "$out/empty"

make_volume
mmd -i "$work/d.img" ::/guest ::/guest/vm_default
mcopy -i "$work/d.img" "$work/hello.bin" ::/guest/hello.bin
mcopy -i "$work/d.img" "$work/hello.toml" ::/guest/vm_default/hello.toml
sparse "$work/d.img" "$out/guest_tree"

make_volume
mmd -i "$work/d.img" ::/a ::/a/b ::/a/b/c
mcopy -i "$work/d.img" "$work/three_k" "::/a/b/c/A long name for a small file.txt"
for i in 0 1 2 3; do mcopy -i "$work/d.img" "$work/hello.bin" "::/f$i"; done
mdel -i "$work/d.img" ::/f0 ::/f2
sparse "$work/d.img" "$out/long_names_deep"
ls -la "$out"
