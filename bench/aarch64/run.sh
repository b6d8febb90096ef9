#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# aarch64 benchmarks (issue 4): prints figures, gates nothing.
#  - null call (SMC PSCI_VERSION) and emulated-MMIO read round trips, net of an empty loop, in guest
#    instructions under -icount shift=0 (16 instructions per 62.5 MHz counter tick);
#  - virtual-timer interrupt latency, deadline to the guest's handler, under -icount shift=0,sleep=off,
#    as a distribution (10000 samples: min/median/p99/max, JSON irq_latency.timer.*, a histogram in
#    build/bench-aarch64/irq_latency_timer.svg) beside the same guest code on bare QEMU
#    (tests/guests/aarch64/bench_bare.c), the floor;
#  - Linux boot to power-off under Tessera against the same kernel and initramfs on bare QEMU, in
#    wall-clock time and in instructions (bench/linux_icount.sh);
#  - the hypervisor image size without guests.
#  - the IVC doorbell round trip between two VMs (bench/ivc_doorbell.sh);
#  - virtio-blk in the Linux guest, O_DIRECT dd under Tessera beside bare QEMU (bench/virtio_blk.sh),
#    and virtio-net between two Linux guests (bench/virtio_net.sh); these three also write their
#    figures to build/bench-aarch64/bench.json.
set -euo pipefail
# PLATFORM=zcu102: the ZCU102's figures instead (bench/aarch64/zcu102.sh).
[ "${PLATFORM:-}" != zcu102 ] || exec "$(dirname "$0")/zcu102.sh"
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
# Bare QEMU, for the floors: the same machine without the hypervisor.
bare_qemu=(qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a72)
B=build/bench-aarch64
make -s ARCH=aarch64 BUILD=$B VM_CONFIGS=tests/guests/aarch64/bench.toml >/dev/null
make -s ARCH=aarch64 BUILD=$B-noguest VM_CONFIGS= >/dev/null

to_instructions() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 16 / 1000 }'; }
run_micro() {
  ARCH=aarch64 SMP=2 QEMU_ARGS="$1" timeout -s KILL 120 scripts/qemu-run.sh $B/tessera.bin 2>&1 | tr -d '\r'
}
out=$(run_micro "-icount shift=0,sleep=off")
echo "$out" > $B/micro.log
smc=$(echo "$out" | sed -n 's/.*null_call_smc_psci_version ticks_x1000_per_op=\([0-9]*\).*/\1/p')
mmio=$(echo "$out" | sed -n 's/.*mmio_read_emulated_pl011 ticks_x1000_per_op=\([0-9]*\).*/\1/p')
if [ -z "$smc" ] || [ -z "$mmio" ]; then echo "$out"; echo "bench: the guest did not report" >&2; exit 1; fi
echo "aarch64 null call (SMC PSCI_VERSION round trip): $(to_instructions "$smc") instructions"
echo "aarch64 emulated MMIO read (PL011 FR):          $(to_instructions "$mmio") instructions"
timeout -s KILL 120 "${bare_qemu[@]}" -nographic -no-reboot -smp 1 -m 256M \
  -kernel build/guests/aarch64/bench_bare.elf -icount shift=0,sleep=off 2>&1 | tr -d '\r' > $B/micro-bare.log || true
# The virtual timer's latency, 10000 samples, in 16-instruction counter ticks (the guest's only
# clock), beside the same code on bare QEMU.
bench/latency.py --label "aarch64 virtual timer latency (deadline->handler)" --json $B/bench.json \
  --key irq_latency.timer --svg $B/irq_latency_timer.svg $B/micro.log vtimer $B/micro-bare.log vtimer_bare
bench/json_put.py $B/bench.json "exit.null_call=$(to_instructions "$smc")" "exit.mmio_read=$(to_instructions "$mmio")"
# The same latency with the CPU shared: the CPU-bound ticker guest as a second VM on the one CPU
# (the bench's vCPU sleeps at each WFI and its timer's wake-up preempts the ticker: kernel/sched.c).
make -s ARCH=aarch64 BUILD=$B-shared \
  VM_CONFIGS=tests/guests/aarch64/bench.toml:tests/e2e/configs/shell-ticker-a-aarch64.toml >/dev/null
bench/run_until_off.sh aarch64 $B-shared/tessera.bin $B/shared.log
bench/latency.py --label "aarch64 virtual timer latency, CPU shared with a CPU-bound VM" --json $B/bench.json \
  --key irq_latency.timer_shared --svg $B/irq_latency_timer_shared.svg $B/shared.log vtimer
# And with that VM busy on the other CPU instead (both pinned). Under -icount QEMU runs the two CPUs
# in turn on one thread and its clock counts the instructions of both; the bench guest waits in its
# own WFI (alone on its CPU, WFI does not trap) and its CPU's turn comes at its timer.
bench/pinned_pair.sh aarch64 $B-busy
SMP=2 bench/run_until_off.sh aarch64 $B-busy/tessera.bin $B/busy.log
bench/latency.py --label "aarch64 virtual timer latency, a CPU-bound VM on the other CPU" --json $B/bench.json \
  --key irq_latency.timer_other_cpu_busy --svg $B/irq_latency_timer_other_cpu_busy.svg $B/busy.log vtimer
