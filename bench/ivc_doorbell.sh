#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The IVC doorbell round trip (issue 15), printed, gating nothing: two bare-metal VMs
# (tests/guests/common/ivc.c as VMs 11 and 12, tests/guests/ARCH/ivc-bench-*.toml) ring each other
# 1000 times through Tessera's doorbell hypercall (docs/hypercalls.md): VM 11 rings, VM 12's
# interrupt handler wakes it and it rings back, VM 11's handler wakes it. Under -icount shift=0 one
# instruction is one ns of the guests' clock, so the round trip is the instructions the CPUs
# executed for it (hypervisor and guests; a CPU waiting in WFI/HLT executes none). Two layouts:
# the VMs on CPUs 0 and 1 (each doorbell an interrupt sent to the other CPU), and both on CPU 0
# (each doorbell a switch between the VMs' tasks). riscv64 has only the second: with two harts
# under -icount its boot hangs at the second hart's start (QEMU 7.2; not under Tessera's control
# so far). Printed beside the arch's null call (NULL, measured by the caller in the same bench run)
# with the issue's target, 3x the null call, and merged into build/bench-ARCH/bench.json as ivc.*.
#   bench/ivc_doorbell.sh ARCH NULL_CALL_INSTRUCTIONS        (called by bench/ARCH/run.sh)
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/.."
arch=${1:?usage: bench/ivc_doorbell.sh ARCH NULL_CALL_INSTRUCTIONS} null=${2:?null call}
image=tessera.bin
case "$arch" in
  aarch64) per_tick=16 ;;   # the 62.5 MHz generic timer
  riscv64) per_tick=100 ;;  # the 10 MHz time CSR
  x86_64) per_tick=1 image=tessera.elf32 ;; # the TSC counts the virtual clock's ns
  *) echo "bench/ivc_doorbell.sh: unknown arch '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
measure() { # LAYOUT SMP SUBSCRIBER_CONFIG: prints the round trip, in instructions
  local B=build/bench-$arch-ivc-$1 out ticks
  make -s ARCH="$arch" BUILD="$B" VM_CONFIGS="tests/guests/$arch/ivc-bench-1.toml:tests/guests/$arch/$3" >/dev/null
  # -s KILL: the QEMU itself, not only the script that starts it.
  out=$(ARCH=$arch SMP=$2 QEMU_ARGS="-icount shift=0,sleep=off" timeout -s KILL 120 scripts/qemu-run.sh "$B/$image" 2>&1 |
        tr -d '\r')
  ticks=$(echo "$out" | sed -n 's/.*bench: ivc_doorbell_round_trip ticks_x1000_per_op=\([0-9]*\).*/\1/p')
  if [ -z "$ticks" ] || echo "$out" | grep -q "ivc check FAILED"; then
    echo "$out" >&2; echo "bench/ivc_doorbell.sh: the guests did not report ($1)" >&2; exit 1
  fi
  awk -v t="$ticks" -v p="$per_tick" 'BEGIN { printf "%.0f", t * p / 1000 }'
}
per_null() { awk -v r="$1" -v n="$null" 'BEGIN { printf "%.1f", r / n }'; }
report() { # LAYOUT ROUND_TRIP
  echo "$arch IVC doorbell round trip (ring -> peer's handler -> ring back -> handler), $1: $2" \
    "instructions, $(per_null "$2")x the null call ($null; target <= 3x)"
}
same=$(measure same-cpu 1 ivc-bench-2-cpu0.toml)
report "both VMs on one CPU" "$same"
figures=(ivc.doorbell_round_trip_same_cpu="$same" ivc.same_cpu_per_null_call="$(per_null "$same")" ivc.null_call="$null")
if [ "$arch" != riscv64 ]; then
  cross=$(measure two-cpus 2 ivc-bench-2.toml)
  report "the VMs on two CPUs" "$cross"
  figures+=(ivc.doorbell_round_trip="$cross" ivc.round_trip_per_null_call="$(per_null "$cross")")
fi
bench/json_put.py "build/bench-$arch/bench.json" "${figures[@]}"
