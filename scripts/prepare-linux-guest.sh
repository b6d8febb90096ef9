#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prepares the Linux test guest for an arch in .cache/tessera/linux-<arch>/: Debian's kernel and
# busybox-static fetched from Debian's archive (cached), an initramfs running
# tests/guests/linux/init.sh, and VM configs for 1 and 2 vCPUs (linux-<n>cpu.toml) that build the
# images in. Prints the directory.
#   scripts/prepare-linux-guest.sh aarch64
set -euo pipefail
arch=${1:?arch}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$arch" in
  aarch64) debarch=arm64; suite=bookworm; kernel_pkg=linux-image-cloud-arm64 ;;
  # bookworm has no riscv64 port: sid's kernel and busybox.
  riscv64) debarch=riscv64; suite=sid; kernel_pkg=linux-image-riscv64 ;;
  x86_64) debarch=amd64; suite=bookworm; kernel_pkg=linux-image-cloud-amd64 ;;
  *) echo "prepare-linux-guest.sh: no Linux guest recipe for '$arch' yet" >&2; exit 2 ;;
esac
cache="$root/.cache/debian/$debarch"
out="$root/.cache/tessera/linux-$arch"
mkdir -p "$out"
# make test runs tests side by side, and several may prepare the same guest at once: one at a time,
# and what others read while it runs (the kernel, the initramfs, the configs) is replaced whole.
exec 9>"$out/.prepare.lock"
flock 9
# The kernel modules the initramfs carries, for tests booting an ext4 root on a virtio disk
# (tessera.root= in tests/guests/linux/init.sh): the virtio core and both transports (mmio on the
# virt machines, pci on q35), the block, console and net drivers, and ext4. What each needs
# (virtio_pci's helpers, virtio_net's failover, ext4's jbd2 on riscv64) is added by
# scripts/linux_modules.py; what the kernel has built in is skipped. For the power button
# (tessera.button): evdev, virtio_input, and ACPI's button driver (a module on amd64 only).
modules="virtio virtio_ring virtio_mmio virtio_pci virtio_blk virtio_console virtio_net ext4 evdev virtio_input button"
first_file() { for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done; }
fetch() { "$root/scripts/fetch-debian-packages.sh" "$debarch" "$suite" "$cache" "$@"; }
# Sets vmlinuz and kver: /boot/vmlinuz-<version> (bookworm), or /usr/lib/modules/<version>/vmlinuz
# (sid's 7.x linux-binary-*).
find_kernel() {
  vmlinuz=$(first_file "$cache/$kernel_pkg"/boot/vmlinuz-* "$cache/$kernel_pkg"/usr/lib/modules/*/vmlinuz)
  [ -n "$vmlinuz" ] || { echo "prepare-linux-guest.sh: no vmlinuz in $cache/$kernel_pkg" >&2; exit 1; }
  case "$vmlinuz" in
    */boot/vmlinuz-*) kver=${vmlinuz##*/vmlinuz-} ;;
    *) kver=$(basename "$(dirname "$vmlinuz")") ;;
  esac
}
fetch "$kernel_pkg" busybox-static
find_kernel
# Bookworm's linux-image-<version> holds the modules too. Since 7.x Debian splits it: the image in
# linux-binary-<version> (what fetch-debian-packages.sh follows the metapackage to), the modules in
# linux-modules-<version>, modules.builtin in linux-base-<version>; fetch both, of the same version.
module_dirs="$cache/$kernel_pkg/lib/modules/$kver"
if [ ! -d "$module_dirs/kernel" ] && [ ! -d "$cache/$kernel_pkg/usr/lib/modules/$kver/kernel" ]; then
  if ! fetch "linux-modules-$kver" "linux-base-$kver"; then
    # sid keeps only its newest kernel: a kernel cached before an upload has no modules left to
    # fetch. Take the current kernel instead, with fresh package lists.
    echo "prepare-linux-guest.sh: no linux-modules-$kver in $suite: fetching its current kernel" >&2
    rm -rf "$cache/$kernel_pkg" "$cache/$kernel_pkg.deb"
    FETCH_REFRESH=1 fetch "$kernel_pkg"
    find_kernel
    fetch "linux-modules-$kver" "linux-base-$kver"
  fi
  module_dirs="$cache/linux-modules-$kver/usr/lib/modules/$kver:$cache/linux-base-$kver/usr/lib/modules/$kver"
elif [ ! -d "$module_dirs/kernel" ]; then
  module_dirs="$cache/$kernel_pkg/usr/lib/modules/$kver"
fi
# Debian's arm64 and riscv64 vmlinuz are plain Images (the riscv64 one with an EFI stub, still
# entered at its first byte); older ones were gzip-compressed. An EFI zboot image (a PE whose
# payload is compressed) would need the EFI loader: refuse it by name.
if [ "$arch" = x86_64 ]; then
  # A bzImage as it is: Tessera reads its setup header and moves the protected-mode kernel in place.
  cp "$vmlinuz" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
