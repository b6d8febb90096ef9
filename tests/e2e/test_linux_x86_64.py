# SPDX-License-Identifier: Apache-2.0
"""Debian's amd64 Linux (linux-image-cloud-amd64 from bookworm, fetched at test time into .cache,
never committed) boots under Tessera through the 64-bit boot protocol to a busybox shell, runs
commands and powers its VM off through ACPI (PM1a_CNT SLP_EN)."""
import os
import re

import pytest

import linux_helpers
from linux_helpers import prepare_linux
from conftest import ROOT, boot, build_image

ARCH = "x86_64"


@pytest.fixture(scope="module")
def linux_dir():
    return prepare_linux(ARCH)


def boot_linux(name, configs, smp=2):
    return linux_helpers.boot_linux(ARCH, name, configs, smp=smp,
                                    never=("BUG:", "WARNING:", "rcu: INFO", "ACPI Error", "No irq handler"))


def exits_of(out, vm_name="linux"):
    m = re.search(rf"VM\[\d+\] {vm_name}: stopped \((\d+) exits", out)
    assert m, out
    return int(m.group(1))


def assert_linux_ran(out, cpus):
    assert "[vm1] [    0.000000] Linux version 6.1" in out, out
    assert "Linux boot protocol 2.1" in out, out
    assert re.search(r"\[vm1\] tessera-linux: init started on x86_64, kernel 6\.1\.\S+-cloud-amd64", out), out
    # Its random-number generator was seeded before init (RDRAND).
    assert "[vm1] tessera-linux: random numbers ready before init" in out, out
    assert "[vm1] tessera-linux: the shell ran: 42" in out, out
    assert f"[vm1] tessera-linux: {cpus} CPUs in /proc/cpuinfo" in out, out
    assert "reboot: Power down" in out, out
    assert "VM[1] linux: the guest powered off" in out, out
    # The e820 map Tessera wrote, as the kernel read it.
    assert "BIOS-e820: [mem 0x000000000009c000-0x000000000009ffff] ACPI data" in out, out


@pytest.mark.parametrize("cpus", [1, 2])
def test_linux_boots_to_a_shell_and_powers_off(linux_dir, cpus):
    b = boot_linux(f"linux{cpus}", [f"{linux_dir}/linux-{cpus}cpu.toml"], smp=2)
    assert_linux_ran(b.output, cpus)
    # No PIT polling, no calibration loops: a boot stays far below 20000 exits (about 5000 measured
    # with 1 vCPU, 7700 with 2).
    assert exits_of(b.output) < 20000, b.output
    # The breakdown by reason comes with the total: port I/O and MMIO dominate on x86.
    assert re.search(r"VM\[1\] linux: stopped \(\d+ exits: .*mmio \d+, pio \d+", b.output), b.output
    # Every vCPU ends its interrupts through KVM's paravirtual EOI (guest_pv_eoi.c): its timer's
    # EOIs cost no exit. Turned on, and used: the hypervisor carried out an EOI the guest made by
    # clearing the bit. (Were an EOI through it lost, the vCPU's timer would stop: no power-off.)
    for cpu in range(cpus):
        assert re.search(rf"VM\[1\] linux: vCPU {cpu}: paravirtual EOI at 0x[0-9a-f]+", b.output), b.output
        assert f"VM[1] linux: vCPU {cpu}: the guest ended an interrupt through paravirtual EOI" in b.output, b.output
    # Linux's own index/data pairs are carried out two to an exit (vcpu.c, fuse_next_access and
    # fuse_next_port): io_apic_read's IOREGSEL then IOWIN, and pci_conf1_read's 0xcf8 then 0xcfc.
    assert "VM[1] linux: vCPU 0: an MMIO access carried out in the exit of the one before it (read of 0xfec00010)" \
        in b.output, b.output
    assert "VM[1] linux: vCPU 0: a port read carried out in the exit of the write before it (port 0xcfc)" \
        in b.output, b.output


def test_linux_without_the_paravirtual_clock_takes_its_timer_from_the_pit(linux_dir):
    """With no-kvmclock, Linux does not use the KVM-compatible clock, so nothing switches off its
    check that IRQ 0 arrives: the PIT's channel 0 must tick through the IOAPIC (MADT override to
    pin 2), or the kernel panics ("IO-APIC + timer doesn't work!"). Under TCG each exit is too slow
    for its PIT calibration of the TSC (thousands of polls in 10 ms), so it keeps time with jiffies;
    the boot still completes. Not quiet, so the kernel says what it did."""
    with open(os.path.join(ROOT, linux_dir, "linux-1cpu.toml")) as f:
        text = f.read()
    assert " quiet\"" in text
    path = os.path.join(ROOT, linux_dir, "linux-no-kvmclock.toml")
    with open(path, "w") as f:
        f.write(text.replace(" quiet\"", " no-kvmclock\""))
    # Not quiet, the kernel also prints its mitigation notes, one of which says "WARNING: See ...":
    # a kernel warning proper is "WARNING: CPU: n PID: ...".
    b = linux_helpers.boot_linux(ARCH, "linux-no-kvmclock", [f"{linux_dir}/linux-no-kvmclock.toml"], smp=2,
                                 never=("BUG:", "WARNING: CPU", "rcu: INFO", "ACPI Error", "No irq handler"))
    out = b.output
    assert_linux_ran(out, 1)
    assert "no-kvmclock" in out and "kvm-clock: Using msrs" not in out, out
    assert "..TIMER: vector=0x30 apic1=0 pin1=2" in out, out
    assert "MP-BIOS bug: 8254 timer not connected" not in out and "timer doesn't work" not in out, out
    assert "clocksource: Switched to clocksource kvm-clock" not in out, out
    # Not quiet, the kernel would report an MSR it reads or writes that the vCPU does not answer
    # (as it did for AMD's NB_CFG, 0xc001001f).
    assert "unchecked MSR access" not in out, out
    # Nothing the PIT model leaves unclaimed.
    for port in ("0x40", "0x41", "0x42", "0x43", "0x61"):
        assert f"port {port} that no device claims" not in out, out


