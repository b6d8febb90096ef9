#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a gzip-compressed initramfs (cpio "newc", Linux Documentation/driver-api/early-userspace/
buffer-format.rst) holding a static busybox, /dev/console and an /init script, without needing
root, cpio or fakeroot on the build machine.

    mkinitramfs.py OUTPUT BUSYBOX INIT_SCRIPT [--program FILE...] [--modules MODULES_DIR[:MODULES_DIR...] NAME...]

With --program, each FILE goes to /bin/<its name> (a static test program, e.g. the flooder of
tests/guests/linux/flood/).

With --modules, the named kernel modules and what they depend on (scripts/linux_modules.py) go to
/lib/modules/<name>.ko, uncompressed, and their names, dependencies first, one a line, to
/lib/modules/load-order: the order in which /init insmods them (busybox's insmod resolves nothing).
"""
import argparse
import gzip
import os
import stat

import linux_modules


def entry(name, mode, data=b"", rdev=(0, 0), ino=[1]):
    ino[0] += 1
    header = "070701" + "".join("%08x" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
    out = header.encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    parser = argparse.ArgumentParser(description="Writes the test guests' initramfs.")
    parser.add_argument("output")
    parser.add_argument("busybox")
    parser.add_argument("init_script")
    parser.add_argument("--program", nargs="+", default=[], help="static programs to put in /bin")
    parser.add_argument("--modules", nargs="+", metavar=("MODULES_DIR", "NAME"),
                        help="a kernel's modules directory (or several, joined by ':'), then module names")
    args = parser.parse_args()
    output, busybox, init_script = args.output, args.busybox, args.init_script
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
    for program in args.program:
        with open(program, "rb") as f:
            archive += entry("bin/" + os.path.basename(program), stat.S_IFREG | 0o755, f.read())
    if args.modules:
        if len(args.modules) < 2:
            parser.error("--modules needs a modules directory and at least one module name")
        order = linux_modules.resolve(args.modules[0], args.modules[1:])
        archive += entry("lib", stat.S_IFDIR | 0o755)
        archive += entry("lib/modules", stat.S_IFDIR | 0o755)
        for name, path in order:
            archive += entry(f"lib/modules/{name}.ko", stat.S_IFREG | 0o644, linux_modules.read_module(path))
        names = "".join(name + "\n" for name, _ in order).encode()
        archive += entry("lib/modules/load-order", stat.S_IFREG | 0o644, names)
    archive += entry("TRAILER!!!", 0)
    archive += b"\0" * (-len(archive) % 512)
    tmp = output + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(archive)
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
