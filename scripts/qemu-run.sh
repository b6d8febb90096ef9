#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a Tessera image in QEMU with the console on stdio. Used by 'make run' and by the e2e tests,
# so what the tests check is what a user runs.
#   ARCH=aarch64 SMP=4 MEM=1G GIC=3 QEMU_ARGS='-icount shift=0' scripts/qemu-run.sh build/aarch64/tessera.bin
# DISK=disk.img attaches a disk image (read-only: the hypervisor never writes it) as a modern
# virtio block device: virtio-blk-device on the virt machines, virtio-blk-pci on q35.
set -euo pipefail
image=${1:?usage: qemu-run.sh IMAGE}
arch=${ARCH:-aarch64}
smp=${SMP:-4}
mem=${MEM:-1G}
gic=${GIC:-3}
extra=${QEMU_ARGS:-}
disk=${DISK:-}
common=(-nographic -no-reboot -smp "$smp" -m "$mem")
disk_args=()
if [ -n "$disk" ]; then
  [ -f "$disk" ] || { echo "qemu-run.sh: no disk image '$disk'" >&2; exit 2; }
  drive=(-drive "file=$disk,if=none,format=raw,readonly=on,id=disk0")
  case "$arch" in
    # QEMU's virtio-mmio transports are legacy unless told otherwise; Tessera drives modern ones.
    aarch64|riscv64) disk_args=(-global virtio-mmio.force-legacy=false "${drive[@]}" -device virtio-blk-device,drive=disk0) ;;
    x86_64) disk_args=("${drive[@]}" -device virtio-blk-pci,drive=disk0,disable-legacy=on) ;;
  esac
fi
common+=("${disk_args[@]}")
case "$arch" in
  aarch64)
    # cortex-a72: EL2 without the cost of -cpu max under TCG.
    exec qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic" -cpu cortex-a72 \
      "${common[@]}" -kernel "$image" $extra ;;
  riscv64)
    exec qemu-system-riscv64 -M virt -bios default "${common[@]}" -kernel "$image" $extra ;;
  x86_64)
    # EPYC: SVM with nested paging; QEMU emulates neither VMX nor NRIPS/decode assists.
    exec qemu-system-x86_64 -M q35 -cpu EPYC "${common[@]}" -kernel "$image" $extra ;;
  *) echo "qemu-run.sh: unknown ARCH '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