def test_linux_and_a_bare_metal_guest_side_by_side(linux_dir):
    """Two VMs on separate physical CPUs (Linux on APIC id 0, hello on 1): both consoles visible,
    the bare-metal guest powering off first leaves Linux running to the end."""
    b = boot_linux("linux-and-hello", [f"{linux_dir}/linux-1cpu.toml",
                                       "tests/e2e/configs/second-hello-x86_64.toml"])
    out = b.output
    assert_linux_ran(out, 1)
    assert "[vm2] Hello from a Tessera guest on x86_64!" in out, out
    stopped = out.index("VM[2] hello-two: stopped")
    assert stopped < out.index("[vm1] tessera-linux: powering off"), out


def test_kernel_without_room_to_decompress_is_refused_naming_the_key(linux_dir):
    """A bzImage loads anywhere (the generated configs put it at 0x100000 with entry_point =
    kernel_load_addr, as AxVisor's configs do), but it decompresses into init_size bytes from its
    load address aligned up to kernel_alignment: loaded 16 MiB below the end of RAM there is no room,
    and the VM is refused with the config key named while the hypervisor carries on."""
    with open(os.path.join(ROOT, linux_dir, "linux-1cpu.toml")) as f:
        text = f.read()
    assert "kernel_load_addr = 0x10_0000" in text and "entry_point = 0x10_0000" in text, text
    text = text.replace("kernel_load_addr = 0x10_0000", "kernel_load_addr = 0xf00_0000")
    text = text.replace("entry_point = 0x10_0000", "entry_point = 0xf00_0000")
    path = os.path.join(ROOT, linux_dir, "linux-misplaced.toml")
    with open(path, "w") as f:
        f.write(text)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-misplaced", vm_configs=[f"{linux_dir}/linux-misplaced.toml"])
    b = boot(ARCH, smp=1, image=image, timeout=120)
    assert re.search(r"error: linux-misplaced\.toml:\d+: kernel\.kernel_load_addr: image of \d+ bytes at "
                     r"0xf000000\.\.0x[0-9a-f]+ does not fit in guest RAM", b.output), b.output
    assert "VM[1] linux: not started" in b.output, b.output
    assert b.exit_status == 0 and not b.timed_out


def test_interactive_shell_over_the_console(linux_dir):
    """What is typed on the hypervisor's console reaches the Linux shell through the emulated
    16550's receive interrupt (IOAPIC pin 4), and the shell's answers come back."""
    linux_helpers.type_at_the_shell(ARCH, linux_dir, "ttyS0")


# COM1 given to the VM, ports and interrupt: AxVisor's interrupt_mode = "passthrough" on a PC.
COM1_PASSED_THROUGH = """[base]
id = 1
name = "linux-com1"
vm_type = 2
cpu_num = 1
phys_cpu_ids = [0x0]

[kernel]
image_location = "memory"
kernel_path = "bzImage"
kernel_load_addr = 0x10_0000
entry_point = 0x10_0000
ramdisk_path = "initramfs.cpio.gz"
ramdisk_load_addr = 0x800_0000
cmdline = "console=ttyS0 rdinit=/init quiet tessera.shell"
memory_regions = [
    [0x0, 0x1000_0000, 0x7, 0],
]

[devices]
passthrough_devices = [["port:com1", 0x3f8, 0x3f8, 8, 4]]
emu_devices = []
interrupt_mode = "passthrough"
"""


def test_com1_and_its_ioapic_pin_passed_through(linux_dir):
    """The host's COM1 ports and its IOAPIC input (GSI 4) are the VM's: Linux drives the real 16550
    itself (its lines carry no [vm1] tag), and what is typed reaches its shell through the host
    pin, forwarded as an edge on the VM's own IOAPIC pin 4."""
    path = os.path.join(ROOT, linux_dir, "linux-com1.toml")
    with open(path, "w") as f:
        f.write(COM1_PASSED_THROUGH)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-com1", vm_configs=[path])
    out = linux_helpers.shell_session(ARCH, image).output
    assert "VM[1] linux-com1: physical GSI 4 (edge-triggered) passed through" in out, out
    assert "a VM owns the console UART's interrupt" in out, out
    assert re.search(r"^tessera-linux: interactive shell", out, re.M), out
    assert "VM[1] linux-com1: the guest powered off" in out, out
