# SPDX-License-Identifier: Apache-2.0
# Host unit tests: UNIT_TESTS += name; unit-srcs-name := the sources tests/unit/test_name.c needs.
UNIT_TESTS += format
unit-srcs-format := src/lib/format.c
UNIT_TESTS += frame_allocator
unit-srcs-frame_allocator := src/kernel/frame_allocator.c
UNIT_TESTS += heap_allocator
unit-srcs-heap_allocator := src/kernel/heap_allocator.c
UNIT_TESTS += queues
unit-srcs-queues := src/kernel/runqueue.c src/kernel/timer_queue.c
# Kernel code that reaches its per-CPU block: the host's stand-in for arch_impl/cpu.h.
UNIT_TESTS += timer_rescue
unit-srcs-timer_rescue := src/kernel/timer.c src/kernel/timer_queue.c
UNIT_TESTS += fdt
unit-srcs-fdt := src/lib/fdt.c src/kernel/platform_fdt.c $(HOST_BUILD)/unit/sample.dtb

UNIT_TESTS += toml
unit-srcs-toml := src/lib/toml.c src/lib/format.c

UNIT_TESTS += vmconfig
unit-srcs-vmconfig := src/lib/toml.c src/lib/format.c src/vmm/config_parse.c src/vmm/config_validate.c \
	src/vmm/config_common.c

UNIT_TESTS += example_configs
unit-srcs-example_configs := tools/vmconfig/show.c src/lib/toml.c src/lib/format.c src/vmm/config_parse.c \
	src/vmm/config_validate.c src/vmm/config_common.c

UNIT_TESTS += vmm_config
unit-srcs-vmm_config := src/vmm/vmm_config.c src/lib/toml.c src/lib/format.c src/vmm/config_parse.c \
	src/vmm/config_validate.c src/vmm/config_common.c

UNIT_TESTS += x86_decode
unit-srcs-x86_decode := src/virt/x86_64/insn_decode.c
UNIT_TESTS += fdt_write
unit-srcs-fdt_write := src/lib/fdt_write.c src/lib/fdt.c src/lib/format.c
UNIT_TESTS += device_bus
unit-srcs-device_bus := src/vmm/device_bus.c

UNIT_TESTS += fat32
unit-srcs-fat32 := src/fs/fat32.c src/lib/format.c
# riscv64 trapped load/store decoder, against encodings clang-14 assembles on the host.
UNIT_TESTS += riscv_decode
unit-srcs-riscv_decode := src/virt/riscv64/include/virt_impl/insn_decode.h $(HOST_BUILD)/unit/riscv_decode_insns.h
$(HOST_BUILD)/unit/riscv_decode_insns.h: tests/unit/data/riscv_decode_insns.S
	@mkdir -p $(dir $@)
	clang-14 --target=riscv64-unknown-elf -march=rv64imafdc -c $< -o $(HOST_BUILD)/unit/riscv_decode_insns.o
	llvm-objcopy-14 -O binary -j .text $(HOST_BUILD)/unit/riscv_decode_insns.o $(HOST_BUILD)/unit/riscv_decode_insns.bin
	{ echo 'static const unsigned char RISCV_DECODE_INSNS[] = {'; \
	  od -An -v -tx1 $(HOST_BUILD)/unit/riscv_decode_insns.bin | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '};'; } > $@
# aarch64 loads and stores decoded for data aborts without syndrome, against encodings clang-14
# assembles on the host.
UNIT_TESTS += aarch64_decode
unit-srcs-aarch64_decode := src/virt/aarch64/include/virt_impl/insn_decode.h $(HOST_BUILD)/unit/aarch64_decode_insns.h
$(HOST_BUILD)/unit/aarch64_decode_insns.h: tests/unit/data/aarch64_decode_insns.S
	@mkdir -p $(dir $@)
	clang-14 --target=aarch64-unknown-elf -c $< -o $(HOST_BUILD)/unit/aarch64_decode_insns.o
	llvm-objcopy-14 -O binary -j .text $(HOST_BUILD)/unit/aarch64_decode_insns.o $(HOST_BUILD)/unit/aarch64_decode_insns.bin
	{ echo 'static const unsigned char AARCH64_DECODE_INSNS[] = {'; \
	  od -An -v -tx1 $(HOST_BUILD)/unit/aarch64_decode_insns.bin | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '};'; } > $@
