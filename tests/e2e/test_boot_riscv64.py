# SPDX-License-Identifier: Apache-2.0
"""riscv64: the runtime boots in HS-mode under QEMU's default OpenSBI, brings every hart up through
SBI HSM, takes timer interrupts (Sstc, or SBI TIME without it) and schedules on each, and powers
off through SBI SRST; without the H extension it says why and powers off; its own faults print
every register."""
import re

import pytest

from boot_checks import SELFTEST, boot_story, assert_story_ends, assert_all_cpus_ran, assert_fault_report, assert_powered_off
from conftest import boot, build_image

ARCH = "riscv64"


@pytest.fixture(scope="module", autouse=True)
def image():
    build_image(ARCH)


@pytest.mark.parametrize("smp,mem", [(4, "1G"), (1, "512M"), (2, "2G")])
def test_boot_story(smp, mem):
    b = boot_story(ARCH, smp, mem)
    assert "H extension = yes" in b.output, b.output
    assert re.search(r"SBI = \d+\.\d+, OpenSBI [\d.]+, extensions:.* HSM", b.output), b.output
    assert "MMU: Sv39 identity map on" in b.output, b.output
    assert "Interrupt controller: PLIC" in b.output, b.output
    assert_story_ends(b, smp)


def test_logical_cpu_0_is_the_hart_that_booted():
    """Whichever hart wins OpenSBI's lottery (not always hart 0) becomes logical CPU 0."""
    b = boot(ARCH, smp=4)
    hart = re.search(r"boot hart = (\d+)", b.output)
    assert hart, b.output
    hwid = int(hart.group(1))
    assert re.search(r"\] CPU 0 \(hwid (0x)?%x\) online" % hwid, b.output), b.output
    assert_powered_off(b)


def test_without_h_extension_says_why_and_powers_off():
    b = boot(ARCH, smp=4, qemu_args="-cpu rv64,h=false")
    assert "H extension = no" in b.output, b.output
    assert re.search(r"This CPU cannot run guests: hart \d+ has no H \(hypervisor\) extension",
                     b.output), b.output
    assert "Powering off." in b.output, b.output
    assert "Hypervisor page tables active" not in b.output, b.output
    assert "panic" not in b.output and "Hypervisor exception" not in b.output, b.output
    assert not b.timed_out and b.exit_status == 0, (b.exit_status, b.output)


def test_without_sstc_the_timer_goes_through_sbi():
    b = boot(ARCH, smp=2, qemu_args="-cpu rv64,sstc=false", cmdline=SELFTEST)
    b.assert_clean()
    assert "Sstc = no" in b.output, b.output
    assert_all_cpus_ran(b, 2)
    assert_powered_off(b)


def test_hypervisor_fault_prints_registers():
    b = boot(ARCH, smp=2, cmdline=["tessera.selftest=fault"])
    assert_fault_report(b)
    for register in ("sepc 0x", "sstatus 0x", "ra   0x", "sp   0x", "t6   0x", "load page fault"):
        assert register in b.output, (register, b.output)
