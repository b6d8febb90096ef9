"""End-to-end boot of Tessera on riscv64 (QEMU virt, default OpenSBI), asserting on the serial
console what a user looks for: the banner, the memory map, every CPU online and scheduling with
timer interrupts, a clean power-off with exit status 0; and, on a CPU without the H extension, a
clear reason and a power-off instead of a hang. Boots go through scripts/qemu-run.sh, as `make run`
does. Run from the repository root: /usr/bin/python3 -m pytest -v tests/e2e/test_boot_riscv64.py
"""
import os
import re
import subprocess

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMAGE = os.path.join(ROOT, "build", "riscv64", "tessera.bin")
BOOT_TIMEOUT = 90  # seconds; TCG on a loaded 2-core host is slow, a healthy boot takes ~2 s


@pytest.fixture(scope="session", autouse=True)
def riscv64_image():
    subprocess.run(["make", "--no-print-directory", "ARCH=riscv64"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    assert os.path.exists(IMAGE)


def boot(smp, qemu_args=""):
    """Boots the image to the end and returns (console text, QEMU exit status)."""
    env = dict(os.environ, ARCH="riscv64", SMP=str(smp), MEM="1G", QEMU_ARGS=qemu_args)
    child = pexpect.spawn(os.path.join(ROOT, "scripts", "qemu-run.sh"), [IMAGE], env=env,
                          cwd=ROOT, encoding="utf-8", codec_errors="replace",
                          timeout=BOOT_TIMEOUT)
    try:
        child.expect(pexpect.EOF)
    except pexpect.TIMEOUT:
        child.terminate(force=True)
        pytest.fail("QEMU did not power off within %d s; console so far:\n%s"
                    % (BOOT_TIMEOUT, child.before))
    child.close()
    return child.before.replace("\r\n", "\n"), child.exitstatus


def assert_no_failure(out):
    for bad in ("panic", "hypervisor fault", "error:", "did not come online"):
        assert bad not in out, "console shows %r:\n%s" % (bad, out)


@pytest.mark.parametrize("smp", [1, 4])
def test_boots_schedules_on_every_cpu_and_powers_off(smp):
    out, status = boot(smp)
    assert status == 0, out
    assert_no_failure(out)
    assert "Tessera " in out and "arch = riscv64" in out
    assert "smp = %d" % smp in out
    assert "H extension = yes" in out
    assert "SBI = " in out
    # the memory map from the kernel, with the hypervisor image and the firmware kept out
    assert "Physical memory regions:" in out
    assert re.search(r"\[0x000080000000, 0x0000c0000000\) RAM", out), out
    assert "hypervisor image" in out
    assert "MMU: Sv39 identity map on" in out
    assert "Hypervisor page tables active" in out
    assert "Interrupt controller: PLIC" in out
    for cpu in range(smp):
        assert re.search(r"CPU %d \(hwid (0x)?[0-9a-f]+\) online" % cpu, out), out
        match = re.search(r"CPU %d: pinned task 'check/%d' ran on CPU %d, (\d+) timer interrupts"
                          % (cpu, cpu, cpu), out)
        assert match, "no pinned task report for CPU %d:\n%s" % (cpu, out)
        assert int(match.group(1)) > 0, "CPU %d took no timer interrupt" % cpu
    assert "All %d CPUs online, scheduling and taking timer interrupts" % smp in out
    assert "Hypervisor done: powering off" in out


def test_logical_cpu_0_is_the_hart_that_booted():
    """Whichever hart wins OpenSBI's lottery (not always hart 0) is logical CPU 0."""
    out, status = boot(4)
    assert status == 0, out
    hart = re.search(r"boot hart = (\d+)", out)
    assert hart, out
    assert re.search(r"CPU 0 \(hwid (0x)?%x\) online" % int(hart.group(1)), out), out


def test_without_h_extension_says_why_and_powers_off():
    out, status = boot(4, "-cpu rv64,h=false")
    assert status == 0, out
    assert "H extension = no" in out
    assert re.search(r"This CPU cannot run guests: hart \d+ has no H \(hypervisor\) extension",
                     out), out
    assert "Powering off." in out
    # it stopped before bringing anything up
    assert "Hypervisor page tables active" not in out
    assert "panic" not in out and "hypervisor fault" not in out


def test_without_sstc_uses_sbi_timer():
    out, status = boot(2, "-cpu rv64,sstc=false")
    assert status == 0, out
    assert_no_failure(out)
    assert "Sstc = no" in out
    assert "All 2 CPUs online, scheduling and taking timer interrupts" in out
