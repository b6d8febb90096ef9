# SPDX-License-Identifier: Apache-2.0
"""The reset soak (issue 17): a bare-metal guest (tests/guests/<arch>/soak.c) resets its VM again
and again, beside a Debian Linux VM that stays up the whole time (tessera.hold). At its first ten
resets and every tenth after, the hypervisor logs its free frames and heap bytes; they must not
drift, the guest must find fresh RAM each time (its .data marker), and the Linux VM must still be running when the last reset is
done. `make test` runs 50 resets; `make soak` runs 1000 (TESSERA_SOAK_RESETS)."""
import os
import re

import linux_helpers
from conftest import ROOT
from linux_helpers import prepare_linux

ARCH = "aarch64"
RESETS = int(os.environ.get("TESSERA_SOAK_RESETS", "50"))
# Checked every STEP resets, from the first STEP on: the first reset may still set things up.
STEP = 100 if RESETS >= 200 else 10
# The soak starts after WAIT s, when Linux is up (its init starts after about 1 s here), and Linux
# holds on long enough for the resets after that (about 25 ms each under QEMU here).
WAIT = 4
HOLD = WAIT + 6 + RESETS // 10


def soak_config(resets):
    """The soak guest's config with its count, written beside the build (not in the sources)."""
    with open(os.path.join(ROOT, f"tests/guests/{ARCH}/soak.toml")) as f:
        text = f.read()
    text = re.sub(r'cmdline = "[^"]*"', f'cmdline = "soak.resets={resets} soak.wait={WAIT}"', text)
    text = text.replace('kernel_path = "../../../build/guests/', 'kernel_path = "guests/')
    text = text.replace("cpu_num = 1\n", "cpu_num = 1\nphys_cpu_ids = [0x1]\n", 1)
    path = f"build/e2e-soak-{ARCH}.toml"
    with open(os.path.join(ROOT, path), "w") as f:
        f.write(text)
    return path


def test_resets_leak_nothing_beside_a_running_linux_vm():
    linux = linux_helpers.derive_config(prepare_linux(ARCH), "linux-1cpu.toml", "linux-soak-witness", "",
                                        f"tessera.hold={HOLD}")
    b = linux_helpers.boot_linux(ARCH, "reset-soak", [linux, soak_config(RESETS)], smp=2,
                                 timeout=240 + RESETS // 2)
    out = b.output
    assert f"[vm2] soak: {RESETS} resets done" in out, out
    assert "previous run's data" not in out and "the reset returned" not in out, out
    memory = {int(n): (int(f), int(h)) for n, f, h in re.findall(
        r"VM\[2\] boot success \(after reset (\d+): (\d+) frames free, heap (\d+) bytes in use\)", out)}
    # A VM's first 10 resets are logged in full, then every 10th (the others at debug level), so
    # that a guest resetting in a loop cannot fill the log.
    logged = [n for n in range(1, RESETS + 1) if n <= 10 or n % 10 == 0]
    assert sorted(memory) == logged, out
    assert len(re.findall(r"VM\[2\] soak: resetting", out)) == len(logged), out
    sampled = {n: memory[n] for n in range(STEP, RESETS + 1, STEP)}
    assert len(set(sampled.values())) == 1, f"free frames and heap bytes drift: {sampled}"
    # The Linux VM was up before the soak ended and held on past it.
    done = out.index(f"[vm2] soak: {RESETS} resets done")
    assert out.index(f"[vm1] tessera-linux: holding for {HOLD} s") < done, out
    assert done < out.index(f"[vm1] tessera-linux: held {HOLD} s"), out
    assert "VM[1] linux: the guest powered off" in out, out
