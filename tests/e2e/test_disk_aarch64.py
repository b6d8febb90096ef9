"""aarch64 guests and configs from a FAT32 disk (virtio-blk over virtio-mmio): disks are made by
scripts/make-disk-img.sh (mkfs.fat + mtools, as `make disk_img` does), some then corrupted on
purpose; each test asserts on the guest's own console lines, on the hypervisor's messages, and on
what must not happen (a bad VM starting, a panic, the other VMs not running)."""
import os
import shutil
import struct
import subprocess

import pytest

from conftest import ROOT, boot, build_image

ARCH = "aarch64"
GUESTS = "tests/guests/aarch64"
CONFIGS = "tests/e2e/configs"
HELLO_BIN = f"build/guests/{ARCH}/hello.bin"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def make_disk(name, entries):
    """A disk image made the way `make disk_img` makes it; returns its path (relative to ROOT)."""
    subprocess.run(["make", "-s", f"ARCH={ARCH}", "guests"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    disk = f"build/e2e-{ARCH}-disk-{name}.img"
    subprocess.run(["scripts/make-disk-img.sh", disk, ARCH, *entries], cwd=ROOT, check=True,
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
    for run in out.split("<")[1:]:
        first, _, last = run.split(">")[0].partition("-")
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


def run(image, disk=None):
    b = boot(ARCH, smp=4, image=image, env_extra={"DISK": disk} if disk else None)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in ("Tessera panic", "Hypervisor exception"):
        assert bad not in b.output, b.output
    return b


@pytest.fixture(scope="module")
def builtin_image():
    """Built in: hello (image in memory, VM 1) and disk-hello (image_location = "fs", VM 3)."""
    return build_image(ARCH, build_dir=f"build/e2e-{ARCH}-disk-builtin",
                       vm_configs=[f"{GUESTS}/hello.toml", f"{CONFIGS}/disk-hello-{ARCH}.toml"])


@pytest.fixture(scope="module")
def empty_image():
    """Nothing built in: every VM comes from the disk's /guest/vm_default/."""
    return build_image(ARCH, build_dir=f"build/e2e-{ARCH}-disk-empty", vm_configs=[])


def test_builtin_config_loads_its_image_from_the_disk(builtin_image):
    disk = make_disk("image-only", [HELLO_BIN])
    out = run(builtin_image, disk).output
    assert "Disk virtio-mmio@0xa003e00: FAT32 volume" in out, out
    assert "VM[3] disk-hello: loaded kernel '/guest/hello.bin' from the disk (" in out, out
    assert "[vm3] Hello from a Tessera guest on aarch64!" in out, out
    assert "[vm3] hypercall: Tessera version 0.1.0, VM id 3, PSCI version 0x10001" in out, out
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out
    assert "error:" not in out, out


def test_config_from_vm_default_starts_its_vm(empty_image):
    disk = make_disk("config", [f"{CONFIGS}/disk-hello-{ARCH}.toml"])
    out = run(empty_image, disk).output
    assert "Read VM config /guest/vm_default/disk-hello-aarch64.toml from the disk" in out, out
    assert 'Creating VM [3] "disk-hello"' in out, out
    assert "[vm3] Hello from a Tessera guest on aarch64!" in out, out
    assert "VM[3] disk-hello: the guest powered off" in out, out
    assert "error:" not in out, out


def test_bad_images_are_refused_and_the_other_vms_boot(builtin_image, tmp_path):
    # The broken VMs' images are copies of hello.bin next to copies of their configs.
    for name in ("broken", "truncated"):
        shutil.copy(os.path.join(ROOT, HELLO_BIN), tmp_path / f"{name}.bin")
        shutil.copy(os.path.join(ROOT, CONFIGS, f"disk-{name}-{ARCH}.toml"), tmp_path)
    with open(tmp_path / "toobig.bin", "wb") as f:
        f.truncate(16 << 20)  # the VM's whole RAM, but loaded 512 KiB into it
    shutil.copy(os.path.join(ROOT, CONFIGS, f"disk-toobig-{ARCH}.toml"), tmp_path)
    disk = make_disk("bad-images", [HELLO_BIN,
                                    *(str(tmp_path / f"disk-{n}-{ARCH}.toml") for n in ("broken", "truncated", "toobig"))])
    # A config naming a file that is not on the disk (make-disk-img.sh would refuse to make it).
    mcopy(disk, os.path.join(ROOT, CONFIGS, f"disk-missing-{ARCH}.toml"), f"/guest/vm_default/disk-missing-{ARCH}.toml")
    broken = clusters_of(disk, "/guest/broken.bin")
    assert len(broken) > 3, broken
    set_fat_entry(disk, broken[-1], broken[1])  # the last cluster leads back: a loop
    truncated = clusters_of(disk, "/guest/truncated.bin")
    set_fat_entry(disk, truncated[2], 0x0FFFFFFF)  # end of chain after 3 clusters

    out = run(builtin_image, disk).output
    assert "VM[5] disk-missing: kernel_path '/guest/not-there.bin': '/guest/not-there.bin' does not exist" in out, out
    assert "VM[6] disk-broken: kernel_path '/guest/broken.bin': cluster chain of '/guest/broken.bin' loops" in out, out
    assert ("VM[7] disk-truncated: kernel_path '/guest/truncated.bin': '/guest/truncated.bin' is truncated: "
            "its cluster chain ends after 3 clusters") in out, out
    assert ("VM[8] disk-toobig: kernel_path '/guest/toobig.bin': the file (16777216 bytes) does not fit in guest "
            "RAM at 0x40080000") in out, out
    for vm in (5, 6, 7, 8):
        assert f"VM[{vm}] boot success" not in out, out
        assert f"[vm{vm}] " not in out, out
    # The good VMs still run: VM 1 (image built in) and VM 3 (image from the same disk).
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out
    assert "[vm3] Hello from a Tessera guest on aarch64!" in out, out
    assert "All VMs have stopped" in out, out


def test_corrupt_boot_sector_names_the_vm_and_the_cause(builtin_image):
    disk = make_disk("bad-boot", [HELLO_BIN])
    with open(os.path.join(ROOT, disk), "r+b") as f:
        f.seek(510)
        f.write(b"\0\0")
    out = run(builtin_image, disk).output
    assert ("VM[3] disk-hello: kernel_path '/guest/hello.bin': virtio-mmio@0xa003e00 holds no usable FAT32 volume: "
            "bad boot sector: no 0x55 0xaa signature at byte 510") in out, out
    assert "VM[3] boot success" not in out, out
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out


def test_absent_disk_names_the_vm_and_the_cause(builtin_image):
    out = run(builtin_image).output
    assert "VM[3] disk-hello: kernel_path '/guest/hello.bin': no disk: the machine has no virtio block device" in out, out
    assert "VM[3] boot success" not in out, out
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out
