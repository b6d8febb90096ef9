# SPDX-License-Identifier: Apache-2.0
"""Debian's arm64 Linux (linux-image-cloud-arm64 from bookworm, fetched at test time into .cache,
never committed) boots under Tessera to a busybox shell, runs commands and powers its VM off."""
import os
import re

import pytest

from boot_checks import assert_vm_line_from_hwid
import linux_helpers
from linux_helpers import prepare_linux
from conftest import ROOT, boot, build_image

ARCH = "aarch64"


@pytest.fixture(scope="module")
def linux_dir():
    return prepare_linux(ARCH)


def boot_linux(name, configs, smp=2, gic="3"):
    return linux_helpers.boot_linux(ARCH, name, configs, smp=smp, env_extra={"GIC": gic})


def assert_linux_ran(out, cpus):
    assert "[vm1] [    0.000000] Linux version 6.1" in out, out
    assert re.search(r"\[vm1\] tessera-linux: init started on aarch64, kernel 6\.1\.\S+-cloud-arm64", out), out
    # Its random-number generator was seeded before init (the guest's rng-seed).
    assert "[vm1] tessera-linux: random numbers ready before init" in out, out
    assert "[vm1] tessera-linux: the shell ran: 42" in out, out
    assert f"[vm1] tessera-linux: {cpus} CPUs in /proc/cpuinfo" in out, out
    assert "reboot: Power down" in out, out
    assert "VM[1] linux: the guest powered off" in out, out


@pytest.mark.parametrize("cpus", [1, 2])
def test_linux_boots_to_a_shell_and_powers_off(linux_dir, cpus):
    b = boot_linux(f"linux{cpus}", [f"{linux_dir}/linux-{cpus}cpu.toml"], smp=max(2, cpus))
    assert_linux_ran(b.output, cpus)
    assert "VM[1] linux: generated device tree" in b.output
    assert re.search(r"VM\[1\] linux: stopped \(\d+ exits: .*mmio \d+", b.output), b.output


def test_linux_on_a_gicv2_host(linux_dir):
    """On a GICv2 machine the guest gets a GICv2 (the generated device tree says so) and SMP
    Linux still boots."""
    b = boot_linux("linux2", [f"{linux_dir}/linux-2cpu.toml"], smp=2, gic="2")
    assert "VM[1] linux: vGICv2" in b.output, b.output
    assert_linux_ran(b.output, 2)


def test_linux_and_a_bare_metal_guest_side_by_side(linux_dir):
    """Two VMs on separate physical CPUs: both consoles visible, and the bare-metal guest powering
    off first leaves Linux running to the end."""
    b = boot_linux("linux-and-hello", [f"{linux_dir}/linux-1cpu.toml",
                                       "tests/e2e/configs/second-hello-aarch64.toml"])
    out = b.output
    assert_linux_ran(out, 1)
    assert "[vm2] Hello from a Tessera guest on aarch64!" in out, out
    stopped = out.index("VM[2] hello-two: stopped")
    assert stopped < out.index("[vm1] tessera-linux: powering off"), out
    assert_vm_line_from_hwid(b, 1, "VM[2] hello-two: the guest powered off")


def test_misplaced_kernel_is_refused_naming_the_key(linux_dir):
    """The Image header asks for a 2 MiB boundary plus text_offset: a kernel loaded elsewhere is
    refused with the config key named, and the hypervisor carries on."""
    with open(os.path.join(ROOT, linux_dir, "linux-1cpu.toml")) as f:
        text = f.read()
    text = text.replace("kernel_load_addr = 0x4020_0000", "kernel_load_addr = 0x4010_0000")
    text = text.replace("entry_point = 0x4020_0000", "entry_point = 0x4010_0000")
    path = os.path.join(ROOT, linux_dir, "linux-misplaced.toml")
    with open(path, "w") as f:
        f.write(text)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-misplaced", vm_configs=[f"{linux_dir}/linux-misplaced.toml"])
    b = boot(ARCH, smp=1, image=image, timeout=120)
    assert re.search(r"error: linux-misplaced\.toml:\d+: kernel\.kernel_load_addr: 0x40100000: this kernel's header "
                     r"asks for a 0x200000 boundary plus 0", b.output), b.output
    assert "VM[1] linux: not started" in b.output, b.output
    assert b.exit_status == 0 and not b.timed_out


