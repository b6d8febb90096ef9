# SPDX-License-Identifier: Apache-2.0
"""The guest side of the virtio tests, on bare QEMU (no Tessera): Debian's kernel loads its own
virtio and ext4 modules from the busybox initramfs, finds its disk on QEMU's virtio-blk (mmio on
the virt machines, pci on q35), switches to the ext4 root there, and what it writes survives a
reboot. What Tessera's virtio devices must then do the same for (scripts/bare-qemu-linux.sh is
the baseline, tests/guests/linux/init.sh and root-init.sh say what is printed)."""
import os
import re
import subprocess
import time

import pexpect
import pytest

from conftest import ROOT
from linux_helpers import LINUX_FAILURES, prepare_linux

ARCHES = ["aarch64", "riscv64", "x86_64"]
# What every arch loads, built in or as a module (riscv64's kernel has the virtio core, virtio_pci
# and virtio_console built in, the bookworm cloud kernels ext4).
LOADED = {
    "aarch64": "virtio virtio_ring virtio_mmio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci "
               "virtio_blk virtio_console failover net_failover virtio_net evdev virtio_input",
    "riscv64": "virtio_mmio virtio_blk failover net_failover virtio_net jbd2 mbcache crc16 ext4 evdev virtio_input",
}
LOADED["x86_64"] = LOADED["aarch64"] + " button"  # ACPI's button driver: built in elsewhere


@pytest.fixture(scope="module", params=ARCHES)
def arch(request):
    prepare_linux(request.param)
    return request.param


def make_root(arch, path, *sizes):
    subprocess.run([os.path.join(ROOT, "scripts/make-linux-root.sh"), arch, str(path)] + [str(s) for s in sizes],
                   check=True)


def bare_boot(arch, disk, params, dialogue=(), timeout=120, qemu_args=""):
    """Boots on bare QEMU; returns the console output once QEMU exits, having typed each text of
    dialogue when its pattern showed. Fails on a timeout, an exit status other than 0 or a kernel
    failure."""
    t0 = time.monotonic()
    child = pexpect.spawn(os.path.join(ROOT, "scripts/bare-qemu-linux.sh"), [arch, str(disk)] + params, cwd=ROOT,
                          env=dict(os.environ, QEMU_ARGS=qemu_args), encoding="utf-8", codec_errors="replace",
                          timeout=timeout)
    transcript = ""
    try:
        for pattern, text in dialogue:
            child.expect(pattern)
            transcript += child.before + child.after
            child.send(text)
        child.expect(pexpect.EOF)
    except pexpect.TIMEOUT:
        child.terminate(force=True)
        pytest.fail("bare QEMU timed out:\n" + (transcript + (child.before or "")).replace("\r", ""))
    out = (transcript + (child.before or "")).replace("\r", "")
    child.close()
    print(f"{arch} bare QEMU boot with {' '.join(params)}: {time.monotonic() - t0:.1f} s")
    assert child.exitstatus == 0, out
    for bad in LINUX_FAILURES:
        assert bad not in out, out
    return out


def assert_root_mounted(arch, out, dev, label):
    assert f"tessera-linux: modules loaded: {LOADED[arch]}\n" in out, out
    assert "tessera-linux: virtio device virtio0: 0x0002 (block), driver virtio_blk" in out, out
    assert re.search(rf"tessera-linux: {dev} is there after \d+\.\d s", out), out
    assert f"tessera-linux: mounted {dev} (ext4); switching root to its /sbin/init" in out, out
    assert f"tessera-linux: root init started on {dev} ({label})" in out, out


def test_what_is_written_survives_a_reboot(arch, tmp_path):
    disk = tmp_path / "root.img"
    make_root(arch, disk)
    out = bare_boot(arch, disk, ["tessera.root=/dev/vda", f"tessera.write=written-on-{arch}"])
    assert_root_mounted(arch, out, "/dev/vda", "tessera-root")
    assert "tessera-linux: no /tessera-mark on the root" in out, out
    assert f"tessera-linux: wrote /tessera-mark: written-on-{arch}" in out, out
    assert "tessera-linux: rebooting" in out, out
    assert "reboot: Restarting system" in out, out

    # The same disk, booted again: QEMU with -no-reboot exited at the reboot.
    out = bare_boot(arch, disk, ["tessera.root=/dev/vda"])
    assert_root_mounted(arch, out, "/dev/vda", "tessera-root")
    assert f"tessera-linux: found /tessera-mark: written-on-{arch}" in out, out
    assert "tessera-linux: powering off" in out, out
    assert "reboot: Power down" in out, out
    # The root was left clean: the host's e2fsck finds nothing to fix (exit status 0).
    subprocess.run(["e2fsck", "-fn", str(disk)], check=True, capture_output=True)


def test_both_partitions_of_a_partitioned_disk_mount(arch, tmp_path):
    disk = tmp_path / "two.img"
    make_root(arch, disk, 16, 16)
    out = bare_boot(arch, disk, ["tessera.root=/dev/vda2", "tessera.mount=/dev/vda1"])
    assert_root_mounted(arch, out, "/dev/vda2", "tessera-root2")
    assert "tessera-linux: mounted /dev/vda1 on /mnt (tessera-root1)" in out, out
    assert "tessera-linux: powering off" in out, out


def test_a_shell_on_the_disk_root(arch, tmp_path):
    disk = tmp_path / "root.img"
    make_root(arch, disk)
    out = bare_boot(arch, disk, ["tessera.root=/dev/vda", "tessera.shell"], dialogue=[
        (r"interactive shell", ""),
        (r"# ", "cat /tessera-label; echo typed-$((3 * 5))\r"),
        (r"typed-15", ""),
        (r"# ", "poweroff -f\r"),
    ])
    assert_root_mounted(arch, out, "/dev/vda", "tessera-root")
    assert re.search(r"^tessera-root$", out, re.MULTILINE), out


def test_without_a_disk_the_root_is_given_up_on(arch):
    """No disk: the bounded wait ends, the reason is said, and the guest powers off as without
    tessera.root."""
    out = bare_boot(arch, "-", ["tessera.root=/dev/vda", "tessera.rootwait=1"])
    assert "tessera-linux: no virtio devices" in out, out
    assert "tessera-linux: root failed: no /dev/vda after 1 s" in out, out
    assert "tessera-linux: powering off" in out, out


def test_console_and_net_devices_get_their_drivers(arch):
    """tessera.virtio: the modules load without a root, and QEMU's virtio console and network
    devices (modern, on the arch's transport) are bound to virtio_console and virtio_net."""
    bus = "pci,disable-legacy=on" if arch == "x86_64" else "device"
    qemu_args = (f"-netdev user,id=n0,restrict=on -device virtio-net-{bus},netdev=n0 "
                 f"-chardev null,id=c0 -device virtio-serial-{bus} -device virtconsole,chardev=c0")
    out = bare_boot(arch, "-", ["tessera.virtio"], qemu_args=qemu_args)
    assert f"tessera-linux: modules loaded: {LOADED[arch]}\n" in out, out
    devices = re.findall(r"tessera-linux: virtio device virtio\d+: (0x\w+ \(\w+\), driver \w+)", out)
    assert sorted(devices) == ["0x0001 (net), driver virtio_net", "0x0003 (console), driver virtio_console"], out
    assert "tessera-linux: powering off" in out, out
