# SPDX-License-Identifier: Apache-2.0
"""Hostile guests (tests/guests/<arch>/hostile.c, issue 17): on each arch, a guest that throws
random loads and stores, system registers / CSRs / MSRs / ports, hypercalls and load/store
encodings at Tessera runs beside two witnesses, with the shell up: the ticker guest and a Debian
Linux VM that boots, runs its init's checks and stays up (tessera.hold) while the hostile guest
runs. The hostile guest must finish its rounds and say so, find its RAM zeroed; the ticker must keep
ticking and Linux must finish its work and power off cleanly; the hypervisor must not fault, and
what it logs about the hostile guest stays within its rate limits.
TESSERA_HOSTILE_SEED and TESSERA_HOSTILE_ROUNDS choose the run (`make fuzz-guests` sets them);
the default is seed 1, 20000 rounds."""
import os
import re
import struct
import time

import pexpect
import pytest

import linux_helpers
from conftest import ROOT, build_image, spawn
from linux_helpers import LINUX_FAILURES, prepare_linux
from test_shell import Console, ticks

ARCHES = ["aarch64", "riscv64", "x86_64"]
SEED = int(os.environ.get("TESSERA_HOSTILE_SEED", "1"))
ROUNDS = int(os.environ.get("TESSERA_HOSTILE_ROUNDS", "20000"))
# Log lines about the hostile VM that the hypervisor may write whatever it does: its boot and stop
# lines, eight unclaimed addresses and the line that says the rest are counted, the budgeted
# hypercall and fault lines.
LOG_LINES_MAX = 60
# The Linux witness stays up this long after its init's checks: across the hostile guest's rounds.
HOLD = 10 + ROUNDS // 2000


@pytest.mark.parametrize("arch", ARCHES)
def test_hostile_guest_beside_a_witness(arch):
    with open(os.path.join(ROOT, f"build/guests/{arch}/hostile-seed.bin"), "wb") as f:
        f.write(struct.pack("<QQ", SEED, ROUNDS))
    linux = linux_helpers.derive_config(prepare_linux(arch), "linux-1cpu.toml", "linux-hostile-witness", "",
                                        f"tessera.hold={HOLD}")
    image = build_image(arch, build_dir=f"build/e2e-{arch}-hostile",
                        vm_configs=[f"tests/guests/{arch}/hostile.toml", f"tests/e2e/configs/shell-ticker-a-{arch}.toml",
                                    linux])
    c = Console(spawn(arch, image=image, smp=2, shell=True, timeout=60))
    try:
        c.expect(rf"\[vm6\] hostile: seed {SEED}, {ROUNDS} rounds")
        done = c.expect(r"hostile: done: (\d+) accesses, (\d+) privileged, (\d+) calls, (\d+) words; "
                        r"(\d+) faults taken; (\d+) stray RAM bytes", timeout=60 + ROUNDS // 200)
        accesses, privileged, calls, words, faults, stray = (int(g) for g in done.groups())
        c.expect(r"VM\[6\] hostile: stopped \((\d+) exits")
        # The Linux witness was up through the rounds and finishes its work after them (its own
        # lines are in its history: the console shows the VM that has the input).
        try:
            c.expect(r"VM\[1\] linux: the guest powered off", timeout=HOLD + 120)
        except pexpect.TIMEOUT:
            # Where the witness stood: its state, exits and its own last lines (not on the console).
            c.to_shell()
            raise AssertionError("the Linux witness did not power off:\n" + c.shell("vm show 1") +
                                 c.shell("vm log 1 60"))
        time.sleep(1)  # the ticker goes on after the hostile guest
        c.to_shell()
        vms = {v["id"]: v for v in c.shell_json("vm list --json")}
        assert vms[6]["state"] == "stopped" and vms[2]["state"] == "running", vms
        witness = ticks(c.shell("vm log 2 200"), 2)
        linux_lines = c.shell("vm log 1 400")
        shown = c.shell_json("vm show 6 --json")
    finally:
        c.child.terminate(force=True)
    out = c.seen.replace("\r", "")
    # (the last three: the guest's runtime saying a fault hit its own code, not a probe)
    for bad in ("Tessera panic", "Hypervisor exception", "unexpected trap: vector", "unexpected exception: ESR",
                "unexpected exception: scause"):
        assert bad not in out, out[-4000:]
    for bad in LINUX_FAILURES:
        assert bad not in linux_lines, linux_lines
    assert "tessera-linux: the shell ran: 42" in linux_lines, linux_lines
    # Linux ran from the start (both VMs boot together) until after the hostile guest was done.
    assert f"tessera-linux: held {HOLD} s" in linux_lines, linux_lines
    assert out.index("hostile: done:") < out.index("VM[1] linux: the guest powered off"), out[-4000:]
    assert accesses + privileged + calls + words == ROUNDS
    assert stray == 0, "the hypervisor handed the guest RAM that was not zeroed"
    assert faults > 0, "no access faulted: the guest did not reach what it aims at"
    assert len(witness) >= 3, "the witness did not tick"
    hostile_lines = [line for line in out.splitlines() if "VM[6] hostile" in line]
    assert len(hostile_lines) <= LOG_LINES_MAX, "\n".join(hostile_lines)
    print(f"{arch}: seed {SEED}: {accesses} accesses, {privileged} privileged, {calls} calls, {words} words, "
          f"{faults} faults, {sum(shown['exits'].values())} exits, {len(hostile_lines)} log lines")
