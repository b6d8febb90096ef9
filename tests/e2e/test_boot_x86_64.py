# SPDX-License-Identifier: Apache-2.0
"""x86_64: the runtime boots from QEMU's multiboot loader on q35 with an AMD EPYC CPU, reads the
machine from the multiboot memory map and ACPI, brings every CPU up with INIT-SIPI-SIPI, takes LAPIC
timer interrupts and schedules on each, and powers off through ACPI S5; a CPU without SVM or nested
paging gets the reason and a power-off; its own faults print every register."""
import re

import pytest

from boot_checks import SELFTEST, boot_story, assert_story_ends, assert_all_cpus_ran, assert_fault_report, assert_powered_off
from conftest import boot, build_image

ARCH = "x86_64"


@pytest.fixture(scope="module", autouse=True)
def image():
    build_image(ARCH)


@pytest.mark.parametrize("smp,mem", [(4, "1G"), (1, "512M"), (2, "2G")])
def test_boot_story(smp, mem):
    b = boot_story(ARCH, smp, mem)
    assert "AMD EPYC" in b.output, b.output
    assert re.search(r"SVM = yes \(revision \d+, \d+ ASIDs\), nested paging = yes", b.output), b.output
    assert re.search(rf"ACPI \(RSDP revision \d\): {smp} CPUs?, LAPIC 0xfee00000, 1 IOAPIC", b.output), b.output
    assert "ACPI power: PM1a_CNT 0x604, S5 SLP_TYP 0 (DSDT \\_S5)" in b.output, b.output
    assert "Hypervisor page tables active" in b.output, b.output
    assert "Interrupt controller: lapic-ioapic at 0xfee00000" in b.output, b.output
    assert "IOAPIC at 0xfec00000, GSI 0-23" in b.output, b.output
    assert "ahead of CPU 0" not in b.output and "behind CPU 0" not in b.output, b.output
    assert_story_ends(b, smp)


def test_ram_above_4gib_is_found():
    """q35 puts RAM beyond its 2 GiB low window above 4 GiB; it is found and mapped."""
    b = boot(ARCH, smp=2, mem="5G", cmdline=SELFTEST)
    b.assert_clean()
    assert re.search(r"\[0x000100000000, 0x0001c0000000\) RAM ", b.output), b.output
    assert_all_cpus_ran(b, 2)
    assert_powered_off(b)


def _assert_refused(b, reason):
    assert f"This CPU cannot run guests: {reason}" in b.output, b.output
    assert "Powering off." in b.output, b.output
    assert "Hypervisor page tables active" not in b.output, b.output
    assert "panic" not in b.output and "Hypervisor exception" not in b.output, b.output
    assert not b.timed_out and b.exit_status == 0, (b.exit_status, b.output)


def test_without_svm_says_why_and_powers_off():
    b = boot(ARCH, smp=4, qemu_args="-cpu EPYC,-svm")
    assert "SVM = no" in b.output, b.output
    _assert_refused(b, "the CPU has no AMD SVM")


def test_without_nested_paging_says_why_and_powers_off():
    """QEMU's qemu64 model has SVM but no nested paging."""
    b = boot(ARCH, smp=2, qemu_args="-cpu qemu64")
    assert "nested paging = no" in b.output, b.output
    _assert_refused(b, "the CPU has SVM but no nested paging")


def test_intel_cpu_says_why_and_powers_off():
    b = boot(ARCH, smp=1, qemu_args="-cpu Skylake-Client")
    assert "GenuineIntel" in b.output, b.output
    _assert_refused(b, "this is an Intel CPU")


def test_hypervisor_fault_prints_registers():
    b = boot(ARCH, smp=2, cmdline=["tessera.selftest=fault"])
    assert_fault_report(b)
    assert "#PF page fault (vector 14)" in b.output, b.output
    assert "page fault: data read access, page not present, supervisor mode" in b.output, b.output
    for register in ("RIP 0x", "RFLAGS 0x", "RSP 0x", "RAX 0x", "R15 0x", "CR3 0x",
                     "CR2 0x0000400000000000"):
        assert register in b.output, (register, b.output)
    assert b.exit_status == 0, (b.exit_status, b.output)
