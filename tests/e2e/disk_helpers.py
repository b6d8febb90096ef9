# SPDX-License-Identifier: Apache-2.0
"""Shared by tests/e2e/test_disk_<arch>.py: guests and configs from a FAT32 disk. Disks are made by
scripts/make-disk-img.sh (mkfs.fat + mtools, as `make disk_img` does), some then corrupted on
purpose; each check asserts on the guest's own console lines, on the hypervisor's messages, and on
what must not happen (a bad VM starting, a panic, the other VMs not running). The per-arch files
say what differs (a DiskArch) in a subclass of DiskTests, so every arch runs the same checks."""
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass

import pytest

from conftest import ROOT, boot, build_image

CONFIGS = "tests/e2e/configs"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


@dataclass
class DiskArch:
    arch: str
    disk_device: str      # the block device's name in the hypervisor's log, as QEMU places it
    hypercall_line: str   # what the hello guest as VM 3 prints after its hypercalls
    load_address: str     # where the configs load the kernel, as the loader prints it
    never: tuple = ()     # arch-specific lines that must never appear (besides panics)

    @property
    def guests(self):
        return f"tests/guests/{self.arch}"

    @property
    def hello_bin(self):
        return f"build/guests/{self.arch}/hello.bin"

    def hello(self, vm):
        return f"[vm{vm}] Hello from a Tessera guest on {self.arch}!"

    def config(self, name):
        return f"{CONFIGS}/disk-{name}-{self.arch}.toml"


def hypervisor_disk(work, arch, files=(), size_mb=34):
    """Disk 0, the hypervisor's FAT32 disk, made in the directory `work` by
    scripts/make-disk-img.sh with `files` on it (none: an empty one, beside a VM's own disk);
    returns its path."""
    disk0 = os.path.join(work, "disk0.img")
    subprocess.run(["scripts/make-disk-img.sh", disk0, arch, *files], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, env=dict(MTOOLS_ENV, DISK_SIZE_MB=str(size_mb)))
    return disk0


