"""Debian's arm64 Linux (linux-image-cloud-arm64 from bookworm, fetched at test time into .cache,
never committed) boots under Tessera to a busybox shell, runs commands and powers its VM off."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, boot, build_image

ARCH = "aarch64"


@pytest.fixture(scope="module")
def linux_dir():
    out = subprocess.run([os.path.join(ROOT, "scripts/prepare-linux-guest.sh"), ARCH], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return os.path.relpath(out, ROOT)


def boot_linux(name, configs, smp=2):
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-{name}", vm_configs=configs)
    b = boot(ARCH, smp=smp, image=image, timeout=240)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in ("Tessera panic", "Hypervisor exception", "Kernel panic", "Oops", "Unable to handle"):
        assert bad not in b.output, b.output
    return b


def assert_linux_ran(out, cpus):
    assert "[vm1] [    0.000000] Linux version 6.1" in out, out
    assert re.search(r"\[vm1\] tessera-linux: init started on aarch64, kernel 6\.1\.\S+-cloud-arm64", out), out
    assert "[vm1] tessera-linux: the shell ran: 42" in out, out
    assert f"[vm1] tessera-linux: {cpus} CPUs in /proc/cpuinfo" in out, out
    assert "reboot: Power down" in out, out
    assert "VM[1] linux: the guest powered off" in out, out


@pytest.mark.parametrize("cpus", [1, 2])
def test_linux_boots_to_a_shell_and_powers_off(linux_dir, cpus):
    b = boot_linux(f"linux{cpus}", [f"{linux_dir}/linux-{cpus}cpu.toml"], smp=max(2, cpus))
    assert_linux_ran(b.output, cpus)
    assert "VM[1] linux: generated device tree" in b.output


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
    assert re.search(r"\[ *\d+\.\d+ 1:\d+ vcpu_exit:\d+\] VM\[2\] hello-two: the guest powered off", out), out