# A passed-through device interrupt (the PL011's SPI 33, owned by the guest: spilat.c), 10000
# samples in instructions, beside the same guest on bare QEMU.
make -s ARCH=aarch64 BUILD=$B-spilat VM_CONFIGS=tests/guests/aarch64/spilat.toml >/dev/null
make -s ARCH=aarch64 build/guests/aarch64/spilat_bare.elf >/dev/null
ARCH=aarch64 SMP=2 QEMU_ARGS="-icount shift=0,sleep=off" timeout -s KILL 120 scripts/qemu-run.sh $B-spilat/tessera.bin 2>&1 |
  tr -d '\r' > $B/spilat.log
timeout -s KILL 120 "${bare_qemu[@]}" -nographic -no-reboot -smp 1 -m 256M \
  -kernel build/guests/aarch64/spilat_bare.elf -icount shift=0,sleep=off 2>&1 | tr -d '\r' > $B/spilat-bare.log || true
bench/latency.py --label "aarch64 passed-through SPI latency (UART write->handler)" --json $B/bench.json \
  --key irq_latency.passthrough --svg $B/irq_latency_passthrough.svg $B/spilat.log spi $B/spilat-bare.log spi_bare
bench/startup.sh aarch64
# Four VMs started together on one CPU, under -icount: the scheduler's part of the start spread.
VMS16_ONE_CPU=1 bench/vms16.sh aarch64
# BENCH=micro (make bench-check): the instruction-counted figures above only.
[ "${BENCH:-}" != micro ] || exit 0

# Linux: boot to power-off, Tessera vs bare QEMU, same kernel, initramfs and command line.
dir=$(scripts/prepare-linux-guest.sh aarch64 2>/dev/null | tail -n1)
make -s ARCH=aarch64 BUILD=$B-linux VM_CONFIGS="$dir/linux-1cpu.toml" >/dev/null
cmdline=$(sed -n 's/^cmdline = "\(.*\)"/\1/p' "$dir/linux-1cpu.toml")
# Wall-clock time drifts with the machine's load: take the best of three runs of each.
best() { sort -n | head -n1; }
tessera_times=(); bare_times=()
for run in 1 2 3; do
  t0=$(date +%s.%N)
  ARCH=aarch64 SMP=1 timeout -s KILL 300 scripts/qemu-run.sh $B-linux/tessera.bin > $B-linux/boot.log 2>&1
  t1=$(date +%s.%N)
  timeout -s KILL 300 "${bare_qemu[@]}" -smp 1 -m 256M -nographic -no-reboot \
    -kernel "$dir/Image" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" > $B-linux/bare.log 2>&1
  t2=$(date +%s.%N)
  tessera_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  bare_times+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')")
done
tessera=$(printf '%s\n' "${tessera_times[@]}" | best)
bare=$(printf '%s\n' "${bare_times[@]}" | best)
grep -q "tessera-linux: powering off" $B-linux/boot.log && grep -q "tessera-linux: powering off" $B-linux/bare.log || {
  echo "bench: a Linux boot did not complete" >&2; exit 1; }
exits=$(sed -n 's/.*VM\[1\] linux: stopped (\([0-9]*\) exits.*/\1/p' $B-linux/boot.log)
awk -v t="$tessera" -v b="$bare" -v e="$exits" 'BEGIN {
  printf "aarch64 Linux boot to power-off (best of 3): Tessera %.2f s, bare QEMU %.2f s, ratio %.2f (%d exits)\n", t, b, t/b, e }'
bench/linux_icount.sh aarch64 $B-linux/tessera.bin "$dir" "${bare_qemu[@]}"
size=$(llvm-size-14 $B-noguest/tessera.elf | awk 'NR==2 {print $1+$2}')
echo "aarch64 image without guests: $(( $(stat -c %s $B-noguest/tessera.bin) / 1024 )) KiB file, text+data $((size / 1024)) KiB"
bench/json_put.py $B/bench.json "linux.exits=$exits" "linux.ratio_wall=$(awk -v t="$tessera" -v b="$bare" 'BEGIN { printf "%.3f", t / b }')" \
  "image_bytes=$(stat -c %s $B-noguest/tessera.bin)" "image_text_data_bytes=$size"
# The IVC doorbell round trip between two VMs, beside the null call.
bench/ivc_doorbell.sh aarch64 "$(to_instructions "$smc")"
bench/vms16.sh aarch64
VMS16_LINUX=4 bench/vms16.sh aarch64
# virtio-blk in the Linux guest, Tessera beside bare QEMU.
bench/virtio_blk.sh aarch64
# virtio-net between two Linux guests, Tessera's switch beside two bare QEMUs.
bench/virtio_net.sh aarch64
