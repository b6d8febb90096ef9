#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Linux boot time under Tessera vs bare QEMU, printed, never a pass/fail gate: the same Debian
# bookworm amd64 cloud kernel and busybox initramfs (scripts/prepare-linux-guest.sh x86_64), from
# QEMU's start to its exit after the guest's 'poweroff -f'. Under Tessera that is the hypervisor's
# boot, the VM's creation (copying the images), Linux's boot in the VM and the hypervisor's
# power-off; bare is QEMU -M q35 -cpu EPYC booting the kernel itself (-kernel/-initrd, SeaBIOS).
# Both under TCG on this host, wall-clock seconds; also the VM's exit count from Tessera's log.
set -e
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/../.."
dir=$(scripts/prepare-linux-guest.sh x86_64 | tail -n1)
rel=$(realpath --relative-to=. "$dir")
make -s ARCH=x86_64 BUILD=build/bench-x86_64-linux VM_CONFIGS="$rel/linux-1cpu.toml" >/dev/null
cmdline=$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$dir/linux-1cpu.toml")
now() { date +%s.%N; }
for run in 1 2; do
  t0=$(now)
  timeout 300 env ARCH=x86_64 SMP=2 MEM=1G scripts/qemu-run.sh build/bench-x86_64-linux/tessera.elf32 \
    2>/dev/null | tr -d '\r' > /tmp/tessera-linux-bench.log
  t1=$(now)
  timeout 300 qemu-system-x86_64 -M q35 -cpu EPYC -smp 1 -m 256M -nographic -no-reboot \
    -kernel "$dir/bzImage" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" 2>/dev/null | tr -d '\r' \
    > /tmp/bare-linux-bench.log
  t2=$(now)
  exits=$(sed -n 's/.*VM\[1\] linux: stopped (\([0-9]*\) exits.*/\1/p' /tmp/tessera-linux-bench.log)
  grep -q "tessera-linux: powering off" /tmp/tessera-linux-bench.log || echo "run $run: Tessera's Linux did not finish"
  grep -q "tessera-linux: powering off" /tmp/bare-linux-bench.log || echo "run $run: bare Linux did not finish"
  hv=$(sed -n 's/^\[ *\([0-9.]*\) .*VM\[1\] boot success.*/\1/p' /tmp/tessera-linux-bench.log)
  off=$(sed -n 's/^\[ *\([0-9.]*\) .*VM\[1\] linux: the guest powered off.*/\1/p' /tmp/tessera-linux-bench.log)
  echo "run $run: Tessera $(echo "$t1 - $t0" | bc) s (VM start to power-off $(echo "$off - $hv" | bc) s by the hypervisor's clock, $exits exits), bare QEMU $(echo "$t2 - $t1" | bc) s"
done
