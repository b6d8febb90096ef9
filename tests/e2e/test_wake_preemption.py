# SPDX-License-Identifier: Apache-2.0
"""Wake-up preemption (docs/architecture.md, the scheduler; src/kernel/sched.c): a vCPU that sleeps
on its CPU beside a CPU-bound one gets the CPU back as soon as its timer wakes it, rather than at
the end of the other's 10 ms slice.

One CPU, two VMs, under -icount shift=0 (one instruction a nanosecond of the guests' clocks, the
same in every run): the arch's bench guest (tests/guests/ARCH/bench.c), whose timer-latency part
sleeps (WFI, HLT) 10 000 times until a timer deadline and measures, in instructions, the deadline
to its handler; and the ticker guest (tests/guests/common/ticker.c), which never sleeps. Checked:
99 % of the bench guest's own samples are under a millisecond (a wait for the ticker's slice would
be up to ten), and the shell's counters show the wake-ups that preempted the ticker, for the bench
guest's vCPU (`vm show --json`) and for the CPU (`stats`). Not every sample: before its timer
samples the bench guest ran CPU-bound loops, and a woken task that has had more CPU time than the
one running waits its turn (wake-up preemption is fair, as CFS's is): its first wake-up may wait."""
import re

import pytest

from conftest import build_image, spawn
from test_shell import Console

# The bench guest's timer-latency report and what it is called on each arch.
TIMER_LATENCY = {"aarch64": "vtimer", "x86_64": "tsc_deadline"}
SAMPLES = 10000
MILLISECOND = 1_000_000  # instructions under -icount shift=0


@pytest.mark.parametrize("arch", ["aarch64", "x86_64"])
def test_a_woken_vcpu_preempts_a_cpu_bound_one(arch):
    image = build_image(arch, build_dir=f"build/e2e-{arch}-wake-preemption",
                        vm_configs=[f"tests/guests/{arch}/bench.toml", f"tests/e2e/configs/shell-ticker-a-{arch}.toml"])
    c = Console(spawn(arch, image=image, smp=1, shell=True, timeout=600,
                      qemu_args="-icount shift=0,sleep=off"))
    try:
        c.expect("Shell ready")
        name = TIMER_LATENCY[arch]
        m = c.expect(rf"\[vm1\] bench: latency {name} samples=(\d+) min=\d+ median=(\d+) p99=(\d+) max=(\d+)", timeout=600)
        samples, median, p99, worst = (int(g) for g in m.groups())
        c.expect(r"VM\[1\] bench: the guest powered off")
        assert samples == SAMPLES, c.seen[-3000:]
        assert median <= p99 < MILLISECOND, c.seen[-3000:]
        print(f"{arch}: timer latency median {median}, p99 {p99}, max {worst} instructions")
        c.to_shell()
        vcpu = c.shell_json("vm show 1 --json")["vcpus"][0]
        # Nearly every sample's wake-up found the ticker running and took the CPU from it.
        print(f"{arch}: bench vCPU {vcpu}")
        assert SAMPLES * 99 // 100 <= vcpu["wake_preemptions"] <= vcpu["switches"], vcpu
        ticker = c.shell_json("vm show 2 --json")["vcpus"][0]
        assert ticker["state"] == "running" and ticker["wake_preemptions"] == 0, ticker
        stats = c.shell("stats")
        cpu0 = re.search(r"^0 +\d+\.\d% +\d+ +\d+ +\d+ +\d+ +(\d+) +(\d+)$", stats, re.M)
        assert cpu0, stats
        switches, preemptions = int(cpu0.group(1)), int(cpu0.group(2))
        assert vcpu["wake_preemptions"] <= preemptions <= switches, (stats, vcpu)
    finally:
        c.child.terminate(force=True)
    for bad in ("Tessera panic", "Hypervisor exception"):
        assert bad not in c.seen, c.seen[-3000:]
