#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots IMAGE under -icount (as the other instruction-counted figures) with one CPU (SMP=N: N) and
# writes the console to LOG until VM 1 powers off, then stops QEMU: for a bench guest beside a VM
# that never stops (the CPU-bound ticker guest), where the hypervisor would not power off.
#   [SMP=N] bench/run_until_off.sh ARCH IMAGE LOG
set -euo pipefail
arch=$1 image=$2 log=$3
cd "$(dirname "$0")/.."
# Line-buffered: the loop below reads the log while QEMU runs (a quiet ticker fills no 4 KiB buffer).
ARCH=$arch SMP=${SMP:-1} MEM=512M QEMU_ARGS="-icount shift=0,sleep=off" \
  setsid scripts/qemu-run.sh "$image" </dev/null 2>/dev/null | stdbuf -oL tr -d '\r' > "$log" &
for _ in $(seq 1200); do
  grep -q 'VM\[1\] [a-z]*: the guest powered off' "$log" && break
  sleep 0.5
done
pkill -f "qemu-system.*$image" || true  # (not "$image" alone: this script's own command line holds it)
wait || true
grep -q 'VM\[1\] [a-z]*: the guest powered off' "$log" || { echo "run_until_off.sh: VM 1 did not power off ($log)" >&2; exit 1; }
