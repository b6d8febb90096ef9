# SPDX-License-Identifier: Apache-2.0
"""A second aarch64 board (issue 18): QEMU's model of the Xilinx ZCU102 (-M xlnx-zcu102: four
Cortex-A53 with a 40-bit physical address range, a GIC-400, Cadence UARTs, RAM from address 0),
booted with the board's own device tree from Debian's arm64 kernel package (scripts/board-tree.sh),
the hypervisor linked for it (make PLATFORM=zcu102, mk/platform-zcu102.mk). Everything else is
found in the tree: the console on the Cadence UART (src/drivers/uart/cadence.c), the GICv2 host
path, the CPUs through PSCI. On it: bare-metal guests (one with a vGICv2 and its timers, four vCPUs
started with PSCI, the loads and stores without syndrome, RAM that holds data at power-on), and
Debian's arm64 Linux, with its generated device tree and with a tree of its own on the board's
UART."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, boot, build_image
from linux_helpers import LINUX_FAILURES, prepare_linux
from test_scrub import JUNK_AT, junk_file

ARCH = "aarch64"
PLATFORM = "zcu102"
ZCU102 = {"PLATFORM": PLATFORM}


def check_board(out):
    """What the hypervisor found in the ZCU102's tree (QEMU runs with -smp 4: the tree names four
    CPUs, and PSCI CPU_ON of one QEMU does not have fails)."""
    assert "platform = xilinx-zcu102 (ZynqMP ZCU102 Rev1.0)" in out, out
    assert "Interrupt controller: GICv2 at 0xf9010000" in out, out
    # QEMU writes -m into the tree's /memory: 1 GiB from address 0.
    assert "[0x000000000000, 0x000040000000) RAM" in out, out
    assert "CPU 3 (hwid 0x3) online" in out, out


def run_on_board(name, config, qemu_args=""):
    """Builds the hypervisor for the ZCU102 with one bare-metal guest's config, boots it on the four
    CPUs the tree names, and returns the console after the checks every such boot must pass: QEMU
    exited cleanly, nothing failed, and the board was found as its tree describes it."""
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-{PLATFORM}-{name}", platform=PLATFORM,
                        vm_configs=[config])
    b = boot(ARCH, smp=4, image=image, env_extra=ZCU102, qemu_args=qemu_args)
    assert not b.timed_out and b.exit_status == 0, b.output
    b.assert_clean()
    check_board(b.output)
    return b.output


def test_a_bare_metal_guest_with_a_vgicv2_and_its_timers():
    out = run_on_board("timer", "tests/guests/aarch64/timer_v2.toml")
    # The guest's distributor is where its config says, its CPU interface 64 KiB above it (as on
    # the host), backed by the board's GICV.
    assert "VM[1] timer-v2: vGICv2, distributor 0x8000000, CPU interface 0x8010000 (GICV 0xf9060000)" in out, out
    assert "[vm1] timer guest (GICv2): 5 virtual timer interrupts, 3 physical timer interrupts, 1 SGI" in out, out
    assert "[vm1] timer guest (GICv2): 0 virtual timer interrupts while disabled, 1 once enabled again" in out, out


# The guest, what it must print, and QEMU's extra arguments.
GUESTS = {
    "hello": (["[vm1] Hello from a Tessera guest on aarch64!"], ""),
    "smp": (["[vm1] smp guest: vCPU 3 is up", "[vm1] smp guest: 4 vCPUs ran"], ""),
    "writeback": (["[vm1] writeback: 28 accesses checked, 0 wrong; 2 of 2 refused forms aborted, 0 aborts elsewhere"],
                  ""),
    # 112 MiB of data in RAM from 8 MiB up at power-on (the ZCU102's RAM starts at 0): the guest's
    # 64 MiB come from there, and it must find them zero.
    "memscan": (["memscan: boot 1: 0 of", "memscan: boot 2: 0 of"], "junk"),
}


@pytest.mark.parametrize("guest", sorted(GUESTS))
def test_bare_metal_guests(guest):
    expected, extra = GUESTS[guest]
    qemu_args = ""
    if extra == "junk":
        qemu_args = f"-device loader,file={junk_file()},addr={JUNK_AT:#x},force-raw=on"
    out = run_on_board(guest, f"tests/guests/aarch64/{guest}.toml", qemu_args)
    for line in expected:
        assert line in out, out


def test_debian_linux_with_its_generated_tree():
    linux = prepare_linux(ARCH)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-{PLATFORM}-linux", platform=PLATFORM,
                        vm_configs=[f"{linux}/linux-1cpu.toml"])
    b = boot(ARCH, smp=4, image=image, env_extra=ZCU102, timeout=240)
    assert not b.timed_out and b.exit_status == 0, b.output
    out = b.output
    check_board(out)
    for bad in LINUX_FAILURES + ("Hypervisor exception",):
        assert bad not in out, out
    assert "[vm1] [    0.000000] Machine model: Tessera VM" in out, out
    assert "[vm1] tessera-linux: the shell ran: 42" in out, out
    assert "[vm1] tessera-linux: 1 CPUs in /proc/cpuinfo" in out, out
    assert "VM[1] linux: the guest powered off" in out, out


# Debian's Linux with the board's second UART as its console and a device tree of its own
# (tests/guests/aarch64/zcu102_linux_uart1.dts), the way AxVisor runs Linux on a board.
UART1_CONFIG = """[base]
id = 1
name = "linux-uart1"
vm_type = 2
cpu_num = 1
phys_cpu_ids = [0x0]

