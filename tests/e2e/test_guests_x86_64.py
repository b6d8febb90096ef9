# SPDX-License-Identifier: Apache-2.0
"""x86_64 guests: our bare-metal test guests run under AMD SVM with nested paging; each test asserts
on the guest's own console output and on what the hypervisor logged, including what must not
happen."""
import re

from conftest import run_guests

ARCH = "x86_64"
GUESTS = "tests/guests/x86_64"


def run_vms(name, configs, smp=4, qemu_args=""):
    return run_guests(ARCH, name, configs, smp, qemu_args, never=("VMEXIT_INVALID", "triple fault"))


def test_demo_guest_on_passthrough_com1():
    """`make run` with nothing else boots the built-in demo guest, which owns the host's COM1 ports."""
    b = run_vms("demo", ["configs/vms/demo-x86_64.toml"], smp=2)
    out = b.output
    assert 'Creating VM [1] "demo-x86_64"' in out, out
    assert "ports 0x3f8-0x3ff passed through" in out, out
    # Passthrough: the guest writes the host UART itself, so its lines carry no [vm1] tag.
    assert re.search(r"^Hello from a Tessera guest on x86_64!$", out, re.M), out
    assert "VM[1] demo-x86_64: the guest powered off" in out, out
    # Only the hypercalls and the power-off leave the guest: no exit per character.
    exits = int(re.search(r"VM\[1\] demo-x86_64: stopped \((\d+) exits", out).group(1))
    assert exits < 20, out
    assert out.index("VM[1] boot success") < out.index("Hello from a Tessera guest") < out.index("All VMs have stopped")
    assert "Hypervisor done: powering off" in out


def test_hello_on_emulated_com1_and_vmmcall():
    b = run_vms("hello", [f"{GUESTS}/hello.toml"], smp=2)
    out = b.output
    assert "[vm1] Hello from a Tessera guest on x86_64!" in out, out
    # HYPERCALL_NOT_SUPPORTED (-1) for a number Tessera does not know.
    assert "[vm1] hypercall: Tessera version 0.1.0, VM id 1, unknown call -> 1 (negated)" in out, out
    assert "[vm1] cpuid: hypervisor signature TesseraHV\n" in out, out
    assert "VM[1] hello: the guest powered off" in out, out


def test_a_triple_fault_stops_the_vm_with_its_state_and_last_exits():
    """A guest that shuts its CPU down (an empty IDT, then #UD): its VM stops, and the log gives
    the state it died in and the exits that led there, its COM1 writes among them."""
    b = run_guests(ARCH, "tripfault", [f"{GUESTS}/tripfault.toml"], smp=2)
    out = b.output
    assert "[vm1] tripfault: loading an empty IDT" in out, out
    assert "still running" not in out, out
    assert re.search(r"VM\[1\] tripfault: vCPU 0: triple fault at RIP 0x[0-9a-f]+ .* IDTR 0/0 ", out), out
    assert re.search(r"VM\[1\] tripfault: vCPU 0: exit -\d: code 0x7b RIP 0x[0-9a-f]+ info 0x3f8", out), out  # IOIO
    assert re.search(r"VM\[1\] tripfault: vCPU 0: exit -1: code 0x7f ", out), out    # VMEXIT_SHUTDOWN
    assert "VM[1] tripfault: vCPU 0: triple fault (shutdown): the VM stops" in out, out


