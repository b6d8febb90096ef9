# SPDX-License-Identifier: Apache-2.0
"""x86_64 guests and configs from a FAT32 disk (modern virtio-blk-pci on q35, found by a scan of PCI
bus 0): the checks are in disk_helpers.DiskTests, shared with the other arches; here only what
x86_64 prints."""
from disk_helpers import DiskArch, DiskTests


class TestX86_64Disk(DiskTests):
    A = DiskArch(
        arch="x86_64",
        disk_device="virtio-pci 00:03.0",  # q35: the first free slot after the chipset's devices
        hypercall_line="[vm3] hypercall: Tessera version 0.1.0, VM id 3, unknown call -> 1 (negated)",
        load_address="0x10000",
        never=("VMEXIT_INVALID", "triple fault"),
    )
