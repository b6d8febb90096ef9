"""What the Linux e2e tests of every arch share: preparing the guest (Debian's kernel and busybox,
fetched into .cache) and booting it with the checks every Linux boot must pass."""
import os
import subprocess

from conftest import ROOT, boot, build_image

# A Linux boot must never show these, whatever the arch.
LINUX_FAILURES = ("Tessera panic", "Hypervisor exception", "Kernel panic", "Oops", "Unable to handle")


def prepare_linux(arch):
    """Runs scripts/prepare-linux-guest.sh; returns its output directory relative to the repo."""
    out = subprocess.run([os.path.join(ROOT, "scripts/prepare-linux-guest.sh"), arch], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return os.path.relpath(out, ROOT)


def boot_linux(arch, name, configs, smp=2, qemu_args="", env_extra=None, never=()):
    image = build_image(arch, build_dir=f"build/e2e-{arch}-{name}", vm_configs=configs)
    b = boot(arch, smp=smp, image=image, timeout=240, qemu_args=qemu_args, env_extra=env_extra)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in LINUX_FAILURES + tuple(never):
        assert bad not in b.output, b.output
    return b
