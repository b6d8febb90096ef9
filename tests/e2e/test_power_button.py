# SPDX-License-Identifier: Apache-2.0
"""`vm stop` presses a VM's power button and the guest powers itself off (docs/user-guide.md):
Debian's Linux with `tessera.button` loads its modules and starts busybox's acpid
(tests/guests/linux/init.sh), and stays at its interactive shell. In the hypervisor's shell,
`vm stop 1` then presses the button: on x86_64 the ACPI fixed power button every VM has (Linux's
ACPI button driver enables it), on aarch64 and riscv64 a virtio-input device of the config's
(emu_type 0xE4). The guest's own line says it heard the button, and the VM is stopped by the guest,
not by force: the shell says so, and `vm show` says stopped."""
import re

import pytest

from conftest import build_image, spawn
from linux_helpers import LINUX_FAILURES, derive_config, prepare_linux
from test_shell import Console

# A free window and interrupt beside each arch's config devices; x86_64's button is ACPI's.
BUTTON = {
    "aarch64": '["power", 0x0a00_0000, 0x200, 0x30, 0xE4, []],',
    "riscv64": '["power", 0x1000_1000, 0x200, 1, 0xE4, []],',
    "x86_64": "",
}
WHAT = {"aarch64": "virtio-input power button", "riscv64": "virtio-input power button", "x86_64": "ACPI power button"}


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_vm_stop_powers_linux_off_through_its_power_button(arch):
    linux_dir = prepare_linux(arch)
    config = derive_config(linux_dir, "linux-shell.toml", "linux-button", BUTTON[arch], "tessera.button")
    image = build_image(arch, build_dir=f"build/e2e-{arch}-linux-button", vm_configs=[config])
    c = Console(spawn(arch, image=image, smp=2, shell=True, timeout=240))
    try:
        c.expect(r"tessera-linux: acpid listens for the power button on \S*event", timeout=240)
        c.expect(r"interactive shell")
        c.to_shell()
        answer = c.shell("vm stop 1", timeout=30)
        assert re.search(rf"vm stop 1: the guest powered off \d+ ms after its {WHAT[arch]}", answer), answer
        assert c.shell_json("vm show 1 --json")["state"] == "stopped"
        history = c.shell("vm log 1 20")
        assert "tessera-linux: power button pressed: powering off" in history, history
    finally:
        c.child.terminate(force=True)
    for bad in LINUX_FAILURES + ("Hypervisor exception",):
        assert bad not in c.seen, c.seen[-3000:]
