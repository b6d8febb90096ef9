#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench ARCH=aarch64 PLATFORM=zcu102` (issue 18): the interrupt-latency figures on QEMU's
# model of the Xilinx ZCU102 (Cortex-A53, GIC-400; the MPSoC of the published Bao/Jailhouse/Xen
# comparison, RTAS'23), booted from the board's own tree, each beside the same guest code on bare
# QEMU xlnx-zcu102 (EL1, the board's GIC, tests/guests/aarch64/zcu102_bare.h):
#  - null call and emulated-MMIO read round trips (bench_zcu102.c: bench.c through a vGICv2);
#  - the virtual timer's latency, deadline to the guest's handler, 10000 samples;
#  - a passed-through SPI's latency: the board's second Cadence UART, whose interrupt the guest
#    raises (spilat_zcu102.c), 10000 samples.
# QEMU runs the four CPUs the tree names. In instructions under -icount shift=0,sleep=off; figures into build/bench-aarch64-zcu102/bench.json.
set -euo pipefail
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
B=build/bench-aarch64-zcu102
mkdir -p $B
rm -f $B/bench.json
bare_qemu=(qemu-system-aarch64 -M xlnx-zcu102 -audiodev none,id=snd0 -nographic -no-reboot -smp 1 -m 2G
           -icount shift=0,sleep=off)
to_instructions() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 16 / 1000 }'; }
run() { # config, log: Tessera on the ZCU102 with one test guest
  make -s ARCH=aarch64 PLATFORM=zcu102 BUILD=$B-$1 VM_CONFIGS=tests/guests/aarch64/$1.toml >/dev/null
  ARCH=aarch64 PLATFORM=zcu102 SMP=4 QEMU_ARGS="-icount shift=0,sleep=off" timeout -s KILL 120 \
    scripts/qemu-run.sh $B-$1/tessera.bin 2>&1 | tr -d '\r' > "$2"
}
bare() { # guest, log: the same code on bare QEMU
  make -s ARCH=aarch64 build/guests/aarch64/$1.elf >/dev/null
  timeout -s KILL 120 "${bare_qemu[@]}" -kernel build/guests/aarch64/$1.elf 2>&1 | tr -d '\r' > "$2" || true
}
run bench_zcu102 $B/micro.log
bare bench_zcu102_bare $B/micro-bare.log
smc=$(sed -n 's/.*null_call_smc_psci_version ticks_x1000_per_op=\([0-9]*\).*/\1/p' $B/micro.log)
mmio=$(sed -n 's/.*mmio_read_emulated_pl011 ticks_x1000_per_op=\([0-9]*\).*/\1/p' $B/micro.log)
if [ -z "$smc" ] || [ -z "$mmio" ]; then cat $B/micro.log; echo "bench: the guest did not report" >&2; exit 1; fi
echo "zcu102 null call (SMC PSCI_VERSION round trip): $(to_instructions "$smc") instructions"
echo "zcu102 emulated MMIO read (PL011 FR):          $(to_instructions "$mmio") instructions"
bench/json_put.py $B/bench.json "exit.null_call=$(to_instructions "$smc")" "exit.mmio_read=$(to_instructions "$mmio")"
bench/latency.py --label "zcu102 virtual timer latency (deadline->handler)" --json $B/bench.json \
  --key irq_latency.timer --svg $B/irq_latency_timer.svg $B/micro.log vtimer $B/micro-bare.log vtimer_bare
run spilat_zcu102 $B/spilat.log
bare spilat_zcu102_bare $B/spilat-bare.log
bench/latency.py --label "zcu102 passed-through SPI latency (UART interrupt enable->handler)" --json $B/bench.json \
  --key irq_latency.passthrough --svg $B/irq_latency_passthrough.svg $B/spilat.log spi $B/spilat-bare.log spi_bare
