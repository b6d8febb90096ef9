# SPDX-License-Identifier: Apache-2.0
"""aarch64: the runtime boots at EL2 on QEMU virt (GICv3 and GICv2), brings every CPU up, takes
timer interrupts and schedules on each, and powers off; without EL2 it says why and powers off."""
import pytest

from boot_checks import boot_story, assert_story_ends, assert_fault_report
from conftest import boot, build_image

ARCH = "aarch64"


@pytest.fixture(scope="module", autouse=True)
def image():
    build_image(ARCH)


@pytest.mark.parametrize("gic,smp,mem", [("3", 4, "1G"), ("2", 4, "1G"), ("3", 1, "512M"), ("2", 2, "2G")])
def test_boot_story(gic, smp, mem):
    b = boot_story(ARCH, smp, mem, env_extra={"GIC": gic})
    assert f"Interrupt controller: GICv{gic}" in b.output, b.output
    assert_story_ends(b, smp)


def test_without_el2_says_why_and_powers_off():
    b = boot(ARCH, smp=2, qemu_args="-M virt,virtualization=off")
    assert "a hypervisor needs EL2" in b.output, b.output
    assert "CPU 0 (hwid" not in b.output
    assert not b.timed_out and b.exit_status == 0, (b.exit_status, b.output)


def test_hypervisor_fault_prints_registers():
    b = boot(ARCH, smp=2, cmdline=["tessera.selftest=fault"])
    assert_fault_report(b)
    assert "ESR_EL2" in b.output and "ELR_EL2" in b.output and "x30 " in b.output, b.output


def test_log_level_warn_hides_info():
    image = build_image(ARCH, log="warn", build_dir="build/aarch64-log-warn")
    b = boot(ARCH, smp=2, image=image)
    assert "log level = warn" in b.output, b.output
    assert "Physical memory regions:" not in b.output, b.output
    # Quiet is not dead: a panic or an error would still be printed at this level, and the machine
    # must have run to its normal power-off.
    assert "Tessera panic" not in b.output and "error:" not in b.output, b.output
    assert b.exit_status == 0 and not b.timed_out
