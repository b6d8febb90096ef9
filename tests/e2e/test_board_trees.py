# SPDX-License-Identifier: Apache-2.0
"""Real boards' device trees, on the host (issue 18): Debian's arm64 kernel package carries the
trees of the boards AxVisor names (and the ZynqMP boards of test_zcu102.py); the hypervisor's own platform parser (src/kernel/platform_fdt.c,
in `vmconfig platform`) must find in each what the bring-up needs (CPUs and their MPIDRs, the GIC
and its version and windows, the timer, the console UART with its register layout), and name what
it could not drive (nothing, today, on these boards). Then the RK3568 example configs (configs/boards/rk3568/) must pass `vmconfig check
--platform` against every RK3568 tree, and a config with every mistake must fail on each, naming the
line. The same for the RK3588, whose trees come with Debian trixie's kernel. No QEMU: the trees are
read as the hypervisor would read them at boot."""
import glob
import os
import re
import subprocess

import pytest

from conftest import ROOT

VMCONFIG = os.path.join(ROOT, "build/host/tools/vmconfig")


def board_tree_dir(suite, tree):
    """The directory of the trees of Debian <suite>'s linux-image-arm64 (scripts/board-tree.sh
    fetches it into the cache once), found through one of its trees."""
    path = subprocess.run([os.path.join(ROOT, "scripts/board-tree.sh"), tree], env=dict(os.environ, SUITE=suite),
                          check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["make", "-s", "tools"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return os.path.dirname(os.path.dirname(path))


@pytest.fixture(scope="module")
def trees():
    return board_tree_dir("bookworm", "xilinx/zynqmp-zcu102-rev1.0.dtb")


@pytest.fixture(scope="module")
def trixie_trees():
    """Debian trixie's 6.12: the RK3588 boards, which bookworm's 6.1 does not have."""
    return board_tree_dir("trixie", "rockchip/rk3588-rock-5b.dtb")


def platform(tree):
    r = subprocess.run([VMCONFIG, "platform", tree], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return r.returncode, r.stdout


def drivable(directory, pattern, at_least):
    """(tree, what vmconfig platform printed) for each tree matching, each of them fully drivable."""
    found = sorted(glob.glob(os.path.join(directory, pattern)))
    assert len(found) >= at_least, found
    for tree in found:
        status, out = platform(tree)
        assert status == 0, f"{tree}:\n{out}"
        yield tree, out


def check_configs_against(directory, pattern, configs_dir):
    """The example configs pass vmconfig check --platform against every tree matching, silently."""
    configs = sorted(glob.glob(os.path.join(ROOT, configs_dir, "*.toml")))
    assert len(configs) == 2, configs
    for tree in sorted(glob.glob(os.path.join(directory, pattern))):
        r = subprocess.run([VMCONFIG, "check", "--platform", tree] + configs, capture_output=True, text=True)
        assert r.returncode == 0 and r.stderr == "", f"{tree}:\n{r.stderr}"


def test_every_rk3568_tree_has_what_tessera_drives(trees):
    for tree, out in drivable(trees, "rockchip/rk3568-*.dtb", 4):
        assert "cpus: 4: 0 0x100 0x200 0x300\n" in out, out                    # Cortex-A55 MPIDRs
        assert "interrupt controller: arm,gic-v3 (GICv3) 0xfd400000+0x10000 0xfd460000+0x80000" in out, out
        assert "timer: arm,armv8-timer, hypervisor PPI 26, virtual PPI 27" in out, out
        # The debug UART, a Synopsys DesignWare 16550 with 32-bit registers 4 bytes apart.
        assert "console: ns16550 at 0xfe660000, reg-shift 2, reg-io-width 4, interrupt 150 (stdout-path)" in out, out
        # RAM is the boot loader's to describe: these trees have none of their own.
        assert "memory: none in the tree (the boot loader must add it)" in out, out


def test_every_zynqmp_tree_has_what_tessera_drives(trees):
    for tree, out in drivable(trees, "xilinx/*.dtb", 20):
        # Four Cortex-A53s with their MPIDRs, a GIC-400 (GICv2: distributor, CPU interface, then
        # the hypervisor's and the virtual CPU interfaces), the generic timer.
        assert "cpus: 4: 0 0x1 0x2 0x3\n" in out, out
        assert ("interrupt controller: arm,gic-400 (GICv2) 0xf9010000+0x10000 0xf9020000+0x20000 "
                "0xf9040000+0x20000 0xf9060000+0x20000") in out, out
        assert "timer: arm,armv8-timer, hypervisor PPI 26, virtual PPI 27" in out, out
        # The console on a Cadence UART, UART0 or (the Kria SOMs) UART1.
        assert re.search(r"^console: cadence at 0xff0[01]0000, reg-shift 0, reg-io-width 1, interrupt 5[34] "
                         r"\(stdout-path\)$", out, re.M), out


def test_zcu102_memory_and_cpus(trees):
    status, out = platform(os.path.join(trees, "xilinx/zynqmp-zcu102-rev1.0.dtb"))
    assert "platform: ZynqMP ZCU102 Rev1.0 (xlnx,zynqmp-zcu102-rev1.0)" in out, out
    assert "memory: [0, 0x80000000) [0x800000000, 0x880000000) 4096 MiB" in out, out
    assert "cpus: 4: 0 0x1 0x2 0x3" in out, out


def test_every_rockchip_tree_is_read_and_what_is_missing_named(trees):
    """All of Rockchip's boards in the package (RK33xx, RK35xx, PX30, ...): each is read; where
    something cannot be driven, the line names it."""
    found = sorted(glob.glob(os.path.join(trees, "rockchip/*.dtb")))
    assert len(found) >= 70, len(found)
    for tree in found:
        status, out = platform(tree)
        for line in re.findall(r"^cannot drive: (.*)$", out, re.M):
            assert re.match(r"(console UART \S+ \(stdout-path \S+\)|interrupt controller \S+|timer): \S", line), out
        assert status == (1 if "cannot drive" in out else 0), out


def test_rk3568_example_configs_pass_against_every_rk3568_tree(trees):
    check_configs_against(trees, "rockchip/rk3568-*.dtb", "configs/boards/rk3568")


def test_every_rk3588_tree_has_what_tessera_drives(trixie_trees):
    for tree, out in drivable(trixie_trees, "rockchip/rk3588*.dtb", 20):
        # Four Cortex-A55 and four Cortex-A76, a GICv3 (its trees use the four-cell interrupt
        # specifiers of the PPI-partition binding), the debug UART (UART2, or UART9 on the RK1).
        assert "cpus: 8: 0 0x100 0x200 0x300 0x400 0x500 0x600 0x700\n" in out, out
        assert "interrupt controller: arm,gic-v3 (GICv3) 0xfe600000+0x10000 0xfe680000+0x100000" in out, out
        assert "timer: arm,armv8-timer, hypervisor PPI 26, virtual PPI 27" in out, out
        assert re.search(r"^console: ns16550 at 0xfeb(50|c0)000, reg-shift 2, reg-io-width 4, interrupt 3(65|72) "
                         r"\(stdout-path\)$", out, re.M), out


def test_rk3588_example_configs_pass_against_every_rk3588_tree(trixie_trees):
    check_configs_against(trixie_trees, "rockchip/rk3588*.dtb", "configs/boards/rk3588")


def test_a_config_with_every_mistake_is_refused_naming_each_line(trees):
    bad = "tests/e2e/configs/boards/bad-rk3568-aarch64.toml"
    r = subprocess.run([VMCONFIG, "check", "--platform", os.path.join(trees, "rockchip/rk3568-rock-3a.dtb"), bad],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines() == [
        f"{bad}:9: base.phys_cpu_ids[0]: no physical CPU has hardware id 0x400",
        f"{bad}:21: devices.passthrough_devices[0]: '/serial@fe999000' is not in rk3568-rock-3a.dtb",
        f"{bad}:22: devices.passthrough_devices[1]: [0xfe990000, +0x1000) is no device's window in rk3568-rock-3a.dtb",
        f"{bad}:23: devices.passthrough_devices[2]: interrupt 151 is not one of serial@fe660000's in rk3568-rock-3a.dtb",
        f"{bad}:25: devices.excluded_devices[0]: '/gpu@fde00000' is not in rk3568-rock-3a.dtb",
    ], r.stderr


def test_a_device_given_to_two_vms_is_named_on_the_line_that_gives_it():
    """One VM passes the whole board and excludes nothing; another passes the watchdog and the ADC
    by address: both are named, with the other config's line (the hypervisor would refuse the
    second claim at boot; this finds it on the host)."""
    greedy = "tests/e2e/configs/boards/greedy-rk3568-aarch64.toml"
    rtos = "configs/boards/rk3568/arceos-rk3568-aarch64.toml"
    tree = subprocess.run([os.path.join(ROOT, "scripts/board-tree.sh"), "rockchip/rk3568-rock-3a.dtb"],
                          check=True, capture_output=True, text=True).stdout.strip()
    r = subprocess.run([VMCONFIG, "check", "--platform", tree, greedy, rtos], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines() == [
        f"{rtos}:26: devices.passthrough_devices[0]: /watchdog@fe600000 is also VM 1's ({greedy}:20): a device has one owner",
        f"{rtos}:27: devices.passthrough_devices[1]: /saradc@fe720000 is also VM 1's ({greedy}:20): a device has one owner",
    ], r.stderr
