# SPDX-License-Identifier: Apache-2.0
"""aarch64 guests: our bare-metal test guests run at EL1 under Tessera; each test asserts on the
guest's own console output and on what the hypervisor logged, including what must not happen."""
import re


from boot_checks import assert_vm_line_from_hwid
from conftest import boot, build_image, run_guests

ARCH = "aarch64"
GUESTS = "tests/guests/aarch64"


def run_vms(name, configs, smp=4, qemu_args=""):
    return run_guests(ARCH, name, configs, smp, qemu_args, never=())


def test_demo_guest_on_passthrough_uart():
    """`make run` with nothing else boots the built-in demo guest, which owns the real PL011."""
    b = run_vms("demo", ["configs/vms/demo-aarch64.toml"])
    out = b.output
    assert 'Creating VM [1] "demo-aarch64"' in out, out
    assert "VM[1] boot success" in out, out
    # Passthrough: the guest writes the host UART itself, so its lines carry no [vm1] tag.
    assert re.search(r"^Hello from a Tessera guest on aarch64!$", out, re.M), out
    assert "VM[1] demo-aarch64: the guest powered off" in out, out
    assert out.index("VM[1] boot success") < out.index("Hello from a Tessera guest") < out.index("All VMs have stopped")
    assert "Hypervisor done: powering off" in out


def test_hello_on_emulated_uart_and_hypercalls():
    b = run_vms("hello", [f"{GUESTS}/hello.toml"])
    assert "[vm1] Hello from a Tessera guest on aarch64!" in b.output, b.output
    assert "[vm1] hypercall: Tessera version 0.1.0, VM id 1, PSCI version 0x10001" in b.output, b.output
    assert "VM[1] hello: the guest powered off" in b.output


def test_excluded_device_is_not_mapped_and_aborts():
    """passthrough_devices = [["/"]] less /virtio_mmio@a000000: the guest's three accesses to it
    abort as an unclaimed address does, and the transports that share its page are left out with
    it (a page has one owner), each named once."""
    b = run_vms("excluded", ["tests/e2e/configs/excluded-abort-aarch64.toml"])
    out = b.output
    assert re.search(r"VM\[1\] excluded: \d+ host device-tree node\(s\) passed through", out), out
    assert out.count("[vm1] abort guest: caught exception class 0x25 at FAR 0xa000000") == 3, out
    assert "[vm1] abort guest: survived 3 aborts" in out, out
    assert "host node 'virtio_mmio@a000200' is not passed through: its page at 0xa000000 is virtio_mmio@a000000's" in out, out
    assert "host node 'pl011@9000000' is not passed through: its page at 0x9000000 is pl011's" in out, out
    assert "VM[1] excluded: the guest powered off" in out, out


def test_a_host_device_has_one_owner():
    """Two VMs claim the host's PL061 (by device-tree path, then by window) and a third the
    hypervisor's GIC: the second and third are refused naming who has it, the first runs."""
    b = run_vms("owners", ["tests/e2e/configs/owner-first-aarch64.toml", "tests/e2e/configs/owner-second-aarch64.toml",
                           "tests/e2e/configs/owner-gic-aarch64.toml"])
    out = b.output
    # The PL061 and the clock it names.
    assert "VM[1] gpio-first: 2 host device-tree node(s) passed through" in out, out
    assert ("VM[2] gpio-second: gpio: host page 0x9030000 is VM[1] gpio-first's (host node 'pl061@9030000')"
            in out), out
    assert "VM[2] gpio-second: not started" in out, out
    assert ("VM[3] wants-the-gic: gicd: host page 0x8000000 is the hypervisor's (its interrupt controller)"
            in out), out
    assert "VM[3] wants-the-gic: not started" in out, out
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out
    assert "VM[1] gpio-first: the guest powered off" in out, out


def test_unclaimed_mmio_is_an_abort_the_guest_survives():
    b = run_vms("abort", [f"{GUESTS}/abort.toml"])
    out = b.output
    assert out.count("[vm1] abort guest: caught exception class 0x25 at FAR 0xa000000") == 3, out
    assert "[vm1] abort guest: survived 3 aborts" in out, out
    # Logged once per address, not once per access.
    assert out.count("MMIO 0xa000000 that no device claims") == 1, out
    # 100 more addresses: eight addresses logged in all, then one line saying the rest are
    # counted, and the count (93 beyond the eight) when the VM stops.
    assert "[vm1] abort guest: 103 aborts in all" in out, out
    assert out.count("that no device claims") == 9, out
    assert out.count("MMIO 0xa000800 that no device claims; unclaimed accesses to further addresses are "
                     "counted, not logged") == 1, out
    assert "VM[1] abort: 93 unclaimed accesses to addresses beyond the first eight logged" in out, out


