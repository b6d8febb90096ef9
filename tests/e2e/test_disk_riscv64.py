# SPDX-License-Identifier: Apache-2.0
"""riscv64 guests and configs from a FAT32 disk (virtio-blk over virtio-mmio): the checks are in
disk_helpers.DiskTests, shared with the other arches; here only what riscv64 prints."""
from disk_helpers import DiskArch, DiskTests


class TestRiscv64Disk(DiskTests):
    A = DiskArch(
        arch="riscv64",
        disk_device="virtio-mmio@0x10008000",  # QEMU virt's last transport: the first device created
        hypercall_line=("[vm3] hypercall: Tessera version 0.1.0, VM id 3, hart 0, SBI spec 0x2000000, "
                        "unknown SBI extension -> 2 (negated)"),
        load_address="0x80200000",
    )
