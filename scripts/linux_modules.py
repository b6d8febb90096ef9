#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Picks kernel modules out of an unpacked Debian kernel package, dependencies first, for an
initramfs that loads them with busybox's insmod (which, unlike modprobe, follows no dependency).

    linux_modules.py MODULES_DIR[:MODULES_DIR...] NAME...
        prints the modules to load, in order, and their files

MODULES_DIR is <package>/lib/modules/<version> (or usr/lib/modules/<version>); several, joined by
':', when the version's files are split over packages (sid's 7.x kernels: the modules in
linux-modules-<version>, modules.builtin in linux-base-<version>). Debian's packages
ship no modules.dep: their postinst runs depmod on the installed system. The dependencies are read
instead from each module's own .modinfo section, the "depends=" list modpost writes at build time
(Linux scripts/mod/modpost.c), which is what depmod turns into modules.dep, and its "softdep=pre:"
modules (Linux include/linux/module.h MODULE_SOFTDEP), which modprobe loads first too. A name that
is built into the kernel (modules.builtin, Linux Documentation/kbuild/kbuild.rst) needs no file and
is skipped; a name that is neither is an error, so a kernel configured without a driver the tests
need is found on the host rather than as a missing device in the guest.
"""
import lzma
import os
import shutil
import struct
import subprocess
import sys


def module_name(path):
    """The name the kernel knows a module by: its file name without .ko[.xz|.zst|.gz], with '-'
    read as '_' (Linux scripts/Makefile.lib's modname, and modprobe's own rule)."""
    base = os.path.basename(path)
    return base[:base.index(".ko")].replace("-", "_")


def read_module(path):
    """A module's ELF bytes, decompressed: Debian's 6.1 kernels ship plain .ko files, its 7.x ones
    .ko.xz (CONFIG_MODULE_COMPRESS_XZ); insmod in the guest then needs no decompressor."""
    if path.endswith(".xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        # Python has no zstd before 3.14: the zstd tool, if the host has it.
        if not shutil.which("zstd"):
            sys.exit(f"linux_modules.py: {path} is zstd-compressed and there is no zstd tool: "
                     "apt-get install zstd")
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def modinfo(elf):
    """The key=value strings of a module's .modinfo section (a 64-bit little-endian ELF: arm64,
    riscv64 and amd64 modules all are)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, elf[off:off + size]

    _, names = section(shstrndx)
    for i in range(shnum):
        name, data = section(i)
        if names[name:names.index(b"\0", name)] == b".modinfo":
            info = {}
            for item in data.split(b"\0"):
                key, sep, value = item.decode("utf-8", "replace").partition("=")
                if sep:
                    info.setdefault(key, []).append(value)
            return info
    return {}


def index(modules_dirs):
    """name -> path of every module file under the modules_dirs, and the set of built-in names."""
    files, builtin = {}, set()
    for modules_dir in modules_dirs:
        for dirpath, _, names in os.walk(modules_dir):
            for n in names:
                if ".ko" in n:
                    files[module_name(n)] = os.path.join(dirpath, n)
        builtin_list = os.path.join(modules_dir, "modules.builtin")
        if os.path.exists(builtin_list):
            with open(builtin_list) as f:
                builtin |= {module_name(line.strip()) for line in f if ".ko" in line}
    return files, builtin


def resolve(modules_dirs, wanted):
    """[(name, path)] for the wanted modules and all they depend on, each after its dependencies.
    modules_dirs: the directories of one kernel version (a list, or a string joined by ':')."""
    if isinstance(modules_dirs, str):
        modules_dirs = modules_dirs.split(":")
    files, builtin = index(modules_dirs)
    order, visiting, seen = [], set(), set()

    def visit(name, needed_by):
        name = name.replace("-", "_")
        if name in seen:
            return
        if name not in files:
            if name in builtin:
                seen.add(name)
                return
            sys.exit(f"linux_modules.py: no module '{name}'{needed_by} in {':'.join(modules_dirs)}, "
                     "and it is not built into the kernel")
        if name in visiting:
            sys.exit(f"linux_modules.py: modules depend on each other in a cycle through '{name}'")
        visiting.add(name)
        info = modinfo(read_module(files[name]))
        deps = [d for v in info.get("depends", []) for d in v.split(",") if d]
        # "softdep=pre: a b post: c": only the pre-modules are loaded before this one.
        for soft in info.get("softdep", []):
            words, pre = soft.split(), False
            for w in words:
                if w.endswith(":"):
                    pre = w == "pre:"
                elif pre and w.replace("-", "_") in files:
                    deps.append(w)
        for d in deps:
            visit(d, f" (needed by {name})")
        visiting.discard(name)
        seen.add(name)
        order.append((name, files[name]))

    for w in wanted:
        visit(w, "")
    return order


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    for name, path in resolve(sys.argv[1], sys.argv[2:]):
        print(name, path)


if __name__ == "__main__":
    main()