def test_four_vcpus_started_with_psci():
    b = run_vms("smp", [f"{GUESTS}/smp.toml"])
    out = b.output
    for i in (1, 2, 3):
        assert f"[vm1] smp guest: vCPU {i} is up" in out, out
    # INVALID_PARAMETERS (-2) for a vCPU that does not exist, ALREADY_ON (-4) for itself.
    assert "[vm1] smp guest: CPU_ON of a missing vCPU -> 2 (negated), of myself -> 4 (negated)" in out, out
    assert "[vm1] smp guest: 4 vCPUs ran" in out, out


def test_memory_isolation():
    b = run_vms("isolation", [f"{GUESTS}/isolation.toml"])
    out = b.output
    assert "DID NOT FAULT" not in out, out
    assert "[vm1] isolation guest: 4 of 4 probes faulted" in out, out


def test_system_reset_boots_again_with_fresh_image():
    b = run_vms("reset", [f"{GUESTS}/reset.toml"])
    out = b.output
    assert "[vm1] reset guest: boot 1, marker 0x1234" in out, out
    assert "VM[1] boot success (after reset 1: " in out, out
    # RAM was reloaded from the image: the marker the first boot overwrote is back.
    assert "[vm1] reset guest: boot 2, marker 0x1234" in out, out
    assert out.count("SYSTEM_RESET returned") == 0, out


def test_two_vms_at_once_on_separate_cpus():
    b = run_vms("two", [f"{GUESTS}/hello.toml", "tests/e2e/configs/second-hello-aarch64.toml"])
    out = b.output
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out
    assert "[vm2] hypercall: Tessera version 0.1.0, VM id 2" in out, out
    # VM 2's vCPU is pinned to physical CPU 1: its log lines come from CPU 1.
    assert_vm_line_from_hwid(b, 1, "VM[2] hello-two: the guest powered off")
    assert "VM[1] hello: stopped" in out and "VM[2] hello-two: stopped" in out, out


def test_config_wrong_for_this_machine_is_reported_at_boot_and_skipped():
    b = run_vms("badconfig", ["tests/e2e/configs/missing-cpu-aarch64.toml", f"{GUESTS}/hello.toml"], smp=2)
    out = b.output
    assert re.search(r"error: missing-cpu-aarch64\.toml:8: base\.phys_cpu_ids\[0\]: .*0x3", out), out
    assert "Creating VM [7]" not in out, out
    assert 'Creating VM [1] "hello"' in out, out
    assert "[vm1] Hello from a Tessera guest on aarch64!" in out, out


def test_malformed_config_stops_the_build_naming_file_line_and_key(root):
    import subprocess
    r = subprocess.run(["make", "-s", f"ARCH={ARCH}", "BUILD=build/e2e-aarch64-overlap", "OBJ_BUILD=build/e2e-objects-aarch64-info",
                        "VM_CONFIGS=tests/e2e/configs/bad-overlap-aarch64.toml"],
                       cwd=root, capture_output=True, text=True)
    assert r.returncode != 0
    assert ("bad-overlap-aarch64.toml:16: kernel.memory_regions[1]: overlaps memory_regions[0] "
            "(0x40000000..0x41000000)") in r.stderr, r.stderr


def test_timer_and_sgi_interrupts_through_the_vgic():
    b = run_vms("timer", [f"{GUESTS}/timer.toml"])
    out = b.output
    assert "VM[1] timer: vGICv3, distributor 0x8000000, redistributors 0x80a0000" in out, out
    assert "[vm1] timer guest: 5 virtual timer interrupts, 3 physical timer interrupts, 1 SGI" in out, out
    # Disabled in the redistributor after four ticks the exit path injected by itself (guest.S's
    # guest_irq_exit): none while disabled, the pending one once enabled again.
    assert "[vm1] timer guest: 0 virtual timer interrupts while disabled, 1 once enabled again" in out, out


def test_ipa_size_follows_the_config_and_the_cpu():
    """Below 512 GiB a 39-bit stage 2 suffices; RAM at 1 TiB needs the CPU's PARange (44 bits on
    a Cortex-A72); a Cortex-A53 (40 bits) cannot give it, and that VM alone is refused."""
    b = run_vms("highmem", [f"{GUESTS}/highmem.toml"])
    assert "VM[1] highmem: stage 2 with 44-bit IPAs from level 0" in b.output, b.output
    assert "[vm1] highmem guest: 512 of 512 words read back at 1 TiB" in b.output, b.output
    # Its RAM at 1 TiB is not executable: a call there is an instruction abort, given once (RAM
    # that is not RWX is cleared up front, so the fault is not taken for a first touch).
    assert "[vm1] highmem guest: caught exception class 0x21" in b.output, b.output
    assert "[vm1] highmem guest: 1 instruction abort(s) calling into RAM that is not executable" in b.output, b.output
    b = run_vms("hello", [f"{GUESTS}/hello.toml"])
    assert "VM[1] hello: stage 2 with 39-bit IPAs from level 1" in b.output, b.output
    b = run_vms("highmem", [f"{GUESTS}/highmem.toml"], qemu_args="-cpu cortex-a53")
    assert re.search(r"error: VM\[1\] highmem: guest-physical addresses up to 0x10000200000, "
                     r"but this CPU offers 40-bit IPAs", b.output), b.output
    assert "VM[1] highmem: not started" in b.output, b.output
    assert "Hypervisor done: powering off" in b.output, b.output


