#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Linux boot of bench/<arch>/run.sh once more, counted instead of timed: under
# -icount shift=0,sleep=off each guest instruction is one nanosecond of the guest's clock (idle
# time is skipped, not slept), so Linux's own timestamp at power-off measures the work done from
# its timer's start to the end, hypervisor exits included, the same on every run. What wall-clock
# time adds on top is QEMU's cost of emulating the second translation stage and of the host
# memory it touches, which real hardware does not pay.
#   bench/linux_icount.sh ARCH TESSERA_IMAGE LINUX_DIR BARE_QEMU...
# BARE_QEMU is the arch's bench's own QEMU and machine for the bare run (no -smp, -m or images).
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { echo "usage: bench/linux_icount.sh ARCH TESSERA_IMAGE LINUX_DIR BARE_QEMU..." >&2; exit 2; }
arch=$1 image=$2 dir=$3
shift 3
bare=("$@")
icount="-icount shift=0,sleep=off"
cmdline=$(sed -n 's/^cmdline = "\(.*\)"/\1/p' "$dir/linux-1cpu.toml")
tessera_log=$(ARCH=$arch SMP=1 QEMU_ARGS="$icount" timeout -s KILL 600 scripts/qemu-run.sh "$image" 2>&1 | tr -d '\r')
kernel=Image
[ "$arch" != x86_64 ] || kernel=bzImage
bare_log=$(timeout -s KILL 600 "${bare[@]}" -smp 1 -m 256M -nographic -no-reboot $icount -kernel "$dir/$kernel" \
  -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" 2>&1 | tr -d '\r')
power_down() { sed -n 's/.*\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p'; }
t=$(echo "$tessera_log" | power_down)
b=$(echo "$bare_log" | power_down)
boot=$(echo "$tessera_log" | sed -n 's/^\[ *\([0-9.]*\) .*VM\[1\] boot success.*/\1/p')
if [ -z "$t" ] || [ -z "$b" ] || [ -z "$boot" ]; then
  echo "$tessera_log"; echo "$bare_log"; echo "linux_icount.sh: a Linux boot did not complete" >&2; exit 1
fi
awk -v t="$t" -v b="$b" -v boot="$boot" -v a="$arch" 'BEGIN {
  printf "%s Linux under -icount, its own clock at power-off: Tessera %.3f s, bare QEMU %.3f s, ratio %.3f; the VM started %.1fM instructions after reset (firmware and hypervisor boot)\n", a, t, b, t / b, boot * 1000 }'
bench/json_put.py "build/bench-$arch/bench.json" "linux.ratio_icount=$(awk -v t="$t" -v b="$b" 'BEGIN { printf "%.3f", t / b }')" \
  "startup.linux_first_instruction=$(awk -v boot="$boot" 'BEGIN { printf "%d", boot * 1e9 }')"
