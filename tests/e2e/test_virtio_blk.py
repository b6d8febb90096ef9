# SPDX-License-Identifier: Apache-2.0
"""virtio-blk over virtio-mmio (aarch64, riscv64) and virtio-pci (x86_64) with each kind of backend, driven by our bare-metal guest
(tests/guests/common/vblk.c): a file on the hypervisor's FAT32 disk written in place, a partition of
a second disk written, another partition read-only. The guest checks every answer, good and bad
(IOERR, DEVICE_NEEDS_RESET and recovery); the test then reads the disk images back on the host: what
the guest wrote and flushed is there, and nothing else changed."""
import os
import re
import struct
import subprocess

import pytest

from conftest import ROOT, boot, build_image
from disk_helpers import MTOOLS_ENV, hypervisor_disk

SECTOR = 512
# Partitions of the second disk (MBR): (first sector, sectors).
PARTITIONS = [(2048, 4096), (6144, 8192)]
PATTERN = bytes((i * 7 + 1) & 0xff for i in range(SECTOR))  # what the guest writes to sector 1


def write_mbr_disk(path, size_mb, partitions):
    """A disk image with an MBR (type 0x83 entries) and every partition's sectors marked with its
    number, so that a write anywhere else shows."""
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
        mbr = bytearray(SECTOR)
        for i, (first, count) in enumerate(partitions):
            mbr[446 + 16 * i:446 + 16 * (i + 1)] = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x83, b"\0\0\0", first, count)
        mbr[510:512] = b"\x55\xaa"
        f.seek(0)
        f.write(mbr)
        for i, (first, count) in enumerate(partitions):
            f.seek(first * SECTOR)
            f.write(bytes([0xa0 + i]) * (count * SECTOR))


def sector(data, n):
    return data[n * SECTOR:(n + 1) * SECTOR]


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_virtio_blk_backends_and_bad_rings(arch):
    subprocess.run(["make", "-s", f"ARCH={arch}", "guests"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = os.path.join(ROOT, f"build/e2e-{arch}-vblk")
    os.makedirs(work, exist_ok=True)
    scratch = os.path.join(work, "scratch.img")
    with open(scratch, "wb") as f:
        f.write(b"\x5a" * (1 << 20))
    disk0 = hypervisor_disk(work, arch, [scratch], size_mb=40)
    disk1 = os.path.join(work, "disk1.img")
    write_mbr_disk(disk1, 8, PARTITIONS)

    image = build_image(arch, build_dir=f"build/e2e-{arch}-vblk/hv", vm_configs=[f"tests/guests/{arch}/vblk.toml"])
    b = boot(arch, smp=2, image=image, timeout=120,
             env_extra={"DISK": disk0, "DISK_WRITABLE": "1", "DISK2": disk1})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    for bad in ("Tessera panic", "Hypervisor exception", "FAILED"):
        assert bad not in out, out
    assert "vda@/guest/scratch.img: virtio-blk on /guest/scratch.img: 2048 sectors (1 MiB) of disk 0 in 1 piece(s), read-write" in out, out
    assert "vdb@disk1p2: virtio-blk on disk1p2: 8192 sectors (4 MiB) of disk 1 in 1 piece(s), read-write" in out, out
    assert "vdc@disk1p1:ro: virtio-blk on disk1p1:ro: 4096 sectors (2 MiB) of disk 1 in 1 piece(s), read-only" in out, out
    assert "[vm1] vblk guest: 64 checks passed, 0 failed" in out, out
    if arch == "x86_64":
        # The first function's MSI-X (tests/guests/x86_64/vblk.c), and the one line for the message
        # the guest sent to RAM.
        assert "[vm1] vblk guest: MSI-X: 16 checks passed, 0 failed" in out, out
        assert ("VM[1] vblk: an interrupt message to 0x1000 with data 0x51 is not one the local APICs take: "
                "dropped") in out, out
    # Each kind of bad ring was named once, rate-limited after eight lines per device.
    assert "vda@/guest/scratch.img: a descriptor chain loops or is longer than the queue: the device needs a reset" in out, out
    assert "vda@/guest/scratch.img: an indirect table inside an indirect table: the device needs a reset" in out, out
    assert out.count("vda@/guest/scratch.img: further driver errors are not logged") == 1, out
    assert "VM[1] vblk: the guest powered off" in out, out

    # On the host: the file on the FAT32 disk has the pattern in sector 1 and its old bytes elsewhere.
    copy = os.path.join(work, "scratch.out")
    subprocess.run(["mcopy", "-o", "-i", disk0, "::/guest/scratch.img", copy], check=True, env=MTOOLS_ENV)
    with open(copy, "rb") as f:
        data = f.read()
    assert len(data) == 1 << 20
    assert sector(data, 1) == PATTERN
    assert sector(data, 0) == b"\x5a" * SECTOR and sector(data, 2) == b"\x5a" * SECTOR
    # The second disk: partition 2's sector 1 written, partition 1 (read-only) and the rest untouched.
    with open(disk1, "rb") as f:
        disk = f.read()
    first1, count1 = PARTITIONS[0]
    first2, count2 = PARTITIONS[1]
    assert sector(disk, first2 + 1) == PATTERN
    assert disk[first1 * SECTOR:(first1 + count1) * SECTOR] == b"\xa0" * (count1 * SECTOR)
    rest = disk[first2 * SECTOR:(first2 + count2) * SECTOR]
    assert rest[:SECTOR] == b"\xa1" * SECTOR and rest[2 * SECTOR:] == b"\xa1" * ((count2 - 2) * SECTOR)
    assert disk[(first2 + count2) * SECTOR:] == bytes(len(disk) - (first2 + count2) * SECTOR)


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_two_vms_write_their_own_partitions_at_once(arch):
    """Two VMs on two CPUs, each given one partition of the same host disk read-write, write and
    read back their own patterns at the same time (requests of both VMs serialized on the one host
    disk): each reads back only its own data, and on the host each partition holds its VM's."""
    subprocess.run(["make", "-s", f"ARCH={arch}", "guests"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = os.path.join(ROOT, f"build/e2e-{arch}-vblkpair")
    os.makedirs(work, exist_ok=True)
    disk0 = hypervisor_disk(work, arch)
    disk1 = os.path.join(work, "disk1.img")
    write_mbr_disk(disk1, 8, PARTITIONS)
    configs = [f"tests/e2e/configs/vblkpair-{n}-{arch}.toml" for n in (1, 2)]
    image = build_image(arch, build_dir=f"build/e2e-{arch}-vblkpair/hv", vm_configs=configs)
    b = boot(arch, smp=2, image=image, timeout=180, env_extra={"DISK": disk0, "DISK2": disk1})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    for n in (1, 2):
        assert f"[vm{n}] vblkpair guest: VM {n}: all 1280 writes read back" in out, out
        assert f"VM[{n}] writer-{n}: the guest powered off" in out, out
    with open(disk1, "rb") as f:
        disk = f.read()
    for n, (first, count) in enumerate(PARTITIONS, start=1):
        for s in range(64):
            expected = bytes([n, (s + 19) & 0xff]) * (SECTOR // 2)  # the last round's pattern
            assert sector(disk, first + s) == expected, (n, s)
        rest = disk[(first + 64) * SECTOR:(first + count) * SECTOR]
        assert rest == bytes([0xa0 + n - 1]) * len(rest)
