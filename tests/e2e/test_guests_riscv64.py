# SPDX-License-Identifier: Apache-2.0
"""riscv64 guests: our bare-metal test guests run in VS-mode under Tessera; each test asserts on
the guest's own console output and on what the hypervisor logged, including what must not happen."""
import os
import re
import struct

from boot_checks import assert_vm_line_from_hwid
from conftest import ROOT, run_guests

ARCH = "riscv64"
GUESTS = "tests/guests/riscv64"


def run_vms(name, configs, smp=4, qemu_args="", env_extra=None):
    return run_guests(ARCH, name, configs, smp, qemu_args, never=(), env_extra=env_extra)


AIA = {"PLATFORM": "aia"}


def test_demo_guest_on_passthrough_uart():
    """`make run` with nothing else boots the built-in demo guest, which owns the real 16550."""
    b = run_vms("demo", ["configs/vms/demo-riscv64.toml"])
    out = b.output
    assert 'Creating VM [1] "demo-riscv64"' in out, out
    assert "VM[1] boot success" in out, out
    # Passthrough: the guest writes the host UART itself, so its lines carry no [vm1] tag.
    assert re.search(r"^Hello from a Tessera guest on riscv64!$", out, re.M), out
    assert "VM[1] demo-riscv64: the guest powered off" in out, out
    assert out.index("VM[1] boot success") < out.index("Hello from a Tessera guest") < out.index("All VMs have stopped")
    assert "Hypervisor done: powering off" in out


def test_hello_on_emulated_uart_sbi_and_hypercalls():
    b = run_vms("hello", [f"{GUESTS}/hello.toml"])
    out = b.output
    assert "[vm1] Hello from a Tessera guest on riscv64!" in out, out
    # SBI v2.0 from BASE; SBI_ERR_NOT_SUPPORTED (-2) for an extension nobody implements.
    assert ("[vm1] hypercall: Tessera version 0.1.0, VM id 1, hart 0, SBI spec 0x2000000, "
            "unknown SBI extension -> 2 (negated)") in out, out
    assert "VM[1] hello: the guest powered off" in out


def test_unclaimed_mmio_is_an_access_fault_the_guest_survives():
    b = run_vms("abort", [f"{GUESTS}/abort.toml"])
    out = b.output
    # Load access fault (5) once, store access fault (7) twice, at the guest's address.
    assert out.count("[vm1] abort guest: caught exception cause 5 at stval 0x10001000") == 1, out
    assert out.count("[vm1] abort guest: caught exception cause 7 at stval 0x10001000") == 2, out
    assert "[vm1] abort guest: survived 3 faults" in out, out
    # Logged once per address, not once per access.
    assert out.count("MMIO 0x10001000 that no device claims") == 1, out


def test_excluded_device_is_not_mapped_and_faults():
    """passthrough_devices = [["/"]] less /soc/virtio_mmio@10001000: the transport is not in the
    guest's tree, its page is not mapped, and the guest's three accesses to it fault as an
    unclaimed address does, while the rest of the machine (the other seven transports among it)
    is passed through."""
    b = run_vms("excluded", ["tests/e2e/configs/excluded-abort-riscv64.toml"])
    out = b.output
    passed = re.search(r"VM\[1\] excluded: (\d+) host device-tree node\(s\) passed through", out)
    assert passed and int(passed.group(1)) >= 7, out
    assert out.count("[vm1] abort guest: caught exception cause 5 at stval 0x10001000") == 1, out
    assert out.count("[vm1] abort guest: caught exception cause 7 at stval 0x10001000") == 2, out
    assert "[vm1] abort guest: survived 3 faults" in out, out
    assert "host node 'serial@10000000' is not passed through: its page at 0x10000000 is ns16550's" in out, out
    assert "VM[1] excluded: the guest powered off" in out, out


def test_timer_interrupts_via_sbi_time_and_stimecmp():
    b = run_vms("timer", [f"{GUESTS}/timer.toml"])
    out = b.output
    assert "[vm1] timer guest: 5 interrupts via SBI TIME" in out, out
    assert "[vm1] timer guest: 5 interrupts via stimecmp" in out, out
    assert "EARLY" not in out and "unexpected" not in out and "no Sstc" not in out, out


def test_timer_without_sstc_is_emulated_through_hvip():
    """QEMU's hart without Sstc: the hypervisor's own timer uses SBI TIME, the guest's SBI deadline
    becomes a host timer event that raises hvip.VSTIP, and stimecmp does not exist for the guest."""
    b = run_vms("timer", [f"{GUESTS}/timer.toml"], qemu_args="-cpu rv64,sstc=false")
    out = b.output
    assert "H extension = yes, Sstc = no" in out, out
    assert "[vm1] timer guest: 5 interrupts via SBI TIME" in out, out
    assert "[vm1] timer guest: no Sstc, stimecmp is an illegal instruction" in out, out
    assert "interrupts via stimecmp" not in out, out
    assert "EARLY" not in out and "unexpected" not in out, out
    assert "VM[1] timer: the guest powered off" in out, out


