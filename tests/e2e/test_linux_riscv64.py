# SPDX-License-Identifier: Apache-2.0
"""Debian's riscv64 Linux (linux-image-riscv64 and busybox-static from sid, fetched at test time
into .cache, never committed) boots under Tessera in VS-mode with the device tree Tessera generates,
reaches a busybox shell, runs commands and powers its VM off through SBI SRST."""
import os
import re

import pytest

from boot_checks import assert_vm_line_from_hwid
import linux_helpers
from linux_helpers import prepare_linux
from conftest import ROOT, boot, build_image

ARCH = "riscv64"


@pytest.fixture(scope="module")
def linux_dir():
    return prepare_linux(ARCH)


def boot_linux(name, configs, smp=2, qemu_args="", env_extra=None):
    return linux_helpers.boot_linux(ARCH, name, configs, smp=smp, qemu_args=qemu_args, env_extra=env_extra,
                                    never=("unexpected exception from the guest", "not allowed in the guest"))


def assert_linux_ran(out, cpus):
    assert re.search(r"\[vm1\] \[    0\.000000\] Linux version \d+\.\d+\S*-riscv64", out), out
    assert "[vm1] [    0.000000] Machine model: Tessera VM" in out, out
    assert re.search(r"\[vm1\] tessera-linux: init started on riscv64, kernel \d+\.\d+\S*-riscv64", out), out
    # Its random-number generator was seeded before init (the guest's rng-seed).
    assert "[vm1] tessera-linux: random numbers ready before init" in out, out
    assert "[vm1] tessera-linux: the shell ran: 42" in out, out
    assert f"[vm1] tessera-linux: {cpus} CPUs in /proc/cpuinfo" in out, out
    # The 8250 driver on the emulated 16550, its interrupts through the vPLIC.
    m = re.search(r"\[vm1\] tessera-linux: console ttyS0, (\d+) UART interrupts", out)
    assert m and int(m.group(1)) > 0, out
    assert "reboot: Power down" in out, out
    assert "VM[1] linux: the guest powered off" in out, out


@pytest.mark.parametrize("cpus", [1, 2])
def test_linux_boots_to_a_shell_and_powers_off(linux_dir, cpus):
    b = boot_linux(f"linux{cpus}", [f"{linux_dir}/linux-{cpus}cpu.toml"])
    assert_linux_ran(b.output, cpus)
    assert re.search(r"VM\[1\] linux: generated device tree \(\d+ bytes\) at 0x8fe00000", b.output), b.output
    assert f"VM[1] linux: vPLIC at 0xc000000, {2 * cpus} contexts" in b.output, b.output


def aia_config(linux_dir, base, name):
    """A config of prepare_linux's with the AIA instead of the vPLIC: a vAPLIC in MSI mode and an
    IMSIC window (a guest interrupt file per vCPU), where QEMU's virt machine has them."""
    def edit(text):
        return text.replace('    ["vplic", 0x0c00_0000, 0x60_0000, 0, 0x1, []],\n',
                            '    ["aplic", 0x0d00_0000, 0x8000, 0, 0x1, []],\n'
                            '    ["imsic", 0x2800_0000, 0x8000, 0, 0x1, []],\n')
    path = linux_helpers.derive_config(linux_dir, base, name, "", edit=edit)
    with open(os.path.join(ROOT, path)) as f:
        assert '"imsic"' in f.read(), "the vPLIC entry of the prepared config moved"
    return path


def test_linux_smp_on_the_aia_with_guest_interrupt_files(linux_dir):
    """On QEMU virt with the AIA (APLIC in MSI mode, an IMSIC per hart with guest interrupt files),
    Linux gets its own IMSIC and APLIC in the generated tree: each vCPU's interrupt file is a guest
    file of its hart, so its IPIs (stores to the other vCPU's file) and its claims (stopei) take no
    exit, and the UART's line goes through the vAPLIC as a message to that file. What is typed on
    the hypervisor's console (the host UART's interrupt through the host's APLIC and IMSIC) reaches
    the shell the same way."""
    config = aia_config(linux_dir, "linux-shell.toml", "linux-aia-shell")
    image = build_image(ARCH, build_dir="build/e2e-riscv64-linux-aia", vm_configs=[config])
    b = boot(ARCH, smp=2, image=image, timeout=240, env_extra={"PLATFORM": "aia"},
             dialogue=linux_helpers.SHELL_DIALOGUE + [(r"# ", "poweroff -f\r")])
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    for bad in linux_helpers.LINUX_FAILURES:
        assert bad not in out, out
    assert "typed-15" in out, out
    assert "AIA: APLIC at 0xd000000 with 96 sources, IMSIC at 0x28000000: 255 identities, 7 guest files per hart" in out, out
    assert "VM[1] linux: IMSIC at 0x28000000: 2 guest interrupt file(s), 255 identities each" in out, out
    assert "VM[1] linux: vAPLIC at 0xd000000 (MSI mode), 10 sources" in out, out
    assert "[vm1] tessera-linux: 2 CPUs in /proc/cpuinfo" in out, out
    m = re.search(r"\[vm1\] tessera-linux: UART interrupts through (\S+), (\d+) IPIs", out)
    assert m and m.group(1).startswith("APLIC-MSI") and int(m.group(2)) > 0, out
    exits = re.search(r"VM\[1\] linux: stopped \((\d+) exits: (.*)\)", out)
    assert exits, out
    # Against the vPLIC (some 450 here): no PLIC claim/complete, no SBI IPI.
    m = re.search(r"other (\d+)", exits.group(2))
    assert m and int(m.group(1)) < 200, out