def test_passthrough_uart_interrupt():
    """interrupt_mode = "passthrough": the VM owns the real PL011 and its SPI; typed characters
    raise the physical interrupt, which reaches the guest through its vGIC and is re-armed after
    the guest's EOI."""
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-uartirq", vm_configs=[f"{GUESTS}/uartirq.toml"])
    b = boot(ARCH, smp=2, image=image, dialogue=[(r"type a line> ", "passthrough "),
                                                 (r"\[interrupt 1: \d+ characters\]", "works\r")])
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    assert "VM[1] uartirq: physical SPI 33 passed through" in out, out
    # Its distributor offers the lines of its devices only: INTIDs 0-63, not all 288 (the UART is
    # its own: no [vm1] tag).
    assert "uartirq guest: the distributor has 64 INTIDs" in out, out
    assert "a VM owns the console UART's interrupt" in out, out
    assert re.search(r"uartirq guest: PASSTHROUGH WORKS \([2-9]\d* interrupts\)", out), out


def test_console_input_reaches_the_focused_vm():
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-echo", vm_configs=[f"{GUESTS}/echo.toml"])
    b = boot(ARCH, smp=2, image=image, dialogue=[(r"type a line> ", "hello tessera\r")])
    assert "Console input goes to VM[1] echo" in b.output, b.output
    assert "[vm1] echo guest: HELLO TESSERA" in b.output, b.output
    assert b.exit_status == 0 and not b.timed_out


def test_gicv2_host_gives_the_guest_a_gicv2():
    image = build_image(ARCH, build_dir=f"build/e2e-{ARCH}-timer-v2", vm_configs=[f"{GUESTS}/timer_v2.toml"])
    b = boot(ARCH, smp=2, image=image, env_extra={"GIC": "2"})
    out = b.output
    assert not b.timed_out and b.exit_status == 0, out
    assert "Interrupt controller: GICv2" in out, out
    assert "VM[1] timer-v2: vGICv2, distributor 0x8000000, CPU interface 0x8010000 (GICV 0x8040000)" in out, out
    assert "[vm1] timer guest (GICv2): 5 virtual timer interrupts, 3 physical timer interrupts, 1 SGI" in out, out
    assert "[vm1] timer guest (GICv2): 0 virtual timer interrupts while disabled, 1 once enabled again" in out, out


def test_mmio_through_every_register_gives_the_same_results():
    """x0-x18 take the quick exit path, x19-x29 the full one: the same accesses through both."""
    b = run_vms("mmioregs", [f"{GUESTS}/mmioregs.toml"])
    out = b.output
    assert "[vm1] mmioregs: ldrb x5 0x11 x20 0x11" in out, out
    assert "[vm1] mmioregs: ldrsb x x5 0xfffffffffffffff0 x20 0xfffffffffffffff0" in out, out
    assert "[vm1] mmioregs: ldrsb w x5 0xfffffff0 x20 0xfffffff0" in out, out
    assert "[vm1] mmioregs: str/ldr x5 0x40 x20 0x10" in out, out
    assert "[vm1] mmioregs: str wzr x5 0x0 x20 0x0" in out, out
    assert "[vm1] mmioregs: unclaimed loads aborted 2 times" in out, out
    assert "VM[1] mmioregs: the guest powered off" in out, out


def test_loads_and_stores_without_syndrome_are_emulated():
    """Writeback (pre/post-index) loads and stores to an emulated device give a data abort without
    syndrome (ISV = 0): Tessera reads and decodes the guest's instruction, does the access and
    writes the base back. The guest checks each against a plain LDR/STR and its base against what
    the CPU would leave; a pair and a writeback into the loaded register still abort."""
    b = run_vms("writeback", [f"{GUESTS}/writeback.toml"])
    out = b.output
    assert "[vm1] writeback: 28 accesses checked, 0 wrong; 2 of 2 refused forms aborted, 0 aborts elsewhere" in out, out
    assert "VM[1] writeback: the guest powered off" in out, out
    # The refused forms are logged as such (two of the VM's fault lines).
    assert "data abort without syndrome: not a load or store of one general-purpose register" in out, out


def test_a_vm_without_a_console_gets_one():
    """Two VMs whose configs name no console: each gets an emulated UART where the machine usually
    has one, says so, and what each guest prints is shown, tagged with its VM."""
    b = run_vms("noconsole", ["tests/e2e/configs/noconsole-one-aarch64.toml", "tests/e2e/configs/noconsole-two-aarch64.toml"])
    out = b.output
    for vm, name in ((1, "quiet-one"), (2, "quiet-two")):
        assert f"VM[{vm}] {name}: its config names no console, so it gets one: an emulated pl011 at 0x9000000, interrupt 33" in out, out
        assert f"[vm{vm}] Hello from a Tessera guest on aarch64!" in out, out
        assert f"VM[{vm}] {name}: the guest powered off" in out, out
