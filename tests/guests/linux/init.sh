#!/bin/sh
# /init of the Linux test guests: a busybox shell runs a few commands and powers the VM off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "tessera-linux: init started on $(uname -m), kernel $(uname -r)"
sh -c 'echo "tessera-linux: the shell ran: $(( 6 * 7 ))"'
echo "tessera-linux: $(grep -c ^processor /proc/cpuinfo) CPUs in /proc/cpuinfo"
echo "tessera-linux: $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB of memory"
echo "tessera-linux: powering off"
poweroff -f
