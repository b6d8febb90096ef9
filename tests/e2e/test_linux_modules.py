# SPDX-License-Identifier: Apache-2.0
"""scripts/linux_modules.py on modules made up here (a 64-bit ELF holding only a .modinfo
section): the load order, soft dependencies, built-in names, compression and the errors. Debian's
real modules are exercised by test_linux_virtio_bare_qemu.py."""
import lzma
import os
import struct
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import linux_modules  # noqa: E402


def fake_module(**info):
    """An ELF64 little-endian relocatable with sections: null, .modinfo, .shstrtab."""
    modinfo = b"".join(f"{k}={v}".encode() + b"\0" for k, v in info.items())
    shstrtab = b"\0.modinfo\0.shstrtab\0"
    data_off = 64
    shoff = data_off + len(modinfo) + len(shstrtab)
    shoff += -shoff % 8
    header = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 1, 0xb7, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 2)

    def sh(name, off, size, type_=1):
        return struct.pack("<IIQQQQIIQQ", name, type_, 0, 0, off, size, 0, 0, 1, 0)

    body = modinfo + shstrtab
    body += b"\0" * (shoff - data_off - len(body))
    sections = sh(0, 0, 0, 0) + sh(1, data_off, len(modinfo)) + sh(10, data_off + len(modinfo), len(shstrtab), 3)
    return header + body + sections


def write(path, data, compress=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with (lzma.open(path, "wb") if compress else open(path, "wb")) as f:
        f.write(data)


@pytest.fixture
def modules_dir(tmp_path):
    d = tmp_path / "lib/modules/1.0"
    write(str(d / "kernel/a/core.ko"), fake_module(name="core", depends=""))
    write(str(d / "kernel/a/ring.ko.xz"), fake_module(name="ring", depends=""), compress=True)
    write(str(d / "kernel/b/drv-blk.ko"), fake_module(name="drv_blk", depends="core,ring"))
    write(str(d / "kernel/b/crc.ko"), fake_module(name="crc", depends=""))
    # A soft dependency loaded first (pre:), one after (post:), and one that is not a module.
    write(str(d / "kernel/c/fs.ko"), fake_module(name="fs", depends="core", softdep="pre: crc builtin_x post: ring"))
    write(str(d / "kernel/d/loop1.ko"), fake_module(name="loop1", depends="loop2"))
    write(str(d / "kernel/d/loop2.ko"), fake_module(name="loop2", depends="loop1"))
    (d / "modules.builtin").write_text("kernel/e/inside.ko\n")
    return str(d)


def names(order):
    return [n for n, _ in order]


def test_dependencies_come_first_once_each(modules_dir):
    assert names(linux_modules.resolve(modules_dir, ["drv-blk", "core"])) == ["core", "ring", "drv_blk"]


def test_pre_soft_dependencies_are_loaded_first(modules_dir):
    assert names(linux_modules.resolve(modules_dir, ["fs"])) == ["core", "crc", "fs"]


def test_built_in_names_are_skipped(modules_dir):
    assert names(linux_modules.resolve(modules_dir, ["inside", "core"])) == ["core"]


def test_xz_modules_are_decompressed(modules_dir):
    order = dict(linux_modules.resolve(modules_dir, ["ring"]))
    assert linux_modules.modinfo(linux_modules.read_module(order["ring"]))["name"] == ["ring"]


def test_several_directories_of_one_version(modules_dir, tmp_path):
    base = tmp_path / "base/lib/modules/1.0"
    base.mkdir(parents=True)
    (base / "modules.builtin").write_text("kernel/f/elsewhere.ko\n")
    assert names(linux_modules.resolve(f"{modules_dir}:{base}", ["elsewhere", "crc"])) == ["crc"]


def test_a_missing_module_is_an_error(modules_dir):
    with pytest.raises(SystemExit, match="no module 'nothere'"):
        linux_modules.resolve(modules_dir, ["nothere"])


def test_a_dependency_cycle_is_an_error(modules_dir):
    with pytest.raises(SystemExit, match="cycle"):
        linux_modules.resolve(modules_dir, ["loop1"])