def make_disk(a, name, entries):
    """A disk image made the way `make disk_img` makes it; returns its path (relative to ROOT)."""
    subprocess.run(["make", "-s", f"ARCH={a.arch}", "guests"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    disk = f"build/e2e-{a.arch}-disk-{name}.img"
    subprocess.run(["scripts/make-disk-img.sh", disk, a.arch, *entries], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, env=dict(MTOOLS_ENV, DISK_SIZE_MB="40"))
    return disk


def mcopy(disk, source, target):
    subprocess.run(["mcopy", "-o", "-i", os.path.join(ROOT, disk), source, "::" + target], check=True,
                   env=MTOOLS_ENV)


def clusters_of(disk, path):
    """The file's cluster chain as mtools reports it ("::/x <5-9> <12-14>")."""
    out = subprocess.run(["mshowfat", "-i", os.path.join(ROOT, disk), "::" + path], check=True,
                         capture_output=True, text=True, env=MTOOLS_ENV).stdout
    chain = []
    for run_ in out.split("<")[1:]:
        first, _, last = run_.split(">")[0].partition("-")
        chain.extend(range(int(first), int(last or first) + 1))
    return chain


def set_fat_entry(disk, cluster, value):
    """Writes the first FAT's entry for `cluster` (FAT spec 1.03, section 4)."""
    with open(os.path.join(ROOT, disk), "r+b") as f:
        boot_sector = f.read(512)
        bytes_per_sector, = struct.unpack_from("<H", boot_sector, 11)
        reserved, = struct.unpack_from("<H", boot_sector, 14)
        f.seek(reserved * bytes_per_sector + 4 * cluster)
        f.write(struct.pack("<I", value))


def run(a, image, disk=None):
    b = boot(a.arch, smp=4, image=image, env_extra={"DISK": disk} if disk else None)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in ("Tessera panic", "Hypervisor exception", *a.never):
        assert bad not in b.output, b.output
    return b


class DiskTests:
    """The checks every arch runs. A test file subclasses this as Test<Arch>Disk with A = DiskArch(...);
    pytest collects only classes named Test*, so this base class does not run on its own."""
    A: DiskArch

    @pytest.fixture(scope="class")
    def builtin_image(self):
        """Built in: hello (image in memory, VM 1) and disk-hello (image_location = "fs", VM 3)."""
        a = self.A
        return build_image(a.arch, build_dir=f"build/e2e-{a.arch}-disk-builtin",
                           vm_configs=[f"{a.guests}/hello.toml", a.config("hello")])

    @pytest.fixture(scope="class")
    def empty_image(self):
        """Nothing built in: every VM comes from the disk's /guest/vm_default/."""
        return build_image(self.A.arch, build_dir=f"build/e2e-{self.A.arch}-disk-empty", vm_configs=[])

    def test_builtin_config_loads_its_image_from_the_disk(self, builtin_image):
        a = self.A
        disk = make_disk(a, "image-only", [a.hello_bin])
        out = run(a, builtin_image, disk).output
        assert f"Disk {a.disk_device}: FAT32 volume" in out, out
        assert "VM[3] disk-hello: loaded kernel '/guest/hello.bin' from the disk (" in out, out
        assert a.hello(3) in out, out
        assert a.hypercall_line in out, out
        assert a.hello(1) in out, out
        assert "error:" not in out, out

    def test_config_from_vm_default_starts_its_vm(self, empty_image):
        a = self.A
        disk = make_disk(a, "config", [a.config("hello")])
        out = run(a, empty_image, disk).output
        assert f"Read VM config /guest/vm_default/disk-hello-{a.arch}.toml from the disk" in out, out
        assert 'Creating VM [3] "disk-hello"' in out, out
        assert a.hello(3) in out, out
        assert "VM[3] disk-hello: the guest powered off" in out, out
        assert "error:" not in out, out

    def test_bad_images_are_refused_and_the_other_vms_boot(self, builtin_image, tmp_path):
        a = self.A
        # The broken VMs' images are copies of hello.bin next to copies of their configs, padded
        # to 8 KiB so their cluster chains are long enough to corrupt whatever the guest's size.
        for name in ("broken", "truncated"):
            shutil.copy(os.path.join(ROOT, a.hello_bin), tmp_path / f"{name}.bin")
            with open(tmp_path / f"{name}.bin", "r+b") as f:
                f.truncate(max(8192, os.path.getsize(tmp_path / f"{name}.bin")))
            shutil.copy(os.path.join(ROOT, a.config(name)), tmp_path)
        with open(tmp_path / "toobig.bin", "wb") as f:
            f.truncate(16 << 20)  # the VM's whole RAM, but loaded above its start
        shutil.copy(os.path.join(ROOT, a.config("toobig")), tmp_path)
        disk = make_disk(a, "bad-images", [a.hello_bin, *(str(tmp_path / f"disk-{n}-{a.arch}.toml")
                                                          for n in ("broken", "truncated", "toobig"))])
        # A config naming a file that is not on the disk (make-disk-img.sh would refuse to make it).
        mcopy(disk, os.path.join(ROOT, a.config("missing")), f"/guest/vm_default/disk-missing-{a.arch}.toml")
        broken = clusters_of(disk, "/guest/broken.bin")
        assert len(broken) > 3, broken
        set_fat_entry(disk, broken[-1], broken[1])  # the last cluster leads back: a loop
        truncated = clusters_of(disk, "/guest/truncated.bin")
        set_fat_entry(disk, truncated[2], 0x0FFFFFFF)  # end of chain after 3 clusters

        out = run(a, builtin_image, disk).output
        assert ("VM[5] disk-missing: kernel_path '/guest/not-there.bin': '/guest/not-there.bin' "
                "does not exist") in out, out
        assert ("VM[6] disk-broken: kernel_path '/guest/broken.bin': cluster chain of '/guest/broken.bin' "
                "loops") in out, out
        assert ("VM[7] disk-truncated: kernel_path '/guest/truncated.bin': '/guest/truncated.bin' is truncated: "
                "its cluster chain ends after 3 clusters") in out, out
        assert ("VM[8] disk-toobig: kernel_path '/guest/toobig.bin': the file (16777216 bytes) does not fit in "
                f"guest RAM at {a.load_address}") in out, out
        for vm in (5, 6, 7, 8):
            assert f"VM[{vm}] boot success" not in out, out
            assert f"[vm{vm}] " not in out, out
        # The good VMs still run: VM 1 (image built in) and VM 3 (image from the same disk).
        assert a.hello(1) in out, out
        assert a.hello(3) in out, out
        assert "All VMs have stopped" in out, out

    def test_corrupt_boot_sector_names_the_vm_and_the_cause(self, builtin_image):
        a = self.A
        disk = make_disk(a, "bad-boot", [a.hello_bin])
        with open(os.path.join(ROOT, disk), "r+b") as f:
            f.seek(510)
            f.write(b"\0\0")
        out = run(a, builtin_image, disk).output
        assert (f"VM[3] disk-hello: kernel_path '/guest/hello.bin': {a.disk_device} holds no usable FAT32 "
                "volume: bad boot sector: no 0x55 0xaa signature at byte 510") in out, out
        assert "VM[3] boot success" not in out, out
        assert a.hello(1) in out, out

    def test_absent_disk_names_the_vm_and_the_cause(self, builtin_image):
        a = self.A
        out = run(a, builtin_image).output
        assert ("VM[3] disk-hello: kernel_path '/guest/hello.bin': no disk: the machine has no virtio block "
                "device") in out, out
        assert "VM[3] boot success" not in out, out
        assert a.hello(1) in out, out
