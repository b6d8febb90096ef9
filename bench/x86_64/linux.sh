#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Linux boot to power-off under Tessera vs bare QEMU, printed, never a pass/fail gate (called by
# bench/x86_64/run.sh): the same Debian bookworm amd64 cloud kernel, busybox initramfs and command
# line (scripts/prepare-linux-guest.sh x86_64), from QEMU's start to its exit after the guest's
# 'poweroff -f'. Under Tessera that is the PC BIOS, the hypervisor's boot, the VM's creation, Linux's
# boot in the VM and the hypervisor's power-off; bare is QEMU -M q35 -cpu EPYC booting the kernel
# itself (SeaBIOS's -kernel/-initrd), without the network card and VGA the VM does not have either.
# The two boots do not see the same platform: the bare one gets QEMU's ACPI tables and q35's PCI
# devices (AHCI, SMBus) to probe, the VM Tessera's tables and its own few devices (docs/user-guide.md), so
# the ratio is of comparable work, not identical work. Wall clock, best of three (the machine's load
# moves it), then counted in instructions under -icount (bench/linux_icount.sh). Into bench.json:
# linux.exits, linux.ratio_wall, linux.ratio_icount, startup.linux_first_instruction.
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
B=build/bench-x86_64
dir=$(scripts/prepare-linux-guest.sh x86_64 2>/dev/null | tail -n1)
rel=$(realpath --relative-to=. "$dir")
make -s ARCH=x86_64 BUILD=$B-linux VM_CONFIGS="$rel/linux-1cpu.toml" >/dev/null
cmdline=$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$dir/linux-1cpu.toml")
bare_qemu=(qemu-system-x86_64 -M q35 -cpu EPYC -vga none -net none)
best() { sort -n | head -n1; }
tessera_times=(); bare_times=()
for run in 1 2 3; do
  t0=$(date +%s.%N)
  ARCH=x86_64 SMP=1 timeout -s KILL 300 scripts/qemu-run.sh $B-linux/tessera.elf32 2>/dev/null | tr -d '\r' \
    > $B-linux/boot.log
  t1=$(date +%s.%N)
  timeout -s KILL 300 "${bare_qemu[@]}" -smp 1 -m 256M -nographic -no-reboot \
    -kernel "$dir/bzImage" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" 2>/dev/null | tr -d '\r' > $B-linux/bare.log
  t2=$(date +%s.%N)
  tessera_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  bare_times+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')")
done
tessera=$(printf '%s\n' "${tessera_times[@]}" | best)
bare=$(printf '%s\n' "${bare_times[@]}" | best)
grep -q "tessera-linux: powering off" $B-linux/boot.log && grep -q "tessera-linux: powering off" $B-linux/bare.log || {
  echo "bench: a Linux boot did not complete" >&2; exit 1; }
stop=$(sed -n 's/.*VM\[1\] linux: stopped (\(.*\))$/\1/p' $B-linux/boot.log)
exits=${stop%% *}
awk -v t="$tessera" -v b="$bare" -v s="$stop" 'BEGIN {
  printf "x86_64 Linux boot to power-off (best of 3): Tessera %.2f s, bare QEMU %.2f s, ratio %.2f (%s)\n", t, b, t/b, s }'
bench/json_put.py $B/bench.json "linux.exits=$exits" "linux.ratio_wall=$(awk -v t="$tessera" -v b="$bare" 'BEGIN { printf "%.3f", t / b }')"
bench/linux_icount.sh x86_64 $B-linux/tessera.elf32 "$dir" "${bare_qemu[@]}"