def test_linux_and_a_bare_metal_guest_side_by_side(linux_dir):
    """Two VMs on separate physical CPUs: both consoles visible, and the bare-metal guest powering
    off first leaves Linux running to the end. The harts have no Sstc here, so Linux's timer runs
    on the hypervisor's emulated SBI TIME deadline (hvip.VSTIP) rather than on vstimecmp, and the
    device tree offers no sstc."""
    b = boot_linux("linux-and-hello", [f"{linux_dir}/linux-1cpu.toml",
                                       "tests/e2e/configs/second-hello-riscv64.toml"],
                   qemu_args="-cpu rv64,sstc=false")
    out = b.output
    assert "H extension = yes, Sstc = no" in out, out
    assert_linux_ran(out, 1)
    assert "[vm2] Hello from a Tessera guest on riscv64!" in out, out
    stopped = out.index("VM[2] hello-two: stopped")
    assert stopped < out.index("[vm1] tessera-linux: powering off"), out
    assert_vm_line_from_hwid(b, 1, "VM[2] hello-two: the guest powered off")
    assert "VM[1] linux: stopped" in out, out


def test_interactive_shell_over_the_console(linux_dir):
    """What is typed on the hypervisor's console reaches the Linux shell through the emulated
    16550's receive interrupt (routed by the vPLIC), and the shell's answers come back."""
    linux_helpers.type_at_the_shell(ARCH, linux_dir, "ttyS0")


# The riscv64 counterpart of AxVisor's whole-machine example: the host tree but its PCIe host,
# 256 MiB of RAM mapped GPA = HPA above the hypervisor, physical PLIC sources passed through the
# VM's vPLIC (which takes the host PLIC's place and phandle).
WHOLE_MACHINE = """[base]
id = 1
name = "linux-qemu"
vm_type = 1
cpu_num = 1
phys_cpu_ids = [0]

[kernel]
entry_point = 0x9020_0000
image_location = "memory"
kernel_path = "Image"
kernel_load_addr = 0x9020_0000
ramdisk_path = "initramfs.cpio.gz"
ramdisk_load_addr = 0x9800_0000
cmdline = "console=ttyS0 earlycon=sbi rdinit=/init tessera.shell"
memory_regions = [
    [0x9000_0000, 0x1000_0000, 0x7, 1],  # MAP_IDENTICAL
]

[devices]
passthrough_devices = [["/"]]
excluded_devices = [["/soc/pci@30000000"]]
emu_devices = [
    ["vplic", 0x0c00_0000, 0x60_0000, 0, 0x1, []],
]
interrupt_mode = "passthrough"
"""


@pytest.mark.parametrize("machine", ["plic", "aia"])
def test_whole_machine_with_plic_sources_passed_through(linux_dir, machine):
    """passthrough_devices = [["/"]] less the PCIe host: Linux probes the host's own 16550 and
    Goldfish RTC from its tree, writes to the UART itself, and what is typed reaches its shell
    through the UART's physical PLIC source, forwarded by the vPLIC and unmasked at each
    completion; the hypervisor keeps its CLINT and the test finisher (the power-off syscon that
    names it is left out). On the AIA machine the same with the vAPLIC and guest interrupt files:
    the host's APLIC domains and IMSICs stay the hypervisor's, and the host APLIC sends the
    passed-through sources straight to the vCPU's guest file, in the modes and identities Linux
    gives them at its vAPLIC; Linux's end of each level interrupt (setipnum) goes to the host
    APLIC."""
    config = WHOLE_MACHINE
    if machine == "aia":
        config = config.replace('    ["vplic", 0x0c00_0000, 0x60_0000, 0, 0x1, []],\n',
                                '    ["aplic", 0x0d00_0000, 0x8000, 0, 0x1, []],\n'
                                '    ["imsic", 0x2800_0000, 0x1000, 0, 0x1, []],\n')
        assert '"imsic"' in config
    path = os.path.join(ROOT, linux_dir, f"linux-whole-machine-{machine}.toml")
    with open(path, "w") as f:
        f.write(config)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-whole-machine-{machine}", vm_configs=[path])
    env = {"PLATFORM": "aia"} if machine == "aia" else None
    out = linux_helpers.shell_session(ARCH, image, env_extra=env).output
    assert re.search(r"VM\[1\] linux-qemu: \d+ host device-tree node\(s\) passed through", out), out
    controller = "APLIC" if machine == "aia" else "PLIC"
    assert re.search(rf"VM\[1\] linux-qemu: \d+ physical {controller} source\(s\) passed through", out), out
    assert "host node 'poweroff' is not passed through: it refers to 'test@100000'" in out, out
    assert re.search(r"10000000\.serial: ttyS0 at MMIO 0x10000000 \(irq = \d+, base_baud = \d+\) is a 16550A", out), out
    assert "goldfish_rtc 101000.rtc: registered as rtc0" in out, out
    assert "pci-host-generic" not in out, out
    assert "VM[1] linux-qemu: the guest powered off" in out, out
    if machine == "aia":
        # Straight to the guest's file: the UART's interrupts never stop the vCPU (forwarded by the
        # hypervisor, this boot took 133 host-interrupt exits; directly, 2).
        stop = re.search(r"VM\[1\] linux-qemu: stopped \(\d+ exits: ([^)]*)\)", out)
        irq = re.search(r"irq (\d+)", stop.group(1)) if stop else None
        assert stop and (int(irq.group(1)) if irq else 0) < 30, out
