# SPDX-License-Identifier: Apache-2.0
"""aarch64 guests and configs from a FAT32 disk (virtio-blk over virtio-mmio): the checks are in
disk_helpers.DiskTests, shared with the other arches; here only what aarch64 prints."""
from disk_helpers import DiskArch, DiskTests


class TestAarch64Disk(DiskTests):
    A = DiskArch(
        arch="aarch64",
        disk_device="virtio-mmio@0xa003e00",  # QEMU virt's last transport: the first device created
        hypercall_line="[vm3] hypercall: Tessera version 0.1.0, VM id 3, PSCI version 0x10001",
        load_address="0x40080000",
    )