def test_interactive_shell_over_the_console(linux_dir):
    """What is typed on the hypervisor's console reaches the Linux shell through the emulated
    PL011's receive interrupt, and the shell's answers come back."""
    linux_helpers.type_at_the_shell(ARCH, linux_dir, "ttyAMA0")


# AxVisor's own QEMU aarch64 Linux example (its configs/vms/linux-aarch64-qemu-smp1.toml, written
# here afresh from the schema): the whole host tree but the PCIe host, RAM at 0x8000_0000 mapped
# GPA = HPA, physical interrupts passed through, no entry_point or kernel_load_addr (the loader
# places the Image). Added: our initramfs and a command line that asks for a shell.
AXVISOR_WHOLE_MACHINE = """[base]
id = 1
name = "linux-qemu"
vm_type = 1
cpu_num = 1
phys_cpu_ids = [0]

[kernel]
image_location = "memory"
kernel_path = "Image"
ramdisk_path = "initramfs.cpio.gz"
ramdisk_load_addr = 0x8800_0000
cmdline = "console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init tessera.shell"
memory_regions = [
    [0x8000_0000, 0x1000_0000, 0x7, 1],  # MAP_IDENTICAL
]

[devices]
passthrough_devices = [["/"]]
excluded_devices = [["/pcie@10000000"]]
emu_devices = []
interrupt_mode = "passthrough"
"""


@pytest.mark.parametrize("gic", ["3", "2"])
def test_axvisor_example_gets_the_whole_machine_but_what_is_kept(linux_dir, gic):
    """passthrough_devices = [["/"]] with the PCIe host excluded: Linux finds the host's own
    devices in its tree (the PL011, the PL031 RTC, the PL061 GPIO), not the PCIe host, not the
    hypervisor's GIC; it writes to the passed-through PL011 itself (its lines carry no [vm1] tag),
    what is typed reaches its shell through that UART's own interrupt, and it powers off. The UART's
    SPI reaches the guest through a list register linked to the physical SPI (ICH_LR_EL2.HW = 1),
    which the guest's end of interrupt deactivates (GICv2: GICH_LR.HW). On GICv2 the host's SPIs
    are group 0: in group 1, which the driver never enabled, none arrived and nothing typed
    reached Linux."""
    path = os.path.join(ROOT, linux_dir, "linux-axvisor-whole-machine.toml")
    with open(path, "w") as f:
        f.write(AXVISOR_WHOLE_MACHINE)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-axvisor-whole", vm_configs=[path])
    out = linux_helpers.shell_session(ARCH, image, mem="3G", env_extra={"GIC": gic}).output
    assert f"VM[1] linux-qemu: vGICv{gic}" in out, out
    assert "VM[1] linux-qemu: no kernel_load_addr in its config: the kernel goes to 0x80000000" in out, out
    assert re.search(r"VM\[1\] linux-qemu: \d+ host device-tree node\(s\) passed through", out), out
    assert re.search(r"VM\[1\] linux-qemu: \d+ physical SPIs of its host device-tree nodes passed through", out), out
    assert "host node 'pl011@9000000' is the hypervisor's console UART too" in out, out
    # The host's devices, as Linux probed them from its tree; no PCIe host, no second GIC.
    assert "9000000.pl011: ttyAMA0 at MMIO 0x9000000" in out, out
    assert "rtc-pl031 9010000.pl031: registered as rtc0" in out, out
    assert "pl061_gpio 9030000.pl061: PL061 GPIO chip registered" in out, out
    assert "pci-host-generic" not in out and "PCI host bridge" not in out, out
    # Straight to the UART, untagged; typed input answered by the shell.
    assert re.search(r"^tessera-linux: init started on aarch64", out, re.M), out
    assert "VM[1] linux-qemu: the guest powered off" in out, out
