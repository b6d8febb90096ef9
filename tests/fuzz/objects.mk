# SPDX-License-Identifier: Apache-2.0
# Fuzz targets: FUZZ_TARGETS += name; fuzz-srcs-name := sources; seed corpus in tests/fuzz/corpus/name/.

FUZZ_TARGETS += vmconfig
fuzz-srcs-vmconfig := src/lib/toml.c src/lib/format.c src/vmm/config_parse.c src/vmm/config_validate.c \
	src/vmm/config_common.c

FUZZ_TARGETS += x86_decode
fuzz-srcs-x86_decode := src/virt/x86_64/insn_decode.c
FUZZ_TARGETS += fat32
fuzz-srcs-fat32 := src/fs/fat32.c src/lib/format.c
FUZZ_TARGETS += riscv_decode
fuzz-srcs-riscv_decode := src/virt/riscv64/include/virt_impl/insn_decode.h
FUZZ_TARGETS += aarch64_decode
fuzz-srcs-aarch64_decode := src/virt/aarch64/include/virt_impl/insn_decode.h

FUZZ_TARGETS += fdt
fuzz-srcs-fdt := src/lib/fdt.c src/kernel/platform_fdt.c

FUZZ_TARGETS += virtio_blk
fuzz-srcs-virtio_blk := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_blk.c \
	tests/unit/vdev_env.c tests/unit/fake_clock.c
FUZZ_TARGETS += virtio_net
fuzz-srcs-virtio_net := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_net.c \
	src/vdev/vswitch.c tests/unit/vdev_env.c
FUZZ_TARGETS += partitions
fuzz-srcs-partitions := src/fs/partitions.c
