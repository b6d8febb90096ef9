# SPDX-License-Identifier: Apache-2.0
"""What the Linux e2e tests of every arch share: preparing the guest (Debian's kernel and busybox,
fetched into .cache) and booting it with the checks every Linux boot must pass."""
import os
import re
import subprocess

from conftest import ROOT, boot, build_image

# A Linux boot must never show these, whatever the arch.
LINUX_FAILURES = ("Tessera panic", "Hypervisor exception", "Kernel panic", "Oops", "Unable to handle")


def prepare_linux(arch):
    """Runs scripts/prepare-linux-guest.sh; returns its output directory relative to the repo."""
    out = subprocess.run([os.path.join(ROOT, "scripts/prepare-linux-guest.sh"), arch], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return os.path.relpath(out, ROOT)


def derive_config(linux_dir, base, name, device, extra_cmdline="", edit=None):
    """A config made from one prepare_linux wrote (base, e.g. "linux-1cpu.toml"): `device` (an
    emu_devices entry) added first, words appended to its command line, then `edit` (text -> text)
    if given; written beside it as <name>.toml (its image paths are relative to that directory).
    Returns its path relative to the repo."""
    with open(os.path.join(ROOT, linux_dir, base)) as f:
        text = f.read()
    if extra_cmdline:
        text = re.sub(r'(cmdline = "[^"]*)"', rf'\1 {extra_cmdline}"', text, count=1)
    if device:
        text = text.replace("emu_devices = [\n", "emu_devices = [\n    " + device + "\n", 1)
    if edit:
        text = edit(text)
    path = os.path.join(linux_dir, f"{name}.toml")
    with open(os.path.join(ROOT, path), "w") as f:
        f.write(text)
    return path


def boot_linux(arch, name, configs, smp=2, qemu_args="", env_extra=None, never=(), mem="1G", timeout=240):
    image = build_image(arch, build_dir=f"build/e2e-{arch}-{name}", vm_configs=configs)
    b = boot(arch, smp=smp, mem=mem, image=image, timeout=timeout, qemu_args=qemu_args, env_extra=env_extra)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in LINUX_FAILURES + tuple(never):
        assert bad not in b.output, b.output
    return b


# Typed at a Linux guest's busybox shell (tessera.shell on its command line) and answered: the
# shell's answer, not the echo of what was typed (which says $((3 * 5))).
SHELL_DIALOGUE = [
    (r"interactive shell", ""),
    (r"# ", "echo typed-$((3 * 5))\r"),
    (r"typed-15", ""),
]


def shell_session(arch, image, mem="1G", env_extra=None):
    """Boots an image whose Linux VM stops at its shell, types a sum and powers the VM off; returns
    the boot after the checks every such session must pass (the answer came back)."""
    b = boot(arch, smp=2, mem=mem, image=image, timeout=240, env_extra=env_extra,
             dialogue=SHELL_DIALOGUE + [(r"# ", "poweroff -f\r")])
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    for bad in LINUX_FAILURES:
        assert bad not in out, out
    assert "typed-15" in out, out
    return b


def type_at_the_shell(arch, linux_dir, console):
    """Boots linux-shell.toml, types commands at its busybox shell over the hypervisor's console
    and checks the answers: what is typed reaches the guest through its emulated UART's receive
    interrupt (console names the tty, e.g. ttyAMA0), and the shell's output comes back."""
    image = build_image(arch, build_dir=f"build/e2e-{arch}-shell", vm_configs=[f"{linux_dir}/linux-shell.toml"])
    b = boot(arch, smp=2, image=image, timeout=240, dialogue=[
        (r"interactive shell", ""),
        (r"# ", "echo typed-$((3 * 5))\r"),
        (r"typed-15", ""),
        (r"# ", "cat /proc/cmdline\r"),
        (r"tessera\.shell", ""),
        (r"# ", "poweroff -f\r"),
    ])
    out = b.output
    assert not b.timed_out, out
    assert "Console input goes to VM[1] linux" in out, out
    assert "No console input" not in out, out
    # The shell's answers, not the echo of what was typed (which says $((3 * 5))).
    assert "typed-15" in out, out
    assert re.search(rf"\[vm1\] console={console} .*rdinit=/init.* tessera\.shell", out), out
    for bad in LINUX_FAILURES:
        assert bad not in out, out
    assert "VM[1] linux: the guest powered off" in out, out
    assert b.exit_status == 0, out
