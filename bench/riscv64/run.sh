#!/usr/bin/env bash
# riscv64 exit-path benchmark: builds Tessera with the bench guest (tests/guests/riscv64/bench.c)
# and boots it under QEMU -icount shift=0 (1 instruction = 1 ns of virtual time), so the figures
# count instructions, guest and hypervisor together, per round trip. Prints; never gates a test.
# Targets (issue 5): null call <= 118 instructions, emulated MMIO read <= 2x the null call.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/bench-riscv64
make -s ARCH=riscv64 BUILD=$build VM_CONFIGS=tests/guests/riscv64/bench.toml >/dev/null
ARCH=riscv64 SMP=1 QEMU_ARGS='-icount shift=0' timeout 120 scripts/qemu-run.sh $build/tessera.bin \
  | tr -d '\r' | sed -n 's/^\[vm1\] bench: //p'