# The 8254 PIT's counters (pure model; the VM glue is src/vdev/x86_pit.c).
UNIT_TESTS += i8254
unit-srcs-i8254 := src/vdev/i8254.c
# The ChaCha20 block function behind the entropy pool, against RFC 8439's test vector.
UNIT_TESTS += chacha20
unit-srcs-chacha20 := src/lib/chacha20.c
# The entropy pool: seeded from a device tree's rng-seed, fresh bytes for every request.
UNIT_TESTS += entropy
unit-srcs-entropy := src/kernel/entropy.c src/lib/chacha20.c src/lib/fdt.c src/lib/fdt_write.c src/lib/format.c
# Device-tree passthrough: which host nodes a VM gets, and the guest tree they make.
UNIT_TESTS += dt_passthrough
unit-srcs-dt_passthrough := src/vmm/dt_passthrough.c src/lib/fdt.c src/lib/fdt_write.c src/lib/format.c $(HOST_BUILD)/unit/board.dtb
# Ownership of host MMIO pages and interrupts between the hypervisor and the VMs.
UNIT_TESTS += host_resources
unit-srcs-host_resources := src/vmm/host_resources.c src/lib/format.c
# The VMID/ASID allocator.
UNIT_TESTS += id_pool
unit-srcs-id_pool := src/lib/id_pool.c
# The guest page-table walker, with made-up descriptor formats (the test provides frame_alloc).
UNIT_TESTS += gpt
unit-srcs-gpt := src/virt/gpt.c

# The guest-facing virtio-blk device and ring walker, over a host-buffer VM (vdev_env.c).
UNIT_TESTS += virtio_blk
unit-srcs-virtio_blk := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_blk.c \
	tests/unit/vdev_env.c tests/unit/fake_clock.c
# The guest-facing virtio console: output to the VM's console, typed input into the driver's buffers.
UNIT_TESTS += virtio_console
unit-srcs-virtio_console := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_console.c \
	tests/unit/vdev_env.c
# The guest-facing virtio-input power button: its configuration space and its events.
UNIT_TESTS += virtio_input
unit-srcs-virtio_input := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_input.c \
	tests/unit/vdev_env.c
# The guest-facing virtio-net device on the hypervisor's switch: forwarding, drops, storm limit.
UNIT_TESTS += virtio_net
unit-srcs-virtio_net := src/vdev/virtio/vring.c src/vdev/virtio/virtio_vdev.c src/vdev/virtio/virtio_net.c \
	src/vdev/vswitch.c tests/unit/vdev_env.c
UNIT_TESTS += partitions
unit-srcs-partitions := src/fs/partitions.c
UNIT_TESTS += pci_bus
unit-srcs-pci_bus := src/vmm/pci_bus.c

# A VM's console output (tags, history, budget) on the real console over a buffer UART.
UNIT_TESTS += vm_console
unit-srcs-vm_console := src/vmm/vm_console.c src/kernel/console.c src/lib/format.c
UNIT_TESTS += console_focus
unit-srcs-console_focus := src/vmm/console_focus.c
# A supplied device tree (dtb_path) made to describe its VM, and the trees it refuses.
UNIT_TESTS += vm_dtb_supplied
unit-srcs-vm_dtb_supplied := src/vmm/vm_dtb_supplied.c src/vmm/vm_dtb.c src/lib/fdt.c src/lib/fdt_write.c src/lib/format.c
