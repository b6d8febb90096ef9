# SPDX-License-Identifier: Apache-2.0
"""Debian's Linux on a Tessera virtio-blk root: the busybox initramfs loads the kernel's own virtio
and ext4 modules, finds /dev/vda (Tessera's virtio-mmio device, in the generated device tree, on a
partition-less second host disk), switches to the ext4 root there, writes a mark, syncs and resets
its VM (PSCI SYSTEM_RESET / SBI reset); the second boot, in the same run, finds the mark. Then QEMU
is started again on the same disk file: the mark is still there."""
import os
import re
import subprocess

import pytest

import linux_helpers
from conftest import ROOT
from disk_helpers import hypervisor_disk
from linux_helpers import prepare_linux

# Where each arch's VM gets its disk: a free window and interrupt beside the config's devices.
VIRTIO_WINDOW = {
    "aarch64": '["vda@disk1", 0x0a00_0000, 0x200, 0x30, 0xE1, []],',
    "riscv64": '["vda@disk1", 0x1000_1000, 0x200, 1, 0xE1, []],',
    # x86: virtio-pci, the window its BAR (as firmware would place it) and INTA# on ISA IRQ 11.
    "x86_64": '["vda@disk1", 0xfebf_0000, 0x4000, 11, 0xE1, []],',
}


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_a_mark_written_on_the_virtio_root_survives_reset_and_power_off(arch):
    linux_dir = prepare_linux(arch)
    work = os.path.join(ROOT, f"build/e2e-{arch}-linux-vda")
    os.makedirs(work, exist_ok=True)
    root = os.path.join(work, "root.img")
    subprocess.run([os.path.join(ROOT, "scripts/make-linux-root.sh"), arch, root], check=True,
                   stdout=subprocess.DEVNULL)
    # Disk 0 is the hypervisor's (FAT32, nothing on it for this VM); disk 1 is the VM's root.
    disk0 = hypervisor_disk(work, arch)
    mark = f"written-under-tessera-on-{arch}"
    config = linux_helpers.derive_config(linux_dir, "linux-1cpu.toml", "linux-vda", VIRTIO_WINDOW[arch],
                                         f"tessera.root=/dev/vda tessera.rootwait=60 tessera.write={mark}")
    env = {"DISK": disk0, "DISK2": root}
    b = linux_helpers.boot_linux(arch, "linux-vda", [config], smp=2, env_extra=env)
    out = b.output.replace("\r", "")
    assert "VM[1] linux: vda@disk1: virtio-blk on disk1: 65536 sectors (32 MiB) of disk 1 in 1 piece(s), read-write" in out, out
    assert "[vm1] tessera-linux: virtio device virtio0: 0x0002 (block), driver virtio_blk" in out, out
    # x86: MSI-X (its queue's own message, no ISR read, no IOAPIC), in both boots: the VM's reset
    # put the function back to INTx and the second boot's driver enabled MSI-X again.
    if arch == "x86_64":
        assert out.count("[vm1] tessera-linux: virtio interrupt virtio0-req.0 through PCI-MSI") == 2, out
        assert out.count("[vm1] tessera-linux: virtio interrupt virtio0-config through PCI-MSI") == 2, out
        assert "virtio interrupt virtio0 through" not in out, out
    else:
        assert out.count("[vm1] tessera-linux: virtio interrupt virtio0 through") == 2, out
    assert "[vm1] tessera-linux: mounted /dev/vda (ext4); switching root to its /sbin/init" in out, out
    assert "[vm1] tessera-linux: root init started on /dev/vda (tessera-root)" in out, out
    # First boot: no mark, write it, reset; the second boot (after the VM's reset) finds it.
    first = out.index("[vm1] tessera-linux: no /tessera-mark on the root")
    wrote = out.index(f"[vm1] tessera-linux: wrote /tessera-mark: {mark}")
    reset = out.index("VM[1] linux: resetting")
    found = out.index(f"[vm1] tessera-linux: found /tessera-mark: {mark}")
    assert first < wrote < reset < found, out
    assert "VM[1] linux: the guest powered off" in out, out
    assert "further driver errors" not in out and "needs a reset" not in out, out

    # The machine again, from the same disk files: the mark is on the disk, not in any cache.
    b = linux_helpers.boot_linux(arch, "linux-vda", [config], smp=2, env_extra=env)
    out = b.output.replace("\r", "")
    assert f"[vm1] tessera-linux: found /tessera-mark: {mark}" in out, out
    assert "VM[1] linux: resetting" not in out, out


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_an_interrupt_per_completion_and_the_backends_time_reported(arch):
    """The guest's benchmark mode under Tessera (what bench/virtio_blk.sh times), 8 MiB each way and
    10 random reads: the guest takes no more virtio interrupts than requests it completes (a level
    line the guest acknowledged while its interrupt was active is not taken again at its end, where
    aarch64's vGIC took two per request), and at the VM's stop the device reports what its backend
    took for the reads and writes, which the bench subtracts."""
    linux_dir = prepare_linux(arch)
    work = os.path.join(ROOT, f"build/e2e-{arch}-linux-ddbench")
    os.makedirs(work, exist_ok=True)
    disk0 = hypervisor_disk(work, arch)
    data = os.path.join(work, "data.img")
    with open(data, "wb") as f:  # emptied, then sparse, as the bench's disk is
        f.truncate(16 << 20)
    words = "tessera.ddbench=/dev/vda tessera.ddbench.mib=8 tessera.ddbench.ios=10 tessera.ddbench.rounds=1"
    config = linux_helpers.derive_config(linux_dir, "linux-1cpu.toml", "linux-ddbench-e2e", VIRTIO_WINDOW[arch], words)
    b = linux_helpers.boot_linux(arch, "linux-ddbench-e2e", [config], smp=1, env_extra={"DISK": disk0, "DISK2": data})
    out = b.output.replace("\r", "")
    for phase, least in (("seq_write_mib_s", 8), ("seq_read_mib_s", 8), ("rand_read_iops", 10)):
        m = re.search(rf"tessera-bench: round=1 {phase}=[0-9.]+ ms=[0-9]+ requests=([0-9]+) interrupts=([0-9]+)\n", out)
        assert m, out
        requests, interrupts = int(m.group(1)), int(m.group(2))
        assert requests >= least and 0 < interrupts <= requests, (phase, requests, interrupts, out)
    m = re.search(r"VM\[1\] linux: vda@disk1: read ([0-9]+) KiB in ([0-9]+) us, wrote ([0-9]+) KiB in ([0-9]+) us "
                  r"\(the backend's part\)\n", out)
    assert m, out
    assert int(m.group(1)) >= 8 * 1024 + 40 and int(m.group(3)) >= 8 * 1024, out
    assert int(m.group(2)) > 0 and int(m.group(4)) > 0, out
    assert "VM[1] linux: the guest powered off" in out, out
