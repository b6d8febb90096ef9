#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up (issue 19): instructions from reset to the demo guest's first instruction, under
# -icount shift=0,sleep=off on one CPU (one instruction per virtual nanosecond; the hypervisor's
# log timestamps count from reset), firmware included (none on aarch64, OpenSBI on riscv64, the
# PC BIOS on x86_64). Into the bench's JSON as startup.demo_first_instruction.
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
timer=$(at "main:[0-9]*\] Timer:")
[ -n "$first" ] && [ -n "$timer" ] || { echo "$log"; echo "startup.sh: the demo did not start" >&2; exit 1; }
awk -v f="$first" -v t="$timer" -v a="$arch" 'BEGIN {
  printf "%s start-up: the demo guest'"'"'s first instruction %.2fM instructions after reset (the hypervisor'"'"'s first log line at %.2fM)\n", a, f * 1000, t * 1000 }'
bench/json_put.py $B/bench.json "startup.demo_first_instruction=$(awk -v f="$first" 'BEGIN { printf "%d", f * 1e9 }')"