elif [ "$(head -c2 "$vmlinuz" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
  gunzip -c "$vmlinuz" > "$out/Image.tmp"
elif [ "$(dd if="$vmlinuz" bs=1 skip=4 count=4 2>/dev/null | tr -d '\0')" = "zimg" ]; then
  echo "prepare-linux-guest.sh: $vmlinuz is an EFI zboot image; a flat Image is needed" >&2; exit 1
else
  cp "$vmlinuz" "$out/Image.tmp"
fi
[ -e "$out/Image.tmp" ] && mv "$out/Image.tmp" "$out/Image"
# /bin/busybox in bookworm, /usr/bin/busybox in sid (merged /usr).
busybox=$(first_file "$cache"/busybox-static/bin/busybox "$cache"/busybox-static/usr/bin/busybox)
# The broadcast flooder of the switch's storm test (tests/guests/linux/flood/), a static program
# with no C library, built here for the guest's arch.
flood_flags=
[ "$arch" = riscv64 ] && flood_flags="-march=rv64gc -mno-relax"
clang-14 --target="$arch-linux-gnu" $flood_flags -static -nostdlib -ffreestanding -fno-builtin \
  -fno-stack-protector -fno-pic -fno-pie -O2 -Wall -Wextra -Werror -fuse-ld=lld -Wl,-e,_start \
  -include "$root/tests/guests/linux/flood/syscall-$arch.h" "$root/tests/guests/linux/flood/flood.c" \
  -o "$out/flood"
python3 "$root/scripts/mkinitramfs.py" "$out/initramfs.cpio.gz" "$busybox" \
  "$root/tests/guests/linux/init.sh" --program "$out/flood" --modules "$module_dirs" $modules

# Where each arch puts things; the config template below is the same for all.
case "$arch" in
  aarch64)
    # The Image at a 2 MiB boundary plus its text_offset (0), the initrd 128 MiB in; the device
    # tree is generated by Tessera into the last 2 MiB of RAM.
    describe="Debian's arm64 cloud kernel; the device tree is generated by Tessera from this config"
    kernel=Image load=0x4020_0000 entry=0x4020_0000 initrd=0x4800_0000
    cmdline="console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init quiet"
    ram="[0x4000_0000, 0x1000_0000, 0x7, 0],  # 256 MiB"
    devices='["pl011", 0x0900_0000, 0x1000, 0x21, 0x2, []],
    ["gicd", 0x0800_0000, 0x1_0000, 0, 0x1, []],' ;;
  riscv64)
    # Linux Documentation/arch/riscv/boot.rst: the Image at a 2 MiB-aligned address (about 36 MiB
    # with its BSS), the initrd 128 MiB in, the generated device tree in the last 2 MiB.
    describe="Debian's riscv64 kernel (sid); the device tree is generated by Tessera from this config"
    kernel=Image load=0x8020_0000 entry=0x8020_0000 initrd=0x8800_0000
    cmdline="console=ttyS0 earlycon=sbi rdinit=/init quiet"
    ram="[0x8000_0000, 0x1000_0000, 0x7, 0],  # 256 MiB"
    devices='["ns16550", 0x1000_0000, 0x100, 10, 0x2, []],   # PLIC source 10, as on QEMU virt
    ["vplic", 0x0c00_0000, 0x60_0000, 0, 0x1, []],' ;;
  x86_64)
    # Linux Documentation/arch/x86/boot.rst, 64-bit boot protocol: the protected-mode kernel at
    # 0x100000, the protocol's default, with entry_point = kernel_load_addr as AxVisor's configs
    # write it (Tessera enters startup_64, 0x200 in; the kernel decompresses itself to its
    # pref_address, 16 MiB); boot_params, the e820 map and the ACPI tables are built by
    # Tessera (src/virt/x86_64/linux_boot.c). 256 MiB from 0: the e820 map leaves out
    # 0x9c000-0xfffff (ACPI tables, the legacy hole), but RAM behind it lets the kernel's scans of
    # the BIOS areas read zeros instead of trapping.
    describe="Debian's amd64 cloud kernel (bzImage, 64-bit boot protocol)"
    kernel=bzImage load=0x10_0000 entry=0x10_0000 initrd=0x800_0000
    cmdline="console=ttyS0 earlycon=uart,io,0x3f8 rdinit=/init quiet"
    ram="[0x0, 0x1000_0000, 0x7, 0],"
    devices='["port:com1-16550", 0x3f8, 8, 4, 0x2, []],' ;;
esac

# A config with $1 vCPUs whose ids are $2, with $3 appended to the command line.
config() {
  cat <<TOML
# $describe, with a busybox initramfs, $1 vCPU(s). Generated by scripts/prepare-linux-guest.sh.
[base]
id = 1
name = "linux"
vm_type = 2
cpu_num = $1
phys_cpu_ids = [$2]

[kernel]
image_location = "memory"
kernel_path = "$kernel"
kernel_load_addr = $load
entry_point = $entry
ramdisk_path = "initramfs.cpio.gz"
ramdisk_load_addr = $initrd
cmdline = "$cmdline$3"
memory_regions = [
    $ram
]

[devices]
emu_devices = [
    $devices
]
interrupt_mode = "emu"
TOML
}

# linux-<n>cpu.toml run the init script and power off; linux-shell.toml (2 vCPUs) stops at an
# interactive shell: make run VM_CONFIGS=$out/linux-shell.toml
for variant in 1cpu 2cpu shell; do
  cpus=${variant%cpu}; extra=
  [ "$variant" = shell ] && cpus=2 && extra=" tessera.shell"
  ids=$(seq -s ', ' 0 $((cpus - 1)) | sed 's/[0-9]\+/0x&/g')
  config "$cpus" "$ids" "$extra" > "$out/linux-${variant}.toml.tmp"
  mv "$out/linux-${variant}.toml.tmp" "$out/linux-${variant}.toml"
done
echo "$out"