def test_four_harts_started_with_sbi_hsm():
    b = run_vms("smp", [f"{GUESTS}/smp.toml"])
    out = b.output
    for i in (1, 2, 3):
        assert f"[vm1] smp guest: hart {i} is up" in out, out
    assert "[vm1] smp guest: hart 1 status after hart_stop -> 1" in out, out
    # SBI_ERR_INVALID_PARAM (-3) for a hart that does not exist, ALREADY_AVAILABLE (-6) for itself.
    assert "[vm1] smp guest: hart_start of a missing hart -> 3 (negated), of myself -> 6 (negated)" in out, out
    assert "[vm1] smp guest: 4 harts ran" in out, out
    assert "hart_stop returned" not in out, out


def test_memory_isolation():
    b = run_vms("isolation", [f"{GUESTS}/isolation.toml"])
    out = b.output
    assert "DID NOT FAULT" not in out, out
    assert "[vm1] isolation guest: 4 of 4 probes faulted" in out, out


def test_srst_reboot_boots_again_with_fresh_image():
    b = run_vms("reset", [f"{GUESTS}/reset.toml"])
    out = b.output
    assert "[vm1] reset guest: boot 1, marker 0x1234" in out, out
    assert "VM[1] reset: the guest asked for a reset" in out, out
    assert "VM[1] boot success (after reset 1: " in out, out
    # RAM was reloaded from the image: the marker the first boot overwrote is back.
    assert "[vm1] reset guest: boot 2, marker 0x1234" in out, out
    assert "SRST reboot returned" not in out, out
    assert "VM[1] reset: the guest powered off" in out, out


def test_two_vms_at_once_on_separate_cpus():
    b = run_vms("two", [f"{GUESTS}/hello.toml", "tests/e2e/configs/second-hello-riscv64.toml"])
    out = b.output
    assert "[vm1] Hello from a Tessera guest on riscv64!" in out, out
    assert "[vm2] hypercall: Tessera version 0.1.0, VM id 2" in out, out
    # VM 2's vCPU is pinned to physical CPU 1: its log lines come from CPU 1.
    assert_vm_line_from_hwid(b, 1, "VM[2] hello-two: the guest powered off")
    assert "VM[1] hello: stopped" in out and "VM[2] hello-two: stopped" in out, out



def test_console_without_16550_in_its_name_is_refused():
    """A console's model follows its name; any name without 16550 or uart8250 means a PL011, which
    only aarch64 emulates: that VM alone is refused, with the config's file and line."""
    b = run_vms("pl011", [f"{GUESTS}/hello.toml", "tests/e2e/configs/pl011-console-riscv64.toml"])
    out = b.output
    assert re.search(r"error: VM\[2\] pl011: \S*pl011-console-riscv64.toml:20: console 'uart0': no PL011 on "
                     r"riscv64 \(a 16550 needs 16550 or uart8250 in the name\)", out), out
    assert "VM[2] pl011: not started" in out, out
    assert "[vm1] Hello from a Tessera guest on riscv64!" in out, out
    assert "Hypervisor done: powering off" in out, out

def test_vplic_delivers_owned_sources_only():
    b = run_vms("vplic", [f"{GUESTS}/vplic.toml"])
    out = b.output
    assert "VM[1] vplic: vPLIC at 0xc000000, 2 contexts" in out, out
    # Source 5 is not the VM's: its enable bit does not stick; source 10 (the UART's) does.
    assert "[vm1] vplic guest: enable bits read back 0x400" in out, out
    # The first boot leaves its claim uncompleted and resets: the reset vPLIC has nothing in
    # service, so the second boot's interrupt arrives (before vplic_reset, it never did).
    assert "[vm1] vplic guest: boot 1 claimed source 10 and resets without completing it" in out, out
    assert ("[vm1] vplic guest: 1 external interrupt(s), claimed source 10, IIR 0x2, "
            "nothing left to claim: 0") in out, out


