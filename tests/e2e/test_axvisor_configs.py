# SPDX-License-Identifier: Apache-2.0
"""AxVisor's own QEMU configs (tests/e2e/configs/axvisor/, written afresh from its schema) run
unchanged but for kernel_path, which names one of our test guests linked where the config enters:
the config is read from the FAT32 disk, its image too, as AxVisor's users do it."""
import os
import re
import subprocess

from conftest import ROOT, boot, build_image
from disk_helpers import MTOOLS_ENV

AXVISOR = "tests/e2e/configs/axvisor"


def disk_with(arch, name, config):
    subprocess.run(["make", "-s", f"ARCH={arch}", "guests"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    disk = f"build/e2e-{arch}-axvisor-{name}.img"
    subprocess.run(["scripts/make-disk-img.sh", disk, arch, config], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, env=dict(MTOOLS_ENV, DISK_SIZE_MB="40"))
    return disk


def test_arceos_aarch64_qemu_smp1():
    """The whole machine less PCIe, 1 GiB of identical RAM at 0x8000_0000 (QEMU given 3 GiB), the
    device tree generated at dtb_load_addr: the guest runs from the disk, writes to the host's
    PL011 itself, and the hypervisor's own disk stays out of the guest's tree."""
    arch = "aarch64"
    disk = disk_with(arch, "arceos", f"{AXVISOR}/arceos-aarch64-qemu-smp1.toml")
    image = build_image(arch, build_dir=f"build/e2e-{arch}-axvisor", vm_configs=[])
    b = boot(arch, smp=2, mem="3G", image=image, timeout=120, env_extra={"DISK": disk})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    assert "Read VM config /guest/vm_default/arceos-aarch64-qemu-smp1.toml from the disk" in out, out
    assert "VM[1] arceos-qemu: loaded kernel '/guest/hello-0x80200000.bin' from the disk" in out, out
    assert re.search(r"VM\[1\] arceos-qemu: generated device tree \(\d+ bytes\) at 0x80000000", out), out
    assert re.search(r"VM\[1\] arceos-qemu: \d+ host device-tree node\(s\) passed through", out), out
    # The disk the hypervisor reads is its own: its transport's node, and those in its page, stay out.
    assert re.search(r"host node 'virtio_mmio@a003\w00' is not passed through: its page at 0xa003000 is the "
                     r"hypervisor's disk's", out), out
    assert re.search(r"^Hello from a Tessera guest on aarch64!$", out, re.M), out
    assert "VM[1] arceos-qemu: the guest powered off" in out, out
    for bad in ("Tessera panic", "Hypervisor exception", "error:"):
        assert bad not in out, out


def test_arceos_riscv64_qemu_smp1():
    """No devices named at all: the VM gets an emulated 16550 where QEMU's virt machine has one, so
    what the guest prints is shown; the device tree goes where dtb_load_addr says."""
    arch = "riscv64"
    disk = disk_with(arch, "arceos", f"{AXVISOR}/arceos-riscv64-qemu-smp1.toml")
    image = build_image(arch, build_dir=f"build/e2e-{arch}-axvisor", vm_configs=[])
    b = boot(arch, smp=2, image=image, timeout=120, env_extra={"DISK": disk})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    assert "VM[1] arceos-qemu: loaded kernel '/guest/hello.bin' from the disk" in out, out
    assert re.search(r"VM\[1\] arceos-qemu: generated device tree \(\d+ bytes\) at 0x82200000", out), out
    assert "VM[1] arceos-qemu: its config names no console, so it gets one: an emulated ns16550" in out, out
    assert "[vm1] Hello from a Tessera guest on riscv64!" in out, out
    assert "VM[1] arceos-qemu: the guest powered off" in out, out
    for bad in ("Tessera panic", "Hypervisor exception", "error:"):
        assert bad not in out, out


def test_nimbos_x86_64_qemu_smp1():
    """A BIOS entered first: the boot vCPU starts in real mode at 0x8000 in our boot stub (the
    contract of AxVisor's axvm-bios), which enters the guest at 0x20_0000 in protected mode. The
    IO APIC and local APIC windows the config passes through are served by the VM's own APICs; the
    HPET's page is the VM's; with no console named, the VM gets COM1."""
    arch = "x86_64"
    disk = disk_with(arch, "nimbos", f"{AXVISOR}/nimbos-x86_64-qemu-smp1.toml")
    image = build_image(arch, build_dir=f"build/e2e-{arch}-axvisor", vm_configs=[])
    b = boot(arch, smp=2, image=image, timeout=120, env_extra={"DISK": disk})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    assert "VM[1] nimbos: loaded bios '/guest/bios.bin' from the disk" in out, out
    assert re.search(r"bios .* at 0x8000$", out, re.M), out
    assert "VM[1] nimbos: loaded kernel '/guest/hello-0x200000.bin' from the disk" in out, out
    for window, served_by in (("IO APIC [0xfec00000", "IOAPIC"), ("Local APIC [0xfee00000", "local APIC")):
        assert f"VM[1] nimbos: {window}, +0x1000) is served by the VM's own {served_by}" in out, out
    assert "its config names no console, so it gets one: an emulated com1-16550 at port 0x3f8" in out, out
    assert "[vm1] Hello from a Tessera guest on x86_64!" in out, out
    assert "VM[1] nimbos: the guest powered off" in out, out
    for bad in ("Tessera panic", "Hypervisor exception", "error:"):
        assert bad not in out, out
