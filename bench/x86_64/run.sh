#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# x86_64 exit costs, printed, never a pass/fail gate: builds an image with the bench guest
# (tests/guests/x86_64/bench.c) and boots it under -icount shift=0 (deterministic: one instruction
# per virtual ns; sleep=off, so a halted guest waiting for its timer jumps to the deadline instead of
# waiting in real time), then prints the guest's figures and the hypervisor image size without guests;
# then the IVC doorbell round trip (bench/ivc_doorbell.sh), virtio-blk (bench/virtio_blk.sh) and
# virtio-net (bench/virtio_net.sh) in Linux guests beside bare QEMU, each into bench.json.
set -e
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
make -s ARCH=x86_64 BUILD=build/bench-x86_64 VM_CONFIGS=tests/guests/x86_64/bench.toml >/dev/null
make -s ARCH=x86_64 BUILD=build/bench-x86_64-none VM_CONFIGS= >/dev/null
out=$(timeout -s KILL 120 env ARCH=x86_64 SMP=1 MEM=512M QEMU_ARGS="-icount shift=0,sleep=off" \
	scripts/qemu-run.sh build/bench-x86_64/tessera.elf32 2>/dev/null | tr -d '\r')
echo "$out" | grep -E '\[vm1\] bench:|stopped'
vmmcall=$(echo "$out" | sed -n 's/.*bench: VMMCALL round trip \([0-9]*\) ticks.*/\1/p')
size=$(stat -c %s build/bench-x86_64-none/tessera.elf32)
echo "image without guests: build/bench-x86_64-none/tessera.elf32 $size bytes (ELF, with debug info stripped: $(llvm-strip-14 -o /tmp/tessera-stripped.elf build/bench-x86_64-none/tessera.elf32 && stat -c %s /tmp/tessera-stripped.elf) bytes)"
# The IVC doorbell round trip between two VMs, beside the VMMCALL null call.
bench/ivc_doorbell.sh x86_64 "$vmmcall"
# virtio-blk in the Linux guest, Tessera beside bare QEMU.
bench/virtio_blk.sh x86_64
# virtio-net between two Linux guests, Tessera's switch beside two bare QEMUs.
bench/virtio_net.sh x86_64
