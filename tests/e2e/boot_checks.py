# SPDX-License-Identifier: Apache-2.0
"""Assertions on the boot story that every arch tells the same way."""
import re

MEM_BYTES = {"512M": 512 << 20, "1G": 1 << 30, "2G": 2 << 30}


def assert_banner(boot, arch, smp, log="info"):
    out = boot.output
    assert "Tessera" in out and "hypervisor" in out, out
    assert f"arch = {arch}" in out, out
    assert f"smp = {smp}" in out, out
    assert f"log level = {log}" in out, out


def assert_memory_map(boot, mem):
    """The RAM the machine has is found and printed, with the hypervisor's own footprint."""
    out = boot.output
    assert "Physical memory regions:" in out, out
    ram = [int(m.group(2), 16) - int(m.group(1), 16)
           for m in re.finditer(r"\[(0x[0-9a-f]+), (0x[0-9a-f]+)\) RAM ", out)]
    assert ram, out
    # Firmware and legacy holes (x86's first MiB, OpenSBI) may take a little, never more than 4 MiB.
    assert MEM_BYTES[mem] - (4 << 20) <= sum(ram) <= MEM_BYTES[mem], (ram, out)
    assert re.search(r"\) hypervisor image +\d+ KiB", out), out
    assert re.search(r"Free memory: \d+ MiB", out), out


def assert_all_cpus_ran(boot, smp):
    """Every CPU came online, ran a task pinned to it, and took timer interrupts."""
    out = boot.output
    for cpu in range(smp):
        assert re.search(rf"\] CPU {cpu} \(hwid 0x[0-9a-f]+|\] CPU {cpu} \(hwid 0\) online", out), \
            f"CPU {cpu} never reported online:\n{out}"
        m = re.search(rf"CPU {cpu}: pinned task 'check/{cpu}' ran on CPU (\d+), (\d+) timer interrupts", out)
        assert m, f"no check task report for CPU {cpu}:\n{out}"
        assert int(m.group(1)) == cpu, m.group(0)
        assert int(m.group(2)) > 0, m.group(0)
    assert f"All {smp} CPUs online, scheduling and taking timer interrupts" in out, out
    # Time slicing: a task that never yields does not keep its CPU from another task.
    m = re.search(r"Preemption: two busy tasks shared CPU (\d+), the second ran (\d+) us after", out)
    assert m and int(m.group(1)) == smp - 1, out


def assert_powered_off(boot):
    assert not boot.timed_out, "QEMU did not exit:\n" + boot.output
    assert "powering off" in boot.output, boot.output
    assert boot.exit_status == 0, (boot.exit_status, boot.output)


def assert_log_format(boot):
    """AxVisor's log line format: [  seconds.micros cpu:task module:line] message."""
    lines = [l for l in boot.output.splitlines() if l.startswith("[")]
    assert lines, boot.output
    pattern = re.compile(r"^\[ *\d+\.\d{6} \d+:\d+ [a-z0-9_]+:\d+\] ")
    bad = [l for l in lines if not pattern.match(l)]
    assert not bad, bad


def assert_fault_report(boot):
    """A hypervisor fault prints its registers and the faulting address, then powers off."""
    out = boot.output
    assert "self-test: reading unmapped address 0x400000000000" in out, out
    assert "Hypervisor exception" in out, out
    assert "0x400000000000" in out.split("Hypervisor exception", 1)[1], out
    assert "Tessera panic" in out, out
    assert not boot.timed_out, out


def assert_vm_line_from_hwid(boot, hwid, line):
    """The log line was written on the CPU whose hardware id (MPIDR, hart id) is hwid: configs pin
    vCPUs by hardware id, and the boot CPU (logical 0) need not be hardware id 0 (OpenSBI picks
    the booting hart by lottery)."""
    out = boot.output
    ids = {int(h, 16): int(c) for c, h in re.findall(r"\] CPU (\d+) \(hwid (0x[0-9a-f]+|0)\) online", out)}
    assert hwid in ids, out
    pattern = rf"\[ *\d+\.\d+ {ids[hwid]}:\d+ [a-z_]+:\d+\] {re.escape(line)}"
    assert re.search(pattern, out), (pattern, out)


# The boot self-checks (pinned tasks, preemption) run only when the command line asks.
SELFTEST = ("tessera.selftest=boot",)


def boot_story(arch, smp, mem, env_extra=None):
    """Boots the arch's default image, its self-checks on, and checks the opening every arch
    shares: nothing that must never happen, the banner and the memory map. The caller checks its
    arch's own lines."""
    from conftest import boot
    b = boot(arch, smp=smp, mem=mem, env_extra=env_extra, cmdline=SELFTEST)
    b.assert_clean()
    assert_banner(b, arch, smp)
    assert_memory_map(b, mem)
    return b


def assert_story_ends(b, smp):
    """The closing every arch shares: every CPU scheduled and took timer interrupts, the log is in
    AxVisor's format, and the machine powered off with status 0."""
    assert_all_cpus_ran(b, smp)
    assert_log_format(b)
    assert_powered_off(b)
