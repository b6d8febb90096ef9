#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /sbin/init of the ext4 root that scripts/make-linux-root.sh builds, run by the initramfs's /init
# (tests/guests/linux/init.sh) after switch_root, with /dev, /proc and /sys already mounted. It
# proves the disk holds what was written to it across a reboot. Parameters from the kernel command
# line (in /proc/cmdline only, as init.sh explains):
#   tessera.write=TEXT   write TEXT (no spaces) to /tessera-mark, sync, and reboot (reboot -f:
#                        QEMU with -no-reboot exits, and the test boots the same disk again; a
#                        VM under Tessera resets and boots again), unless the mark already says
#                        TEXT (the boot after that reset): then it goes on as without it
#   tessera.mount=DEV    also mount DEV (an ext4 filesystem, e.g. /dev/vda2) on /mnt
#   tessera.shell        an interactive shell on the console, before powering off
# Without tessera.write it powers off. Lines printed, in this order:
#   tessera-linux: root init started on DEV (LABEL)   (DEV as in /proc/mounts; LABEL from the
#                                                      root's /tessera-label, e.g. tessera-root)
#   tessera-linux: found /tessera-mark: TEXT          or
#   tessera-linux: no /tessera-mark on the root
#   tessera-linux: mounted DEV on /mnt (LABEL)        or, with tessera.mount=DEV,
#   tessera-linux: could not mount DEV on /mnt
#   tessera-linux: wrote /tessera-mark: TEXT          with tessera.write=TEXT, then
#   tessera-linux: rebooting
#   tessera-linux: interactive shell; 'poweroff -f' powers the VM off   with tessera.shell
#   tessera-linux: powering off
# The applets' links are made here, on the first boot, since the host that builds the image
# cannot run a foreign busybox to ask it their names.
/bin/busybox --install -s /bin 2>/dev/null
[ -e /proc/self ] || mount -t proc proc /proc
[ -e /sys/kernel ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
write= extra=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        tessera.write=*) write=${arg#tessera.write=} ;;
        tessera.mount=*) extra=${arg#tessera.mount=} ;;
    esac
done
dev=$(awk '$2 == "/" && $1 != "rootfs" {print $1}' /proc/mounts)
echo "tessera-linux: root init started on $dev ($(cat /tessera-label 2>/dev/null))"
if [ -f /tessera-mark ]; then
    echo "tessera-linux: found /tessera-mark: $(cat /tessera-mark)"
else
    echo "tessera-linux: no /tessera-mark on the root"
fi
if [ -n "$extra" ]; then
    mkdir -p /mnt
    if mount -t ext4 "$extra" /mnt; then
        echo "tessera-linux: mounted $extra on /mnt ($(cat /mnt/tessera-label 2>/dev/null))"
        umount /mnt
    else
        echo "tessera-linux: could not mount $extra on /mnt"
    fi
fi
# What must reach the disk before the VM stops: sync writes the dirty pages and has the block
# driver flush the disk's cache; read-only, the filesystem is also marked clean, so the next boot
# needs no journal replay (Linux Documentation/filesystems/ext4/journal.rst).
finish() {
    sync
    mount -o remount,ro / 2>/dev/null
    sync
}
# A VM reset boots the same command line again: a mark already written is only reported.
if [ -n "$write" ] && [ "$(cat /tessera-mark 2>/dev/null)" != "$write" ]; then
    echo "$write" > /tessera-mark
    echo "tessera-linux: wrote /tessera-mark: $(cat /tessera-mark)"
    finish
    echo "tessera-linux: rebooting"
    reboot -f
fi
if grep -q tessera.shell /proc/cmdline; then
    echo "tessera-linux: interactive shell; 'poweroff -f' powers the VM off"
    setsid cttyhack sh
fi
finish
echo "tessera-linux: powering off"
poweroff -f