[kernel]
image_location = "memory"
kernel_path = "Image"
kernel_load_addr = 0x4020_0000
entry_point = 0x4020_0000
ramdisk_path = "initramfs.cpio.gz"
ramdisk_load_addr = 0x4800_0000
dtb_path = "zcu102_linux_uart1.dtb"
dtb_load_addr = 0x4fe0_0000
cmdline = "console=ttyPS0 earlycon=cdns,0xff010000 rdinit=/init quiet"
memory_regions = [
    [0x4000_0000, 0x1000_0000, 0x7, 0],
]

[devices]
passthrough_devices = [
    ["/axi/serial@ff010000"],
]
emu_devices = [
    ["gicd", 0x0800_0000, 0x1_0000, 0, 0x1, []],
]
interrupt_mode = "passthrough"
"""


def test_debian_linux_on_the_boards_uart_with_its_own_device_tree(tmp_path):
    """The board's second Cadence UART (its window and SPI 54, by its path in the board's tree)
    belongs to Linux, which drives it with Debian's own driver (xuartps, ttyPS0) and prints its
    boot and its init's lines there: QEMU's second serial port, a file here. Its device tree is the
    config's dtb_path, written for the board; Tessera gives it the VM's memory, vCPU, ramdisk and
    command line in place of the board's (vm_dtb_supplied.c), which Linux's own report shows."""
    linux = prepare_linux(ARCH)
    subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", os.path.join(ROOT, linux, "zcu102_linux_uart1.dtb"),
                    os.path.join(ROOT, "tests/guests/aarch64/zcu102_linux_uart1.dts")], check=True)
    config = os.path.join(linux, "linux-zcu102-uart1.toml")
    with open(os.path.join(ROOT, config), "w") as f:
        f.write(UART1_CONFIG)
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-{PLATFORM}-linux-uart1", platform=PLATFORM,
                        vm_configs=[config])
    uart1 = tmp_path / "uart1.log"
    b = boot(ARCH, smp=4, image=image, env_extra=ZCU102, timeout=240,
             qemu_args=f"-serial mon:stdio -serial file:{uart1}")
    assert not b.timed_out and b.exit_status == 0, b.output
    out = b.output
    check_board(out)
    assert "VM[1] linux-uart1: device tree 'zcu102_linux_uart1.dtb' at 0x4fe00000" in out, out
    assert "with this VM's memory, CPUs and /chosen" in out, out
    assert "VM[1] linux-uart1: the guest powered off" in out, out
    console = uart1.read_text(errors="replace").replace("\r", "")
    for bad in LINUX_FAILURES:
        assert bad not in console, console
    assert "Machine model: Tessera VM with the ZCU102's UART1" in console, console
    # The config's command line (its earlycon on the board's UART), not the tree's bootargs.
    assert "earlycon: cdns0 at MMIO 0x00000000ff010000" in console, console
    # The VM's 256 MiB (less the kernel's own), not the board's 4 GiB; its one vCPU, not four.
    m = re.search(r"tessera-linux: (\d+) kB of memory", console)
    assert m and 200 * 1024 < int(m.group(1)) < 256 * 1024, console
    assert "tessera-linux: 1 CPUs in /proc/cpuinfo" in console, console
    # Linux tries to start every CPU its tree names: with the board's four it reports the three
    # the VM does not have as failing to boot.
    assert "failed to boot" not in console, console
    # The ramdisk from the config (the tree's range names 4 KiB of nothing): init ran from it.
    assert "tessera-linux: the shell ran: 42" in console, console
    # Debian's driver writes the init's lines through the UART's interrupts, which arrive through
    # the vGICv2 (GIC-0 in /proc/interrupts) from the passed-through SPI.
    m = re.search(r"tessera-linux: console ttyPS0, (\d+) UART interrupts", console)
    assert m and int(m.group(1)) > 0, console
    assert "tessera-linux: UART interrupts through GIC-0" in console, console
    assert "tessera-linux: powering off" in console, console
    assert "VM[1] linux-uart1: 1 physical SPIs of its host device-tree nodes passed through" in out, out


def test_a_passed_through_uart_interrupt_through_a_vgicv2():
    """The board's second Cadence UART and its SPI 54 belong to the guest (spilat_zcu102.toml, the
    guest `make bench PLATFORM=zcu102` times): 10 000 interrupts it raises arrive through the GICv2
    host, after a first boot that reset its VM from inside the handler. One exit each: the host
    runs its GIC-400 with EOImode 1 and the list register is linked to the SPI (GICH_LR.HW), so the
    guest's end of interrupt deactivates it; the SPI follows the vCPU's CPU (GICD_ITARGETSR)."""
    out = run_on_board("spilat", "tests/guests/aarch64/spilat_zcu102.toml")
    assert "VM[1] spilat: physical SPI 54 passed through" in out, out
    assert "spilat guest: boot 1 resets inside its interrupt handler" in out, out
    assert "VM[1] boot success (after reset 1" in out, out
    m = re.search(r"bench: latency spi samples=(\d+) min=(\d+) median=\d+ p99=\d+ max=(\d+)", out)
    assert m and int(m.group(1)) == 10000 and 0 < int(m.group(2)) <= int(m.group(3)), out
    assert "bench: strays 0" in out, out
    stop = re.search(r"VM\[1\] spilat: stopped \(\d+ exits: .*irq (\d+)", out)
    assert stop and int(stop.group(1)) < 10500, out
