#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# riscv64 benchmarks (issue 5): prints figures, gates nothing.
#  - null call (SBI BASE get_spec_version) and emulated-MMIO read (16550 SCR) round trips, net of
#    an empty loop, and the timer-interrupt latency with Sstc (deadline to the guest's handler),
#    all in instructions: the bench guest (tests/guests/riscv64/bench.c) under QEMU
#    -icount shift=0,sleep=off (1 instruction = 1 ns, the 10 MHz time CSR ticks every 100);
#  - the same guest binary on bare QEMU (OpenSBI, S-mode) for the reference figures: the latency
#    of the same timer interrupt, and what OpenSBI's own null call costs;
#  - a passed-through device interrupt's latency (the 16550's), through the vPLIC and, on the AIA
#    machine, straight to the vCPU's guest interrupt file, each beside bare QEMU;
#  - Linux boot to power-off under Tessera against the same kernel and initramfs on bare QEMU, in
#    wall-clock time and in instructions (bench/linux_icount.sh);
#  - the hypervisor image size without guests.
#  - the IVC doorbell round trip between two VMs (bench/ivc_doorbell.sh), virtio-blk in the Linux
#    guest, O_DIRECT dd under Tessera beside bare QEMU (bench/virtio_blk.sh; again with Tessera on
#    the AIA machine, the VM's interrupts through IMSIC guest files), and virtio-net between
#    two Linux guests (bench/virtio_net.sh), each also into build/bench-riscv64/bench.json;
#  - IPI latency on the AIA machine, the IMSIC's guest interrupt files beside SBI's IPI call
#    (bench/riscv64/ipi.sh: to itself in instructions, between two harts in ns).
# Targets: null call <= 118 instructions, MMIO <= 2x the null call, timer latency equal to bare
# QEMU's, Linux ratio <= 1.10.
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
# Bare QEMU, for the floors: the same machine without the hypervisor.
bare_qemu=(qemu-system-riscv64 -M virt -bios default)
B=build/bench-riscv64
make -s ARCH=riscv64 BUILD=$B VM_CONFIGS=tests/guests/riscv64/bench.toml >/dev/null
make -s ARCH=riscv64 BUILD=$B-noguest VM_CONFIGS= >/dev/null
guest=build/guests/riscv64/bench.bin
icount="-icount shift=0,sleep=off"

figure() { sed -n "s/.*bench: $1: \([0-9]*\) instructions.*/\1/p"; }
out=$(ARCH=riscv64 SMP=1 QEMU_ARGS="$icount" timeout -s KILL 120 scripts/qemu-run.sh $B/tessera.bin 2>&1 | tr -d '\r')
null=$(echo "$out" | figure "null SBI call (BASE get_spec_version)")
mmio=$(echo "$out" | figure "emulated MMIO read (16550 SCR)")
bare=$(timeout -s KILL 120 "${bare_qemu[@]}" -nographic -no-reboot -smp 1 -m 256M $icount \
  -kernel $guest 2>&1 | tr -d '\r')
bare_null=$(echo "$bare" | figure "null SBI call (BASE get_spec_version)")
if [ -z "$null" ] || [ -z "$mmio" ] || [ -z "$bare_null" ]; then
  echo "$out"; echo "$bare"; echo "bench: the guest did not report" >&2; exit 1
fi
echo "$out" > $B/micro.log
echo "$bare" > $B/micro-bare.log
echo "riscv64 null call (SBI BASE get_spec_version round trip): $null instructions (OpenSBI on bare QEMU: $bare_null)"
awk -v m="$mmio" -v n="$null" 'BEGIN {
  printf "riscv64 emulated MMIO read (16550 SCR):                  %d instructions (%.2fx the null call)\n", m, m / n }'
bench/latency.py --label "riscv64 timer latency (vstimecmp deadline->handler, Sstc)" --json $B/bench.json \
  --key irq_latency.timer --svg $B/irq_latency_timer.svg $B/micro.log timer $B/micro-bare.log timer
bench/json_put.py $B/bench.json "exit.null_call=$null" "exit.mmio_read=$mmio"
# A passed-through device interrupt (the 16550's PLIC source 10, owned by the guest:
# plicirqlat.c), 10000 samples in instructions, beside the same binary on bare QEMU.
make -s ARCH=riscv64 BUILD=$B-plicirqlat VM_CONFIGS=tests/guests/riscv64/plicirqlat.toml >/dev/null
ARCH=riscv64 SMP=1 QEMU_ARGS="$icount" timeout -s KILL 120 scripts/qemu-run.sh $B-plicirqlat/tessera.bin 2>&1 |
  tr -d '\r' > $B/plicirqlat.log
timeout -s KILL 120 "${bare_qemu[@]}" -nographic -no-reboot -smp 1 -m 256M $icount \
  -kernel build/guests/riscv64/plicirqlat.bin 2>&1 | tr -d '\r' > $B/plicirqlat-bare.log || true
bench/latency.py --label "riscv64 passed-through PLIC source latency (UART IER write->handler)" --json $B/bench.json \
  --key irq_latency.passthrough --svg $B/irq_latency_passthrough.svg $B/plicirqlat.log plic $B/plicirqlat-bare.log plic
