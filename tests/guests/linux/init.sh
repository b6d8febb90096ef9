#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /init of the Linux test guests: a busybox shell runs a few commands and powers the VM off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "tessera-linux: init started on $(uname -m), kernel $(uname -r)"
sh -c 'echo "tessera-linux: the shell ran: $(( 6 * 7 ))"'
echo "tessera-linux: $(grep -c ^processor /proc/cpuinfo) CPUs in /proc/cpuinfo"
echo "tessera-linux: $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB of memory"
# The kernel's random-number generator ready before init runs: seeded from the rng-seed of the
# device tree Tessera generates (aarch64, riscv64) or from the CPU's RDRAND (x86_64). Unseeded, it
# is still collecting entropy here, and slows every kmem_cache the kernel creates until then.
if dmesg | grep -q 'random: crng init done'; then
    echo "tessera-linux: random numbers ready before init"
fi
# The console's driver and the interrupts its UART took: output through it needs the emulated UART
# and interrupt controller, not only an early console.
console=$(awk 'NR == 1 {print $1}' /proc/consoles)
irqs=$(awk -v c="$console" '$NF == c || /uart-pl011|ttyS0/ {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i} END {print n + 0}' /proc/interrupts)
echo "tessera-linux: console $console, $irqs UART interrupts"
if grep -q tessera.shell /proc/cmdline; then
    # An interactive shell on the console: what you type on the hypervisor's console reaches it.
    echo "tessera-linux: interactive shell; 'poweroff -f' powers the VM off"
    setsid cttyhack sh
fi
echo "tessera-linux: powering off"
poweroff -f