def test_unclaimed_mmio_and_ports_read_all_ones_and_mmio_forms_decode():
    b = run_vms("mmio", [f"{GUESTS}/mmio.toml"], smp=2)
    out = b.output
    assert "[vm1] mmio guest: unclaimed MMIO read 0xffffffff" in out, out
    assert " 0xff" in out and " 0xffffffff" in out, out
    # Logged once per address, not once per access (one read, two writes).
    assert out.count("MMIO 0xd0000000 that no device claims") == 1, out
    assert out.count("port 0x2f8 that no device claims") == 1, out
    assert out.count("port 0x1234 that no device claims") == 1, out
    # or $0x10 on TPR 0x20, and $0xf0 + movzbl, xchg, test $0x40 (ZF clear), rep stosl over 4 words.
    assert ("[vm1] mmio guest: tpr or 0x30 and+movzx 0x30 xchg old 0x30 new 0x40 test-zero 0 "
            "stos 0x50 rcx 0") in out, out
    assert "[vm1] mmio guest: cmp below 1 less 1 equal 1 reverse-below 1" in out, out
    # IOREGSEL and IOWIN by adjacent instructions, the second carried out in the first's exit: the
    # version register (16 pins, version 0x11) and pin 5's entry as they read apart; an access to
    # another page after it (TPR 0x50) is not carried with it and is right too.
    assert "[vm1] mmio guest: adjacent version 0xf0011 apart 0xf0011 entry 0x10035 other page 0x50" in out, out
    assert re.search(r"VM\[1\] mmio: vCPU 0: an MMIO access carried out in the exit of the one before it "
                     r"\(read of 0xfec00010\)", out), out
    # A port read right after a port write, the second carried out in the first's exit: CMOS
    # status B and the host bridge's IDs (through a mov that sets the data port between) as apart.
    ports = re.search(r"\[vm1\] mmio guest: adjacent ports cmos (0x[0-9a-f]+) apart (0x[0-9a-f]+) "
                      r"pci (0x[0-9a-f]+) apart (0x[0-9a-f]+)", out)
    assert ports and ports.group(1) == ports.group(2) and ports.group(3) == ports.group(4), out
    assert int(ports.group(3), 16) not in (0, 0xffffffff), out
    assert re.search(r"VM\[1\] mmio: vCPU 0: a port read carried out in the exit of the write before it "
                     r"\(port 0x71\)", out), out
    # The same linear page of code, remapped between loads: each load went into its own register
    # (a stale decode would have returned the marker, 0xdead).
    assert "[vm1] mmio guest: remapped code loads 0x70 0x70 0x70" in out, out
    assert "[vm1] mmio guest: survived" in out, out


def test_four_vcpus_started_with_init_sipi():
    b = run_vms("smp", [f"{GUESTS}/smp.toml"])
    out = b.output
    for i in (1, 2, 3):
        assert f"[vm1] smp guest: vCPU {i} is up" in out, out
    assert "[vm1] smp guest: 4 vCPUs ran, 3 answered a fixed IPI" in out, out


def test_local_apic_timer_interrupts():
    b = run_vms("timer", [f"{GUESTS}/timer.toml"], smp=2)
    out = b.output
    assert "[vm1] timer guest: periodic 5 ticks, current count was counting down: yes" in out, out
    assert "[vm1] timer guest: one-shot fired" in out, out
    assert "[vm1] timer guest: TSC deadline fired after the deadline" in out, out
    # STI's one-instruction shadow, where that instruction is one the hypervisor carries out.
    for what in ("CPUID", "a port read"):
        assert f"[vm1] timer guest: an interrupt pending at STI, with {what} in its shadow, came right after it" in out, out


def test_pit_counts_gates_and_raises_irq0_through_the_ioapic():
    """The VM's 8254: channel 0's count read back going down (latched LSB/MSB, then MSB-only), the
    read-back status around a mode 0 terminal count, channel 2 gated through port 0x61, and IRQ 0
    on IOAPIC pin 2 in modes 2 and 3 and once for a mode 0 one-shot."""
    b = run_vms("pit", [f"{GUESTS}/pit.toml"], smp=2)
    out = b.output
    m = re.search(r"\[vm1\] pit guest: mode 0 latched counts ([\d ]+) going down: (\w+)", out)
    assert m, out
    counts = [int(c) for c in m.group(1).split()]
    assert len(counts) == 5 and all(a > b for a, b in zip(counts, counts[1:])), out
    assert counts[0] < 0xffff and m.group(2) == "yes", out
    # Datasheet status byte: OUT (bit 7) low until the terminal count, then high; lo/hi access, mode 0.
    assert "[vm1] pit guest: mode 0 status before terminal count 0x30, after 0xb0" in out, out
    m = re.search(r"\[vm1\] pit guest: MSB-only reads (\d+) then (\d+) going down: yes", out)
    assert m and int(m.group(2)) < int(m.group(1)) <= 0xf0, out
    assert "[vm1] pit guest: channel 2 with gate low held 5966 and 5966 (OUT2 low): yes; gate high: OUT2 rose" in out, out
    for mode, count, wanted in ((2, 11931, 10), (3, 5965, 5)):
        m = re.search(rf"\[vm1\] pit guest: mode {mode} count {count}: (\d+) IRQ 0 interrupts on vector 0x30", out)
        assert m and int(m.group(1)) >= wanted, out
    assert "[vm1] pit guest: mode 0 one-shot: 1 interrupt(s) in 20 ms" in out, out
    assert "unexpected trap" not in out and "no device claims" not in out, out
    assert "VM[1] pit: the guest powered off" in out, out


