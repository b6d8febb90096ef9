#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# x86_64 exit costs, printed, never a pass/fail gate: builds an image with the bench guest
# (tests/guests/x86_64/bench.c) and boots it under -icount shift=0 (deterministic: one instruction
# per virtual ns; sleep=off, so a halted guest waiting for its timer jumps to the deadline instead of
# waiting in real time), then prints the guest's figures and the hypervisor image size without guests;
# then the IVC doorbell round trip (bench/ivc_doorbell.sh), virtio-blk (bench/virtio_blk.sh),
# virtio-net (bench/virtio_net.sh) and Linux's boot (bench/x86_64/linux.sh) in Linux guests beside
# bare QEMU, each into bench.json.
set -e
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
make -s ARCH=x86_64 BUILD=build/bench-x86_64 VM_CONFIGS=tests/guests/x86_64/bench.toml >/dev/null
make -s ARCH=x86_64 BUILD=build/bench-x86_64-none VM_CONFIGS= >/dev/null
out=$(timeout -s KILL 120 env ARCH=x86_64 SMP=1 MEM=512M QEMU_ARGS="-icount shift=0,sleep=off" \
	scripts/qemu-run.sh build/bench-x86_64/tessera.elf32 2>/dev/null | tr -d '\r')
echo "$out" | grep -E '\[vm1\] bench:|stopped' | grep -v -E 'bench: (latency|histogram) '
echo "$out" > build/bench-x86_64/micro.log
# The LAPIC timer in TSC-deadline mode, 10000 samples (no bare-QEMU figure: the same guest would
# need a firmware of its own there).
bench/latency.py --label "x86_64 LAPIC timer latency (TSC deadline->handler)" --json build/bench-x86_64/bench.json \
  --key irq_latency.tsc_deadline --key irq_latency.timer --svg build/bench-x86_64/irq_latency_tsc_deadline.svg \
  build/bench-x86_64/micro.log tsc_deadline
# The same timer while the guest spins instead of halting (a busy guest's: the interrupt makes the
# guest exit, then the hypervisor takes it and injects it).
bench/latency.py --label "x86_64 LAPIC timer latency, the guest running (TSC deadline->handler)" \
  --json build/bench-x86_64/bench.json --key irq_latency.tsc_deadline_running \
  --svg build/bench-x86_64/irq_latency_tsc_deadline_running.svg build/bench-x86_64/micro.log tsc_deadline_running
# The same timer latency with the CPU shared: the ticker guest (CPU-bound, never halts) as a second
# VM on the one CPU. The bench's vCPU sleeps at each halt and its timer's wake-up preempts the
# ticker (kernel/sched.c, wake-up preemption) instead of waiting out the ticker's 10 ms slice.
make -s ARCH=x86_64 BUILD=build/bench-x86_64-shared \
  VM_CONFIGS=tests/guests/x86_64/bench.toml:tests/e2e/configs/shell-ticker-a-x86_64.toml >/dev/null
shared_log=build/bench-x86_64/shared.log
bench/run_until_off.sh x86_64 build/bench-x86_64-shared/tessera.elf32 $shared_log
bench/latency.py --label "x86_64 LAPIC timer latency, CPU shared with a CPU-bound VM" --json build/bench-x86_64/bench.json \
  --key irq_latency.tsc_deadline_shared --svg build/bench-x86_64/irq_latency_tsc_deadline_shared.svg \
  $shared_log tsc_deadline
# And with that VM busy on the other CPU instead (both pinned). Under -icount QEMU runs the two CPUs
# in turn on one thread and its clock counts the instructions of both: the bench guest's TSC-deadline
# write ends its CPU's turn, the ticker's CPU runs up to the deadline, and the timer fires before
# the bench guest has reached its HLT (an interrupt exit from a running guest, not a wake-up from
# the hypervisor's idle: 9993 irq exits where alone there are none). That path costs 514 on one
# CPU (tsc_deadline_running above) and 934 here, and the max is one turn of QEMU's round robin:
# QEMU's scheduling of its CPUs is in this figure, not only Tessera's.
bench/pinned_pair.sh x86_64 build/bench-x86_64-busy
SMP=2 bench/run_until_off.sh x86_64 build/bench-x86_64-busy/tessera.elf32 build/bench-x86_64/busy.log
bench/latency.py --label "x86_64 LAPIC timer latency, a CPU-bound VM on the other CPU" --json build/bench-x86_64/bench.json \
  --key irq_latency.tsc_deadline_other_cpu_busy --svg build/bench-x86_64/irq_latency_tsc_deadline_other_cpu_busy.svg \
  build/bench-x86_64/busy.log tsc_deadline
# A passed-through device interrupt (COM2's GSI 3, owned by the guest: gsilat.c; QEMU gets a
# second serial port for it), 10000 samples in instructions (no bare-QEMU figure, as above).
make -s ARCH=x86_64 BUILD=build/bench-x86_64-gsilat VM_CONFIGS=tests/guests/x86_64/gsilat.toml >/dev/null
timeout -s KILL 120 env ARCH=x86_64 SMP=1 MEM=512M QEMU_ARGS="-icount shift=0,sleep=off -serial mon:stdio -serial null" \
  scripts/qemu-run.sh build/bench-x86_64-gsilat/tessera.elf32 2>/dev/null | tr -d '\r' > build/bench-x86_64/gsilat.log
bench/latency.py --label "x86_64 passed-through IOAPIC pin latency (UART IER write->handler)" \
  --json build/bench-x86_64/bench.json --key irq_latency.passthrough \
  --svg build/bench-x86_64/irq_latency_passthrough.svg build/bench-x86_64/gsilat.log gsi
figure() { sed -n "s|.*bench: $1 \([0-9]*\) ticks.*|\1|p" build/bench-x86_64/micro.log; }
bench/json_put.py build/bench-x86_64/bench.json "exit.floor=$(figure 'bare VMRUN/#VMEXIT floor')" \
  "exit.null_call=$(figure 'VMMCALL round trip')" "exit.mmio_read=$(figure 'emulated MMIO read')" \
  "exit.cpuid=$(figure 'CPUID round trip')"
bench/startup.sh x86_64
# BENCH=micro (make bench-check): the instruction-counted figures above only.
[ "${BENCH:-}" != micro ] || exit 0
vmmcall=$(figure 'VMMCALL round trip')
size=$(stat -c %s build/bench-x86_64-none/tessera.elf32)
echo "image without guests: build/bench-x86_64-none/tessera.elf32 $size bytes (ELF, with debug info stripped: $(llvm-strip-14 -o /tmp/tessera-stripped.elf build/bench-x86_64-none/tessera.elf32 && stat -c %s /tmp/tessera-stripped.elf) bytes)"
bench/json_put.py build/bench-x86_64/bench.json "image_bytes=$(stat -c %s /tmp/tessera-stripped.elf)" \
  "image_text_data_bytes=$(llvm-size-14 build/bench-x86_64-none/tessera.elf | awk 'NR==2 {print $1+$2}')"
# The IVC doorbell round trip between two VMs, beside the VMMCALL null call.
bench/ivc_doorbell.sh x86_64 "$vmmcall"
# virtio-blk in the Linux guest, Tessera beside bare QEMU.
bench/virtio_blk.sh x86_64
# virtio-net between two Linux guests, Tessera's switch beside two bare QEMUs.
bench/virtio_net.sh x86_64
# Linux's boot to power-off, Tessera beside bare QEMU, wall clock and in instructions.
bench/x86_64/linux.sh
