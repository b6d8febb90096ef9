# SPDX-License-Identifier: Apache-2.0
"""Three Debian Linux VMs with Tessera's virtio-net (emu_type 0xE2), each loading the kernel's own
virtio_net module: VMs 1 and 2 are on switch segment "lan"; VM 3's eth0 is alone on segment "b".
1 and 2 configure link-local addresses, ping each other, and VM 2 sends VM 1 32 MiB through busybox
nc: the md5 of what arrived is the md5 of what was sent. VM 3 pings VM 1 through eth0 while VM 1 is
up and gets no answer, and eth0 receives nothing (the switch's counters at power-off). Meanwhile
VM 3's second NIC, eth1, on "lan" with no address, floods it with broadcast frames
(tests/guests/linux/flood/): the exchange completes all the same, and the switch's storm limit
drops the flood's excess at VM 3's port."""
import os
import re

import pytest

import linux_helpers
from linux_helpers import prepare_linux

# A free window and interrupt beside each arch's Linux config's devices (as for virtio-blk).
WINDOW = {
    "aarch64": "0x0a00_0000, 0x200, 0x30",
    "riscv64": "0x1000_1000, 0x200, 1",
    "x86_64": "0xfebf_0000, 0x4000, 11",  # virtio-pci: the BAR, INTA# on ISA IRQ 11
}
# VM 3's second NIC, beside the first.
SECOND_WINDOW = {
    "aarch64": "0x0a00_0200, 0x200, 0x31",
    "riscv64": "0x1000_2000, 0x200, 2",
    "x86_64": "0xfebe_0000, 0x4000, 10",
}
MIB = 32
FLOOD_SECONDS = 30
# VM 3's flooding NIC's storm limit (its second config word), far under what the flood sends even
# on a loaded host (1100 frames a second in the slowest run seen, x86_64 beside other tests; the
# default limit, 2000, let that all through), so that the limit's work shows on every run. The
# default is the unit tests' (tests/unit/test_virtio_net.c).
FLOOD_LIMIT = 100


def vm_config(arch, linux_dir, vm_id, cpu, segment, cmdline, flood_segment=None):
    def edit(text):
        text = text.replace("id = 1\n", f"id = {vm_id}\n", 1).replace('name = "linux"', f'name = "linux{vm_id}"', 1)
        return re.sub(r"phys_cpu_ids = \[[^\]]*\]", f"phys_cpu_ids = [{cpu:#x}]", text, count=1)
    device = f'["eth0@{segment}", {WINDOW[arch]}, 0xE2, []],'
    if flood_segment:
        device += f'\n    ["eth1@{flood_segment}", {SECOND_WINDOW[arch]}, 0xE2, [0, {FLOOD_LIMIT}]],'
    return linux_helpers.derive_config(linux_dir, "linux-1cpu.toml", f"linux-net{vm_id}", device, cmdline, edit)


