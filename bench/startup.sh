#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up (issue 19): instructions from the hypervisor's first instruction to the demo guest's
# first instruction, under -icount shift=0,sleep=off on one CPU (one instruction per virtual
# nanosecond; the hypervisor's log timestamps count from reset, and its "Timer:" line says when its
# entry code ran), beside the same from reset, firmware included (none on aarch64, OpenSBI on riscv64,
# the PC BIOS on x86_64). Into the bench's JSON as startup.demo_first_instruction (from the
# hypervisor's first instruction) and startup.demo_from_reset.
#   bench/startup.sh ARCH
set -euo pipefail
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/.."
arch=$1
B=build/bench-$arch
make -s ARCH="$arch" BUILD=$B-demo >/dev/null
image=$B-demo/tessera.bin
[ "$arch" != x86_64 ] || image=$B-demo/tessera.elf32
log=$(ARCH=$arch SMP=1 QEMU_ARGS="-icount shift=0,sleep=off" timeout -s KILL 60 scripts/qemu-run.sh "$image" 2>&1 | tr -d '\r')
at() { echo "$log" | sed -n "s/^\[ *\([0-9.]*\) .*$1.*/\1/p" | head -n1; }
first=$(at "VM\[1\] boot success")
entry=$(echo "$log" | sed -n 's/.*main:[0-9]*\] Timer: .*first instruction at \([0-9.]*\) s.*/\1/p' | head -n1)
[ -n "$first" ] && [ -n "$entry" ] || { echo "$log"; echo "startup.sh: the demo did not start" >&2; exit 1; }
awk -v f="$first" -v e="$entry" -v a="$arch" 'BEGIN {
  printf "%s start-up: the demo guest'"'"'s first instruction %.2fM instructions after the hypervisor'"'"'s first (%.2fM after reset: the hypervisor started at %.2fM)\n", a, (f - e) * 1000, f * 1000, e * 1000 }'
bench/json_put.py $B/bench.json "startup.demo_first_instruction=$(awk -v f="$first" -v e="$entry" 'BEGIN { printf "%d", (f - e) * 1e9 }')" \
  "startup.demo_from_reset=$(awk -v f="$first" 'BEGIN { printf "%d", f * 1e9 }')"
