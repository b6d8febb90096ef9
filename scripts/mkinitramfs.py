#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a gzip-compressed initramfs (cpio "newc", Linux Documentation/driver-api/early-userspace/
buffer-format.rst) holding a static busybox, /dev/console and an /init script, without needing
root, cpio or fakeroot on the build machine.

    mkinitramfs.py OUTPUT BUSYBOX INIT_SCRIPT
"""
import gzip
import os
import stat
import sys


def entry(name, mode, data=b"", rdev=(0, 0), ino=[1]):
    ino[0] += 1
    header = "070701" + "".join("%08x" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
    out = header.encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    output, busybox, init_script = sys.argv[1:4]
    with open(busybox, "rb") as f:
        busybox_data = f.read()
    with open(init_script, "rb") as f:
        init_data = f.read()
    archive = b""
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "usr", "usr/bin", "usr/sbin"):
        archive += entry(d, stat.S_IFDIR | 0o755)
    archive += entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
    archive += entry("bin/busybox", stat.S_IFREG | 0o755, busybox_data)
    archive += entry("bin/sh", stat.S_IFLNK | 0o777, b"busybox")
    archive += entry("init", stat.S_IFREG | 0o755, init_data)
    archive += entry("TRAILER!!!", 0)
    archive += b"\0" * (-len(archive) % 512)
    tmp = output + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(archive)
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
