# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the end-to-end tests: boot a Tessera image in QEMU through the same
script `make run` uses, collect the serial console, and return it with QEMU's exit status."""
import os
import re
import subprocess
from dataclasses import dataclass

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = {
    "aarch64": "build/aarch64/tessera.bin",
    "riscv64": "build/riscv64/tessera.bin",
    "x86_64": "build/x86_64/tessera.elf32",
}


@dataclass
class Boot:
    output: str
    exit_status: int
    timed_out: bool

    def lines_matching(self, pattern):
        return [m for m in re.finditer(pattern, self.output, re.MULTILINE)]

    def assert_clean(self):
        """What must never appear on a healthy boot."""
        for bad in ("panic", "Hypervisor exception", "error:", "did not come online"):
            assert bad not in self.output, f"unexpected '{bad}' in console output:\n{self.output}"


def vm_stream(output, vm):
    """What VM `vm` wrote to its console, as one string without its newlines: the text of every
    console line tagged [vm<vm>], in order. When two writers print at once the console ends a VM's
    open line and goes on with it on a new tagged line (so lines never mix), which splits one of the
    guest's lines in two; counting in this stream is immune to where that happened."""
    prefix = f"[vm{vm}] "
    return "".join(line[len(prefix):] for line in output.splitlines() if line.startswith(prefix))


def build_image(arch, log="info", build_dir=None, vm_configs=None, platform=None):
    """Builds an image (make is incremental); returns its path relative to the repo root.
    vm_configs: the VM configs to build in (None: the arch's default). platform: a board of
    mk/platform-<name>.mk instead of the arch's QEMU machine (needs build_dir)."""
    # The first image of an arch and log level compiles every object: use every core for it.
    args = ["make", "-s", f"-j{os.cpu_count() or 1}", f"ARCH={arch}", f"LOG={log}"]
    if vm_configs is not None:
        args.append("VM_CONFIGS=" + ":".join(vm_configs))
    if platform:
        args.append(f"PLATFORM={platform}")
    image = IMAGES[arch]
    # TESSERA_UBSAN=1 (make e2e-ubsan): every image with the undefined-behaviour checks, in build
    # directories of its own.
    ubsan = "-ubsan" if os.environ.get("TESSERA_UBSAN") else ""
    if ubsan:
        args.append("UBSAN=1")
        build_dir = build_dir or f"build/{arch}"
    if build_dir:
        # The objects are those of every image of this arch and log level (the Makefile's
        # OBJ_BUILD): only the VM tables and the link are this image's own.
        build_dir += ubsan
        # A board's objects differ (its name is in every object's flags): a directory of their own.
        board = f"-{platform}" if platform else ""
        # Linked with the objects LTO-linked once for all (the Makefile's LINK_PRELINKED): a
        # tenth of a second an image instead of some 3 s.
        args += [f"BUILD={build_dir}", f"OBJ_BUILD=build/e2e-objects-{arch}{board}-{log}{ubsan}", "LINK_PRELINKED=1"]
        image = os.path.join(build_dir, os.path.basename(image))
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if ubsan:
        # The tests pass either way: what says they ran against the checks is the runtime in the ELF
        # (the linker folds identical handlers, so any of them will do).
        elf = os.path.join(ROOT, os.path.dirname(image), "tessera.elf")
        symbols = subprocess.run(["llvm-nm-14", elf], check=True, capture_output=True, text=True).stdout
        assert " __ubsan_handle_" in symbols, f"{elf} is not built with UBSan"
    return image


def boot_env(arch, smp=4, mem="1G", qemu_args="", cmdline=(), shell=False, env_extra=None):
    """The environment for scripts/qemu-run.sh. Without shell, the hypervisor's command line says
    tessera.shell=off, so that it powers off when its last VM stops and QEMU exits."""
    words = list(cmdline) + ([] if shell else ["tessera.shell=off"])
    env = dict(os.environ, ARCH=arch, SMP=str(smp), MEM=mem, QEMU_ARGS=qemu_args, CMDLINE=" ".join(words))
    env.update(env_extra or {})
    return env


def spawn(arch, image=None, timeout=60, **env_args):
    """QEMU running Tessera under pexpect, for a test that talks to its console."""
    return pexpect.spawn(
        os.path.join(ROOT, "scripts/qemu-run.sh"),
        [image or IMAGES[arch]],
        cwd=ROOT,
        env=boot_env(arch, **env_args),
        encoding="utf-8",
        codec_errors="replace",
        timeout=timeout,
    )


def cpu_state_at_timeout(child):
    """What each emulated CPU was doing when a boot timed out (a hang leaves nothing else to read):
    QEMU's monitor, reached on the -nographic console with Ctrl-A c, prints every CPU's
    registers (the exception level and PC show whether the hypervisor or a guest was stuck)."""
    try:
        child.send("\x01c")
        child.sendline("info registers -a")
        child.expect(pexpect.TIMEOUT, timeout=3)
        return "\n--- QEMU monitor at the timeout: info registers -a ---\n" + (child.before or "")
    except (pexpect.EOF, OSError):
        return "\n--- QEMU exited while its CPUs' state was asked for ---\n" + (child.before or "")


def boot(arch, smp=4, mem="1G", qemu_args="", image=None, timeout=60, env_extra=None, dialogue=(), cmdline=()):
    """Boots and waits for QEMU to exit (or the timeout); never hangs the test run.
    dialogue: (pattern, text) pairs: when the console shows pattern, text is typed.
    cmdline: words for the hypervisor's command line (tessera.shell=off is always one)."""
    child = spawn(arch, image=image, timeout=timeout, smp=smp, mem=mem, qemu_args=qemu_args, cmdline=cmdline,
                  env_extra=env_extra)
    timed_out = False
    transcript = ""
    try:
        for pattern, text in dialogue:
            child.expect(pattern)
            transcript += child.before + child.after
            child.send(text)
        child.expect(pexpect.EOF)
    except pexpect.TIMEOUT:
        timed_out = True
        transcript += (child.before or "") + cpu_state_at_timeout(child)
        child.before = ""
        child.terminate(force=True)
    except pexpect.EOF:
        pass
    output = (transcript + (child.before or "")).replace("\r", "")
    child.close()
    status = child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 1)
    return Boot(output=output, exit_status=status, timed_out=timed_out)


def run_guests(arch, name, configs, smp=4, qemu_args="", never=(), env_extra=None):
    """Builds an image with these VM configs into its own build directory, boots it, and checks
    that QEMU exited cleanly and the hypervisor never failed."""
    image = build_image(arch, build_dir=f"build/e2e-{arch}-{name}", vm_configs=configs)
    b = boot(arch, smp=smp, image=image, qemu_args=qemu_args, env_extra=env_extra)
    assert not b.timed_out, b.output
    assert b.exit_status == 0, b.output
    for bad in ("Tessera panic", "Hypervisor exception") + tuple(never):
        assert bad not in b.output, b.output
    return b


@pytest.fixture(scope="session")
def root():
    return ROOT