# The same on the AIA machine (aplicirqlat.c): the host APLIC sends the source straight to the
# vCPU's guest interrupt file, beside the same binary on bare QEMU with the AIA.
make -s ARCH=riscv64 PLATFORM=aia BUILD=$B-aplicirqlat VM_CONFIGS=tests/guests/riscv64/aplicirqlat.toml >/dev/null
ARCH=riscv64 PLATFORM=aia SMP=1 QEMU_ARGS="$icount" timeout -s KILL 120 scripts/qemu-run.sh $B-aplicirqlat/tessera.bin 2>&1 |
  tr -d '\r' > $B/aplicirqlat.log
timeout -s KILL 120 qemu-system-riscv64 -M virt,aia=aplic-imsic -bios default -nographic -no-reboot -smp 1 -m 256M $icount \
  -kernel build/guests/riscv64/aplicirqlat.bin 2>&1 | tr -d '\r' > $B/aplicirqlat-bare.log || true
bench/latency.py --label "riscv64 passed-through APLIC source latency, AIA (UART IER write->handler)" --json $B/bench.json \
  --key irq_latency.passthrough_aia --svg $B/irq_latency_passthrough_aia.svg $B/aplicirqlat.log aplic $B/aplicirqlat-bare.log aplic
bench/startup.sh riscv64
# Four VMs started together on one CPU, under -icount: the scheduler's part of the start spread.
VMS16_ONE_CPU=1 bench/vms16.sh riscv64
# BENCH=micro (make bench-check): the instruction-counted figures above only.
[ "${BENCH:-}" != micro ] || exit 0

# Linux: boot to power-off, Tessera vs bare QEMU, same kernel, initramfs and command line.
dir=$(scripts/prepare-linux-guest.sh riscv64 2>/dev/null | tail -n1)
make -s ARCH=riscv64 BUILD=$B-linux VM_CONFIGS="$dir/linux-1cpu.toml" >/dev/null
cmdline=$(sed -n 's/^cmdline = "\(.*\)"/\1/p' "$dir/linux-1cpu.toml")
# Wall-clock time drifts with the machine's load: take the best of three runs of each. QEMU's CPU
# time (user + system, which bash's time keyword counts for the children it waited for) is
# printed too: it moves less when other work shares the machine's cores.
best() { sort -n | head -n1; }
TIMEFORMAT='%R %U %S'
tessera_times=(); bare_times=(); tessera_cpu=(); bare_cpu=()
for run in 1 2 3; do
  { time ARCH=riscv64 SMP=1 timeout -s KILL 300 scripts/qemu-run.sh $B-linux/tessera.bin > $B-linux/boot.log 2>&1; } 2> $B-linux/time
  read -r wall user sys < $B-linux/time
  tessera_times+=("$wall"); tessera_cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
  { time timeout -s KILL 300 "${bare_qemu[@]}" -smp 1 -m 256M -nographic -no-reboot \
    -kernel "$dir/Image" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" > $B-linux/bare.log 2>&1; } 2> $B-linux/time
  read -r wall user sys < $B-linux/time
  bare_times+=("$wall"); bare_cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
done
tessera=$(printf '%s\n' "${tessera_times[@]}" | best)
bare=$(printf '%s\n' "${bare_times[@]}" | best)
tessera_c=$(printf '%s\n' "${tessera_cpu[@]}" | best)
bare_c=$(printf '%s\n' "${bare_cpu[@]}" | best)
grep -q "tessera-linux: powering off" $B-linux/boot.log && grep -q "tessera-linux: powering off" $B-linux/bare.log || {
  echo "bench: a Linux boot did not complete" >&2; exit 1; }
exits=$(sed -n 's/.*VM\[1\] linux: stopped (\([0-9]*\) exits.*/\1/p' $B-linux/boot.log)
awk -v t="$tessera" -v b="$bare" -v tc="$tessera_c" -v bc="$bare_c" -v e="$exits" 'BEGIN {
  printf "riscv64 Linux boot to power-off (best of 3): Tessera %.2f s, bare QEMU %.2f s, ratio %.2f (%d exits)\n", t, b, t/b, e
  printf "riscv64 Linux boot, QEMU CPU time (best of 3): Tessera %.2f s, bare QEMU %.2f s, ratio %.2f\n", tc, bc, tc/bc }'
bench/linux_icount.sh riscv64 $B-linux/tessera.bin "$dir" "${bare_qemu[@]}"
size=$(llvm-size-14 $B-noguest/tessera.elf | awk 'NR==2 {print $1+$2}')
echo "riscv64 image without guests: $(( $(stat -c %s $B-noguest/tessera.bin) / 1024 )) KiB file, text+data $((size / 1024)) KiB"
bench/json_put.py $B/bench.json "linux.exits=$exits" "linux.ratio_wall=$(awk -v t="$tessera" -v b="$bare" 'BEGIN { printf "%.3f", t / b }')" \
  "image_bytes=$(stat -c %s $B-noguest/tessera.bin)" "image_text_data_bytes=$size"
# virtio-blk in the Linux guest, Tessera beside bare QEMU.
bench/ivc_doorbell.sh riscv64 "$null"
bench/riscv64/ipi.sh
bench/vms16.sh riscv64
VMS16_LINUX=4 bench/vms16.sh riscv64
bench/virtio_blk.sh riscv64
PLATFORM=aia bench/virtio_blk.sh riscv64
bench/virtio_net.sh riscv64
