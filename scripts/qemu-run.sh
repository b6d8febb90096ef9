#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a Tessera image in QEMU with the console on stdio. Used by 'make run' and by the e2e tests,
# so what the tests check is what a user runs.
#   ARCH=aarch64 SMP=4 MEM=1G GIC=3 QEMU_ARGS='-icount shift=0' scripts/qemu-run.sh build/aarch64/tessera.bin
# DISK=disk.img attaches a disk image as a modern virtio block device (virtio-blk-device on the
# virt machines, virtio-blk-pci on q35): disk 0, the hypervisor's FAT32 disk. It is read-only unless
# DISK_WRITABLE=1 (for VMs given files on it to write). DISK2=other.img attaches a second, writable
# disk: disk 1, for VMs given it or its partitions.
# CMDLINE='tessera.shell=off' is the hypervisor's own command line (QEMU's -append): that word makes
# it power off when its last VM stops instead of staying up with its shell, as scripts and the
# tests that wait for QEMU to exit want.
# PLATFORM=zcu102 (aarch64) boots QEMU's model of the Xilinx ZCU102 with the board's own device tree
# from Debian's arm64 kernel package (scripts/board-tree.sh) instead of the virt machine; it has no
# virtio-mmio transports, so no DISK. PLATFORM=aia (riscv64) boots QEMU virt with the AIA (APLIC
# and IMSIC with AIA_GUESTS guest interrupt files per hart) instead of the PLIC.
# QEMU_DEBUG_ARGS is added after QEMU_ARGS, for a developer's flags on every boot the tests make
# (e.g. QEMU_DEBUG_ARGS='-d guest_errors,cpu_reset -D /tmp/qemu.log').
set -euo pipefail
image=${1:?usage: qemu-run.sh IMAGE}
arch=${ARCH:-aarch64}
smp=${SMP:-4}
mem=${MEM:-1G}
gic=${GIC:-3}
extra="${QEMU_ARGS:-} ${QEMU_DEBUG_ARGS:-}"
disk=${DISK:-}
disk2=${DISK2:-}
common=(-nographic -no-reboot -smp "$smp" -m "$mem")
[ -z "${CMDLINE:-}" ] || common+=(-append "$CMDLINE")
# QEMU's virtio-mmio transports are legacy unless told otherwise; Tessera drives modern ones.
[ "$arch" = x86_64 ] || common+=(-global virtio-mmio.force-legacy=false)
attach() { # image id read-only
  [ -f "$1" ] || { echo "qemu-run.sh: no disk image '$1'" >&2; exit 2; }
  common+=(-drive "file=$1,if=none,format=raw,readonly=$3,id=$2")
  case "$arch" in
    aarch64|riscv64) common+=(-device "virtio-blk-device,drive=$2") ;;
    x86_64) common+=(-device "virtio-blk-pci,drive=$2,disable-legacy=on") ;;
  esac
}
# Tessera numbers disks by address on the virt machines (virtio-mmio, lowest first), where QEMU gives
# the first -device the highest transport, so DISK2 goes first there; in PCI slot order (the first
# -device first) on q35.
disk0_readonly=$([ "${DISK_WRITABLE:-0}" = 1 ] && echo off || echo on)
if [ "$arch" = x86_64 ]; then
  [ -z "$disk" ] || attach "$disk" disk0 "$disk0_readonly"
  [ -z "$disk2" ] || attach "$disk2" disk1 off
else
  [ -z "$disk2" ] || attach "$disk2" disk1 off
  [ -z "$disk" ] || attach "$disk" disk0 "$disk0_readonly"
fi
case "$arch:${PLATFORM:-}" in
  aarch64:zcu102)
    [ -z "$disk$disk2" ] || { echo "qemu-run.sh: the ZCU102 model has no virtio-mmio transports for DISK" >&2; exit 2; }
    tree=$("$(dirname "$0")/board-tree.sh" xilinx/zynqmp-zcu102-rev1.0.dtb)
    # The board's DisplayPort has an audio device: a silent backend (QEMU 7.2 still warns once).
    exec qemu-system-aarch64 -M xlnx-zcu102,virtualization=on -audiodev none,id=snd0 \
      "${common[@]}" -dtb "$tree" -kernel "$image" $extra ;;
  riscv64:aia)
    # The Advanced Interrupt Architecture instead of the PLIC: APLICs in MSI mode and an IMSIC per
    # hart with AIA_GUESTS guest interrupt files each (QEMU 7.2 allows 1..7).
    exec qemu-system-riscv64 -M "virt,aia=aplic-imsic,aia-guests=${AIA_GUESTS:-7}" -bios default \
      "${common[@]}" -kernel "$image" $extra ;;
  *:?*) echo "qemu-run.sh: no PLATFORM '$PLATFORM' for $arch (aarch64: zcu102; riscv64: aia)" >&2; exit 2 ;;
  aarch64:)
    # cortex-a72: EL2 without the cost of -cpu max under TCG.
    exec qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic" -cpu cortex-a72 \
      "${common[@]}" -kernel "$image" $extra ;;
  riscv64:)
    exec qemu-system-riscv64 -M virt -bios default "${common[@]}" -kernel "$image" $extra ;;
  x86_64:)
    # EPYC: SVM with nested paging; QEMU emulates neither VMX nor NRIPS/decode assists.
    exec qemu-system-x86_64 -M q35 -cpu EPYC "${common[@]}" -kernel "$image" $extra ;;
  *) echo "qemu-run.sh: unknown ARCH '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