def test_pat_and_efer_writes_a_cpu_refuses_are_gp():
    b = run_vms("msrgp", [f"{GUESTS}/msrgp.toml"], smp=2)
    out = b.output
    assert "[vm1] msrgp guest: PAT with write-back and UC- fields: taken, now 0x7060600070606" in out, out
    assert "[vm1] msrgp guest: PAT with a field of type 2: #GP, now 0x7060600070606" in out, out
    assert "[vm1] msrgp guest: PAT with a reserved bit in a field: #GP, now 0x7060600070606" in out, out
    # LME and LMA: long mode, as the guest's start left it (SVME, which VMRUN needs, is hidden).
    assert "[vm1] msrgp guest: EFER with LME cleared while paging is on: #GP, now 0x500\n" in out, out
    assert "[vm1] msrgp guest: EFER as it was: taken, now 0x500\n" in out, out
    assert "[vm1] msrgp guest: 3 faults" in out, out
    assert "VM[1] msrgp: the guest powered off" in out, out


def test_memory_isolation():
    b = run_vms("isolation", [f"{GUESTS}/isolation.toml"], smp=2)
    out = b.output
    assert "LEAKED" not in out, out
    assert "[vm1] isolation guest: 4 of 4 probes isolated" in out, out


def test_reset_boots_again_with_fresh_image():
    b = run_vms("reset", [f"{GUESTS}/reset.toml"], smp=2)
    out = b.output
    # Its IOAPIC comes back masked: the first boot unmasked pin 5 before asking for the reset.
    assert "[vm1] reset guest: boot 1, marker 0x1234, IOAPIC pin 5 0x10000" in out, out
    assert "VM[1] reset: the guest asked for a reset (port 0xcf9)" in out, out
    assert "VM[1] boot success (after reset 1: " in out, out
    assert "[vm1] reset guest: boot 2, marker 0x1234, IOAPIC pin 5 0x10000" in out, out
    assert "reset returned" not in out, out


def test_two_vms_at_once_on_separate_cpus():
    b = run_vms("two", [f"{GUESTS}/hello.toml", "tests/e2e/configs/second-hello-x86_64.toml"], smp=2)
    out = b.output
    assert "[vm1] Hello from a Tessera guest on x86_64!" in out, out
    assert "[vm2] hypercall: Tessera version 0.1.0, VM id 2" in out, out
    # VM 2's vCPU is pinned to physical CPU 1: its power-off is logged from CPU 1.
    assert re.search(r"\[ *\d+\.\d+ 1:\d+ x86_pc:\d+\] VM\[2\] hello-two: the guest powered off", out), out
    assert "VM[1] hello: stopped" in out and "VM[2] hello-two: stopped" in out, out


def test_a_vm_without_a_console_gets_one():
    """Two VMs whose configs name no console: each gets an emulated UART where the machine usually
    has one, says so, and what each guest prints is shown, tagged with its VM."""
    b = run_vms("noconsole", ["tests/e2e/configs/noconsole-one-x86_64.toml", "tests/e2e/configs/noconsole-two-x86_64.toml"])
    out = b.output
    for vm, name in ((1, "quiet-one"), (2, "quiet-two")):
        assert f"VM[{vm}] {name}: its config names no console, so it gets one: an emulated com1-16550 at port 0x3f8, interrupt 4" in out, out
        assert f"[vm{vm}] Hello from a Tessera guest on x86_64!" in out, out
        assert f"VM[{vm}] {name}: the guest powered off" in out, out


def test_the_hypervisors_ioapic_is_never_given_out():
    """A VM that asks for the host's IOAPIC page (at a guest address of its own, where its virtual
    IOAPIC cannot serve it instead) is refused naming it; the other VM runs."""
    b = run_vms("owners", [f"{GUESTS}/hello.toml", "tests/e2e/configs/owner-ioapic-x86_64.toml"])
    out = b.output
    assert ("VM[2] wants-the-ioapic: ioapic: host page 0xfec00000 is the hypervisor's (its interrupt controller)"
            in out), out
    assert "VM[2] wants-the-ioapic: not started" in out, out
    assert "[vm1] Hello from a Tessera guest on x86_64!" in out, out
