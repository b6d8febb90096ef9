#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots the Linux test guest (scripts/prepare-linux-guest.sh's kernel and initramfs, with its
# configs' command line) on bare QEMU, without Tessera, with DISK as a virtio block device: the
# baseline the virtio tests and benchmarks hold Tessera against. The console is on stdio.
#   scripts/bare-qemu-linux.sh ARCH DISK [PARAMETER...]
# PARAMETERs are appended to the kernel command line, e.g. tessera.root=/dev/vda (see
# tests/guests/linux/init.sh). DISK is attached read-write; '-' attaches none. SMP (default 1),
# MEM (default 256M, the configs' RAM) and QEMU_ARGS as for qemu-run.sh; LINUX_DIR (default
# .cache/tessera/linux-ARCH) where prepare-linux-guest.sh left the guest.
set -euo pipefail
arch=${1:?usage: bare-qemu-linux.sh ARCH DISK [PARAMETER...]}
disk=${2:?usage: bare-qemu-linux.sh ARCH DISK [PARAMETER...]}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${LINUX_DIR:-$root/.cache/tessera/linux-$arch}
[ -f "$dir/linux-1cpu.toml" ] || {
  echo "bare-qemu-linux.sh: no guest in $dir: run scripts/prepare-linux-guest.sh $arch" >&2; exit 2; }
cmdline="$(sed -n 's/^cmdline = "\(.*\)"/\1/p' "$dir/linux-1cpu.toml")${*:+ $*}"
common=(-nographic -no-reboot -nic none -smp "${SMP:-1}" -m "${MEM:-256M}" -initrd "$dir/initramfs.cpio.gz"
        -append "$cmdline")
# Modern virtio devices, as Tessera offers them (and as qemu-run.sh attaches its disk): QEMU's
# virtio-mmio transports are legacy (version 1) unless told otherwise, also for devices added in
# QEMU_ARGS; virtio-pci ones are transitional unless disable-legacy=on.
drive=()
[ "$disk" = - ] || drive=(-drive "file=$disk,if=none,format=raw,id=disk0")
case "$arch" in
  aarch64)
    drive+=(-global virtio-mmio.force-legacy=false)
    [ "$disk" = - ] || drive+=(-device virtio-blk-device,drive=disk0)
    exec qemu-system-aarch64 -M virt -cpu cortex-a72 "${common[@]}" "${drive[@]}" -kernel "$dir/Image" \
      ${QEMU_ARGS:-} ;;
  riscv64)
    drive+=(-global virtio-mmio.force-legacy=false)
    [ "$disk" = - ] || drive+=(-device virtio-blk-device,drive=disk0)
    exec qemu-system-riscv64 -M virt -bios default "${common[@]}" "${drive[@]}" -kernel "$dir/Image" \
      ${QEMU_ARGS:-} ;;
  x86_64)
    [ "$disk" = - ] || drive+=(-device virtio-blk-pci,drive=disk0,disable-legacy=on)
    exec qemu-system-x86_64 -M q35 -cpu EPYC "${common[@]}" "${drive[@]}" -kernel "$dir/bzImage" \
      ${QEMU_ARGS:-} ;;
  *) echo "bare-qemu-linux.sh: unknown arch '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
