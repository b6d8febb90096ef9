/* SPDX-License-Identifier: Apache-2.0 */
/* Guest memory: backing each configured region (allocated, identical or reserved host memory),
 * mapping it in the guest page tables, and copying between the host and guest RAM. */
#include "vmm/vm.h"
#include "vmm/vm_internal.h"
#include "arch/cpu.h"
#include "virt/arch_vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

static unsigned permissions_of(uint64_t flags)
{
	unsigned p = 0;
	if (flags & VM_MEMORY_READ)
		p |= GPT_READ;
	if (flags & VM_MEMORY_WRITE)
		p |= GPT_WRITE;
	if (flags & VM_MEMORY_EXECUTE)
		p |= GPT_EXECUTE;
	if (flags & (VM_MEMORY_DEVICE | VM_MEMORY_UNCACHED))
		p |= GPT_DEVICE;
	return p;
}

/* Backs and maps one configured region. Device regions are host MMIO given to the guest (GPA = HPA)
 * and are not guest RAM. */
static int setup_region(struct vm *vm, const struct vm_memory_region *region)
{
	uint64_t frames = region->size / PAGE_SIZE;
	unsigned permissions = permissions_of(region->flags);
	hpa_t hpa = region->gpa;
	bool allocated = false;
	if (region->flags & VM_MEMORY_DEVICE) {
		/* host MMIO passed through: nothing to back, but its pages must be the VM's */
		int err = vm_claim_host_resource(vm, HOST_MMIO, region->gpa, region->size, "device memory region");
		if (err < 0)
			return err;
	} else if (region->map_type == VM_MAP_ALLOCATE) {
		size_t align = (region->size >= MiB(2) && IS_ALIGNED(region->gpa, MiB(2))) ? MiB(2) / PAGE_SIZE : 1;
		size_t cleared;
		hpa = frame_alloc_zeroed_counted((size_t)frames, align, &cleared);
		vm->ram_cleared_bytes += (uint64_t)cleared * PAGE_SIZE;
		if (!hpa) {
			vm_log_error(vm, "no memory for region [%#llx, +%#llx) (%llu MiB free)",
				     (unsigned long long)region->gpa, (unsigned long long)region->size,
				     (unsigned long long)(frames_free() * PAGE_SIZE >> 20));
			return -ENOMEM;
		}
		allocated = true;
	} else if (frame_claim(region->gpa, (size_t)frames) < 0) {
		vm_log_error(vm, "region [%#llx, +%#llx) must be GPA = HPA, but that host memory is not free RAM",
			     (unsigned long long)region->gpa, (unsigned long long)region->size);
		return -EBUSY;
	} else {
		allocated = true; /* claimed: returned to the allocator when the VM goes */
	}
	int err = arch_gpt_map(vm, region->gpa, hpa, region->size, permissions);
	if (err < 0) {
		if (allocated)
			frame_free(hpa, (size_t)frames);
		vm_log_error(vm, "cannot map [%#llx, +%#llx): %d",
			     (unsigned long long)region->gpa, (unsigned long long)region->size, err);
		return err;
	}
	if (!(region->flags & VM_MEMORY_DEVICE)) {
		vm->ram[vm->ram_count++] = (struct vm_ram){ region->gpa, hpa, region->size, permissions, allocated };
		vm->ram_bytes += region->size;
		/* Allocated RAM comes zeroed; memory taken at a fixed address is cleared here. */
		if (region->map_type != VM_MAP_ALLOCATE) {
			vm_clear_ram(&vm->ram[vm->ram_count - 1]);
			vm->ram_cleared_bytes += region->size;
		}
	}
	return 0;
}

static int setup_regions(struct vm *vm, bool ram_only)
{
	const struct vm_config *config = vm->config;
	vm->ram_bytes = 0;
	vm->ram_cleared_bytes = 0;
	for (size_t i = 0; i < config->kernel.memory_region_count; i++) {
		const struct vm_memory_region *region = &config->kernel.memory_regions[i];
		if (ram_only && (region->flags & VM_MEMORY_DEVICE))
			continue;
		int err = setup_region(vm, region);
		if (err < 0)
			return err;
	}
	return 0;
}

int vm_setup_memory(struct vm *vm)
{
	return setup_regions(vm, false);
}

int vm_setup_ram(struct vm *vm)
{
	return setup_regions(vm, true);
}

void vm_clear_ram(const struct vm_ram *ram)
{
	/* A guest must never see what an earlier guest or the hypervisor left in these frames. */
	arch_zero_memory(phys_to_virt(ram->hpa), ram->size);
}

void vm_release_memory(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ram_count; i++) {
		/* Unmapped first: the frames may go to another VM next. Frames the VM may still reach
		 * (the unmap failed) are kept from the allocator for good. */
		int err = arch_gpt_unmap(vm, vm->ram[i].gpa, vm->ram[i].size);
		if (err < 0)
			vm_log_error(vm, "cannot unmap RAM %#llx+%#llx (%d): its frames are kept",
				     (unsigned long long)vm->ram[i].gpa, (unsigned long long)vm->ram[i].size,
				     err);
		else if (vm->ram[i].allocated)
			frame_free(vm->ram[i].hpa, (size_t)(vm->ram[i].size / PAGE_SIZE));
	}
	vm->ram_count = 0;
}

/* The host address of guest RAM at gpa with at least *len bytes contiguous, or NULL. */
static void *guest_ram_at(struct vm *vm, gpa_t gpa, size_t *len)
{
	for (unsigned i = 0; i < vm->ram_count; i++) {
		const struct vm_ram *r = &vm->ram[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			uint64_t left = r->size - (gpa - r->gpa);
			if (*len > left)
				*len = (size_t)left;
			return phys_to_virt(r->hpa + (gpa - r->gpa));
		}
	}
	return NULL;
}

void *vm_guest_ram(struct vm *vm, gpa_t gpa, uint64_t length)
{
	if (length == 0 || gpa + length < gpa)
		return NULL;
	size_t span = (size_t)length;
	void *host = guest_ram_at(vm, gpa, &span);
	return host && span == length ? host : NULL;
}

int vm_copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t size)
{
	const uint8_t *from = src;
	while (size) {
		size_t chunk = size;
		void *to = guest_ram_at(vm, gpa, &chunk);
		if (!to)
			return -EFAULT;
		memcpy(to, from, chunk);
		from += chunk;
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}

int vm_copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t size)
{
	uint8_t *to = dst;
	while (size) {
		size_t chunk = size;
		const void *from = guest_ram_at(vm, gpa, &chunk);
		if (!from)
			return -EFAULT;
		memcpy(to, from, chunk);
		to += chunk;
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}