def test_aia_guest_files_take_messages_and_ipis_without_exits():
    """A two-hart guest on the AIA machine with its own IMSIC (guest interrupt files) and vAPLIC:
    1000 messages to itself and 1000 IPI round trips between its harts arrive as external
    interrupts it claims through stopei, and the exit count (Tessera's hypercall 0x106) does not
    move; the UART's level line through the vAPLIC is one message (none more at the end of the
    interrupt once cleared); genmsi reaches hart 1; source 5, not the VM's, cannot be enabled. The
    vPLIC guest runs beside it on the same host (the PLIC emulated on an AIA host)."""
    b = run_vms("aia", [f"{GUESTS}/aia.toml", "tests/e2e/configs/second-vplic-riscv64.toml"], smp=2, env_extra=AIA)
    out = b.output
    assert "VM[1] aia: IMSIC at 0x28000000: 2 guest interrupt file(s), 255 identities each" in out, out
    # The exit count moves (one emulated register read is one exit): its zeros below mean something.
    assert "[vm1] aia guest: an emulated UART read costs 1 exit(s)" in out, out
    # Not one exit per message: the few there are, are the host's own (its timer, a kick for the
    # other VM sharing a CPU), taken while the guest ran.
    m = re.search(r"\[vm1\] aia guest: 1000 messages to myself, (\d+) exits", out)
    assert m and int(m.group(1)) <= 10, out
    m = re.search(r"\[vm1\] aia guest: 1000 IPIs to hart 1, 1000 answered, (\d+) exits on hart 0, (\d+) on hart 1", out)
    assert m and int(m.group(1)) <= 10 and int(m.group(2)) <= 10, out
    assert "[vm1] aia guest: domaincfg 0x80000104, enabled sources 0x400, UART messages 1 (IIR 0x2)" in out, out
    assert "[vm1] aia guest: genmsi reached hart 1: 1" in out, out
    assert "VM[1] aia: the guest powered off" in out, out
    assert ("[vm2] vplic guest: 1 external interrupt(s), claimed source 10, IIR 0x2, "
            "nothing left to claim: 0") in out, out


def test_a_hostile_guest_at_its_aplic_and_imsic_beside_the_aia_guest():
    """The hostile guest (20000 rounds, seed 1) with a vAPLIC and an IMSIC page among the windows
    its random accesses reach, and the AIA's CSRs among its random ones, runs beside the AIA guest:
    both finish, the hypervisor neither faults nor leaks into the other VM (whose checks all pass)."""
    with open(os.path.join(ROOT, "build/guests/riscv64/hostile-seed.bin"), "wb") as f:
        f.write(struct.pack("<QQ", 1, 20000))
    b = run_vms("hostile-aia", [f"{GUESTS}/hostile-aia.toml", f"{GUESTS}/aia.toml"], smp=2, env_extra=AIA)
    out = b.output
    m = re.search(r"\[vm6\] hostile: done: \d+ accesses, \d+ privileged, \d+ calls, \d+ words; \d+ faults taken; "
                  r"(\d+) stray RAM bytes", out)
    assert m and m.group(1) == "0", out
    assert "VM[6] hostile: the guest powered off" in out, out
    assert "[vm1] aia guest: 1000 messages to myself" in out, out
    assert "[vm1] aia guest: genmsi reached hart 1: 1" in out, out
    assert "VM[1] aia: the guest powered off" in out, out


def test_an_imsic_needs_guest_interrupt_files():
    """The same config on the PLIC machine: the VM is refused with the reason, the host goes on."""
    b = run_vms("aia-on-plic", [f"{GUESTS}/aia.toml", "tests/e2e/configs/second-hello-riscv64.toml"], smp=2)
    out = b.output
    assert ("VM[1] aia: its config has an IMSIC, but the host has no guest interrupt files (an AIA "
            "machine with aia-guests, e.g. make run PLATFORM=aia)") in out, out
    assert "aia guest:" not in out, out
    assert "[vm2] Hello from a Tessera guest on riscv64!" in out, out


def test_a_vm_without_a_console_gets_one():
    """Two VMs whose configs name no console: each gets an emulated UART where the machine usually
    has one, says so, and what each guest prints is shown, tagged with its VM."""
    b = run_vms("noconsole", ["tests/e2e/configs/noconsole-one-riscv64.toml", "tests/e2e/configs/noconsole-two-riscv64.toml"])
    out = b.output
    for vm, name in ((1, "quiet-one"), (2, "quiet-two")):
        assert f"VM[{vm}] {name}: its config names no console, so it gets one: an emulated ns16550 at 0x10000000, interrupt 10" in out, out
        assert f"[vm{vm}] Hello from a Tessera guest on riscv64!" in out, out
        assert f"VM[{vm}] {name}: the guest powered off" in out, out


def test_a_host_device_has_one_owner():
    """Two VMs claim the host's Goldfish RTC (by device-tree path, then by window) and a third the
    hypervisor's PLIC: the second and third are refused naming who has it, the first runs."""
    b = run_vms("owners", ["tests/e2e/configs/owner-first-riscv64.toml", "tests/e2e/configs/owner-second-riscv64.toml",
                           "tests/e2e/configs/owner-plic-riscv64.toml"])
    out = b.output
    assert "VM[1] rtc-first: 1 host device-tree node(s) passed through" in out, out
    assert "VM[2] rtc-second: rtc: host page 0x101000 is VM[1] rtc-first's (host node 'rtc@101000')" in out, out
    assert "VM[2] rtc-second: not started" in out, out
    assert "VM[3] wants-the-plic: plic: host page 0xc000000 is the hypervisor's (its interrupt controller)" in out, out
    assert "VM[3] wants-the-plic: not started" in out, out
    assert "[vm1] Hello from a Tessera guest on riscv64!" in out, out
    assert "VM[1] rtc-first: the guest powered off" in out, out