# x86_64 runs on QEMU's single-threaded TCG (`make e2e-net-x86` runs it multi-threaded, as the
# other tests run): with the two host CPUs emulated by two threads at once, a CPU now and then
# cannot read its own IDT at a world switch -- the receiving guest right after VMRUN (CR2 = its IDT
# + 0x80, with its page tables and EFER intact) or the hypervisor right after #VMEXIT (CR2 = the
# hypervisor's IDT + 0x80) -- and triple-faults. Measured 2026-12-05 on this machine: 9 failures in
# 30 multi-threaded runs with VMs on both CPUs, none in 10 single-threaded runs and none in 8
# multi-threaded runs with all three VMs on one CPU. Whether QEMU's multi-threaded TCG or a race
# of Tessera's causes it is not settled (issue 15).
SINGLE_THREADED_TCG = {"x86_64": "" if os.environ.get("TESSERA_NET_X86") else "-accel tcg,thread=single"}


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_two_vms_on_a_switch_talk_and_a_third_on_another_segment_hears_nothing(arch):
    linux_dir = prepare_linux(arch)
    configs = [
        vm_config(arch, linux_dir, 1, 0, "lan",
                  "tessera.net=169.254.0.1/16 tessera.ping=169.254.0.2 tessera.nc.listen=5000"),
        vm_config(arch, linux_dir, 2, 1, "lan",
                  f"tessera.net=169.254.0.2/16 tessera.ping=169.254.0.1 tessera.nc.send=169.254.0.1:5000:{MIB}"),
        vm_config(arch, linux_dir, 3, 1, "b", "tessera.net=169.254.0.3/16 tessera.ping=169.254.0.1 tessera.ping.wait=20 "
                  f"tessera.flood=eth1:{FLOOD_SECONDS}", flood_segment="lan"),
    ]
    b = linux_helpers.boot_linux(arch, "linux-net", configs, smp=2, mem="2G", timeout=420,
                                 qemu_args=SINGLE_THREADED_TCG.get(arch, ""))
    out = b.output
    assert ("VM[3] linux3: eth1@lan: virtio-net on switch lan, MAC 02:74:73:00:03:01, "
            f"at most {FLOOD_LIMIT} broadcast/multicast frames a second") in out, out
    for vm, mac in ((1, "02:74:73:00:01:00"), (2, "02:74:73:00:02:00"), (3, "02:74:73:00:03:00")):
        segment = "b" if vm == 3 else "lan"
        assert f"VM[{vm}] linux{vm}: eth0@{segment}: virtio-net on switch {segment}, MAC {mac}" in out, out
        assert f"[vm{vm}] tessera-linux: eth0 {mac} up, 169.254.0.{vm}/16, mtu 1500" in out, out
        assert re.search(rf"\[vm{vm}\] tessera-linux: virtio device virtio0: 0x0001 \(net\), driver virtio_net", out), out
    # They reach each other. The pings go out while VM 3's flood starts, and a VM busy with it may
    # have no receive buffer for an echo (the switch counts those drops): one answer of three
    # shows the path; the 32 MiB below shows it carries data whole.
    for vm, peer in ((1, 2), (2, 1)):
        answered = re.search(rf"\[vm{vm}\] tessera-linux: ping 169.254.0.{peer}: first answer after \d+ s, (\d) of 3 answered",
                             out)
        assert answered and int(answered.group(1)) >= 1, out
    sent = re.search(rf"\[vm2\] tessera-linux: sent {MIB * 1048576} bytes to 169.254.0.1:5000, md5 ([0-9a-f]{{32}})", out)
    received = re.search(rf"\[vm1\] tessera-linux: received {MIB * 1048576} bytes, md5 ([0-9a-f]{{32}})", out)
    assert sent and received and sent.group(1) == received.group(1), out
    # VM 3 tried while VM 1 was up, and nothing of segment lan reached its NIC.
    assert "[vm3] tessera-linux: ping 169.254.0.1: no answer in 20 s" in out, out
    isolated = out.index("[vm3] tessera-linux: ping 169.254.0.1: no answer in 20 s")
    assert out.index("[vm1] tessera-linux: eth0 ") < isolated, out
    assert re.search(r"VM\[3\] linux3: eth0@b: switch b: \d+ frames sent, 0 received", out), out
    # The flood ran while VM 2 sent, the limit dropped its excess, and VM 1 and 2 lost only floods.
    assert f"[vm3] tessera-linux: flooding eth1 for {FLOOD_SECONDS} s" in out, out
    assert f"[vm2] tessera-linux: sending {MIB} MiB to 169.254.0.1:5000" in out, out
    flood_start = out.index(f"[vm3] tessera-linux: flooding eth1 for {FLOOD_SECONDS} s")
    flood_end = re.search(rf"\[vm3\] tessera-flood: sent (\d+) broadcast frames of 1514 bytes in {FLOOD_SECONDS} s", out)
    sending = out.index(f"[vm2] tessera-linux: sending {MIB} MiB to 169.254.0.1:5000")
    assert flood_end and flood_start < sending < flood_end.start(), out
    # What passed the limit is at most its burst (one second's worth) and its rate for as long as
    # the VM ran (the hypervisor's uptime when it logged the count at the VM's stop).
    port = re.search(r"\[ *(\d+)\.\d+ [^]]*\] VM\[3\] linux3: eth1@lan: switch lan: (\d+) frames sent, \d+ received, "
                     r"\d+ dropped for want of a receive buffer, (\d+) broadcast/multicast over the storm limit", out)
    assert port, out
    uptime, port_sent, over_limit = (int(g) for g in port.groups())
    assert port_sent >= int(flood_end.group(1)) and over_limit > 0, out
    assert port_sent - over_limit <= FLOOD_LIMIT * (1 + uptime + 1), out
    for vm in (1, 2, 3):
        assert f"VM[{vm}] linux{vm}: the guest powered off" in out, out
    assert "needs a reset" not in out and "further driver errors" not in out, out
    # A frame for VM 3 after it stopped (an ARP broadcast) must find its NIC reset, not its old
    # rings in RAM it no longer has.
    assert "outside the VM's RAM" not in out, out
