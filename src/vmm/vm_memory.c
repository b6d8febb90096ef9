/* SPDX-License-Identifier: Apache-2.0 */
/* Guest memory: backing each configured region (allocated, identical or reserved host memory),
 * mapping it in the guest page tables, and copying between the host and guest RAM. Allocated RAM
 * that may hold data is not cleared when the VM is made or reset: each 2 MiB chunk of it is cleared
 * and mapped where it is first touched, by the guest (a stage-2 fault: EXIT_RAM, vm_ram_touch) or
 * by the hypervisor for it (guest_ram_at: the loader, device models), so a VM starts without
 * waiting for memory it may never use (docs/architecture.md, "Clean memory"). */
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

/* A region's chunks (vm.h, VM_RAM_CHUNK): chunk i spans [chunk_start, chunk_end), aligned in
 * guest-physical space so that each can be one stage-2 block, and clipped to the region. */
static gpa_t chunk_base(const struct vm_ram *r)
{
	return ALIGN_DOWN(r->gpa, VM_RAM_CHUNK);
}

static size_t chunk_index(const struct vm_ram *r, gpa_t gpa)
{
	return (size_t)((gpa - chunk_base(r)) / VM_RAM_CHUNK);
}

static gpa_t chunk_start(const struct vm_ram *r, size_t i)
{
	return MAX(chunk_base(r) + i * VM_RAM_CHUNK, r->gpa);
}

static gpa_t chunk_end(const struct vm_ram *r, size_t i)
{
	return MIN(chunk_base(r) + (i + 1) * VM_RAM_CHUNK, r->gpa + r->size);
}

/* Maps chunks first..last of r, which hold nothing of anyone else's. */
static int map_chunks(struct vm *vm, const struct vm_ram *r, size_t first, size_t last)
{
	gpa_t start = chunk_start(r, first), end = chunk_end(r, last);
	return arch_gpt_map(vm, start, r->hpa + (start - r->gpa), end - start, r->permissions);
}

/* The last chunk of the run of present ones that starts at chunk i (present). */
static size_t end_of_present_run(const struct vm_ram *r, size_t i)
{
	while (i + 1 < r->chunks && r->present[i + 1])
		i++;
	return i;
}

/* Maps the chunks that are present, a run of them at a time. */
static int map_present_chunks(struct vm *vm, const struct vm_ram *r)
{
	for (size_t i = 0; i < r->chunks; i++) {
		if (!r->present[i])
			continue;
		size_t last = end_of_present_run(r, i);
		int err = map_chunks(vm, r, i, last);
		if (err < 0)
			return err;
		i = last;
	}
	return 0;
}

/* Unmaps the present chunks of r, a run at a time, and marks them absent; a run that cannot be
 * unmapped stays present, and the first error is returned. */
static int unmap_present_chunks(struct vm *vm, struct vm_ram *r)
{
	int first_err = 0;
	for (size_t i = 0; i < r->chunks; i++) {
		if (!r->present[i])
			continue;
		size_t last = end_of_present_run(r, i);
		gpa_t start = chunk_start(r, i), end = chunk_end(r, last);
		int err = arch_gpt_unmap(vm, start, end - start);
		if (err == 0)
			memset(&r->present[i], false, (last - i + 1) * sizeof(*r->present));
		else if (first_err == 0)
			first_err = err;
		i = last;
	}
	return first_err;
}

/* frame_alloc_dirty_runs' report: frames that may hold data leave their chunks to the first touch. */
static void leave_dirty_chunks(paddr_t base, size_t first, size_t count, void *ctx)
{
	(void)base; /* not yet the region's: back_ram sets it from the allocation */
	struct vm_ram *r = ctx;
	gpa_t from = r->gpa + (gpa_t)first * PAGE_SIZE, last = from + (gpa_t)count * PAGE_SIZE - 1;
	for (size_t i = chunk_index(r, from); i <= chunk_index(r, last); i++)
		r->present[i] = false;
}

static void clear_ram(const struct vm_ram *ram)
{
	/* A guest must never see what an earlier guest or the hypervisor left in these frames. */
	arch_zero_memory(phys_to_virt(ram->hpa), ram->size);
}

/* Host MMIO passed through (GPA = HPA): nothing to back, but its pages must be the VM's. */
static int setup_device_region(struct vm *vm, const struct vm_memory_region *region)
{
	int err = vm_claim_host_resource(vm, HOST_MMIO, region->gpa, region->size, "device memory region");
	if (err < 0)
		return err;
	err = arch_gpt_map(vm, region->gpa, region->gpa, region->size, permissions_of(region->flags));
	if (err < 0)
		vm_log_error(vm, "cannot map [%#llx, +%#llx): %d", (unsigned long long)region->gpa,
			     (unsigned long long)region->size, err);
	return err;
}

/* Clears chunk i of r and counts it (the VM's line, the scrubber's statistics). */
static void clear_chunk(struct vm *vm, const struct vm_ram *r, size_t i)
{
	gpa_t start = chunk_start(r, i), end = chunk_end(r, i);
	arch_zero_memory(phys_to_virt(r->hpa + (start - r->gpa)), end - start);
	vm->ram_cleared_bytes += end - start;
	mm_note_cleared((size_t)((end - start) / PAGE_SIZE));
}

/* Clears the chunks of r that are not present and marks them present. */
static void clear_absent_chunks(struct vm *vm, struct vm_ram *r)
{
	for (size_t i = 0; i < r->chunks; i++) {
		if (!r->present[i]) {
			clear_chunk(vm, r, i);
			r->present[i] = true;
		}
	}
}

/* Backs a RAM region with frames: allocated ones (map_type 0), whose chunks that may hold data are
 * left to the guest's first touch, or the host memory at its own address (GPA = HPA), cleared
 * now: a passed-through device's DMA, which never faults, may reach it before any CPU does. So is
 * allocated RAM the guest may not read, write and execute all of: an access its permissions
 * refuse faults in a present chunk too, and a fault in lazy RAM must mean "not yet present"
 * (vm_gpa_in_lazy_ram), or the guest would run the access again for ever instead of getting its
 * fault. */
static int back_ram(struct vm *vm, struct vm_ram *r, const struct vm_memory_region *region)
{
	size_t frames = (size_t)(region->size / PAGE_SIZE);
	if (region->map_type == VM_MAP_ALLOCATE) {
		size_t align = (region->size >= MiB(2) && IS_ALIGNED(region->gpa, MiB(2))) ? MiB(2) / PAGE_SIZE : 1;
		r->hpa = frame_alloc_dirty_runs(frames, align, leave_dirty_chunks, r);
		const unsigned all = GPT_READ | GPT_WRITE | GPT_EXECUTE;
		if (r->hpa && (r->permissions & all) != all) {
			r->cleared_up_front = true;
			clear_absent_chunks(vm, r);
		}
		if (r->hpa)
			return 0;
		vm_log_error(vm, "no memory for region [%#llx, +%#llx) (%llu MiB free)", (unsigned long long)region->gpa,
			     (unsigned long long)region->size, (unsigned long long)(frames_free() * PAGE_SIZE >> 20));
		return -ENOMEM;
	}
	if (frame_claim(region->gpa, frames) < 0) {
		vm_log_error(vm, "region [%#llx, +%#llx) must be GPA = HPA, but that host memory is not free RAM",
			     (unsigned long long)region->gpa, (unsigned long long)region->size);
		return -EBUSY;
	}
	r->hpa = region->gpa;
	r->cleared_up_front = true;
	clear_ram(r);
	vm->ram_cleared_bytes += r->size;
	return 0;
}

/* Backs and maps one configured region. Device regions are host MMIO given to the guest (GPA = HPA)
 * and are not guest RAM. */
static int setup_region(struct vm *vm, const struct vm_memory_region *region)
{
	if (region->flags & VM_MEMORY_DEVICE)
		return setup_device_region(vm, region);
	struct vm_ram *r = &vm->ram[vm->ram_count];
	*r = (struct vm_ram){ .gpa = region->gpa, .size = region->size, .permissions = permissions_of(region->flags) };
	r->chunks = (size_t)((ALIGN_UP(region->gpa + region->size, VM_RAM_CHUNK) - chunk_base(r)) / VM_RAM_CHUNK);
	r->present = kmalloc(r->chunks * sizeof(*r->present));
	if (!r->present) {
		vm_log_error(vm, "no memory to track region [%#llx, +%#llx)", (unsigned long long)region->gpa,
			     (unsigned long long)region->size);
		return -ENOMEM;
	}
	memset(r->present, true, r->chunks * sizeof(*r->present));
	int err = back_ram(vm, r, region);
	if (err == 0) {
		err = map_present_chunks(vm, r);
		if (err == 0) {
			vm->ram_count++;
			vm->ram_bytes += region->size;
			return 0;
		}
		vm_log_error(vm, "cannot map [%#llx, +%#llx): %d", (unsigned long long)region->gpa,
			     (unsigned long long)region->size, err);
		if (unmap_present_chunks(vm, r) == 0)
			frame_free(r->hpa, (size_t)(region->size / PAGE_SIZE));
	}
	kfree(r->present);
	r->present = NULL;
	return err;
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

void vm_forget_ram(struct vm *vm, struct vm_ram *r)
{
	/* All the VM's vCPUs are stopped and its devices reset: nothing makes a chunk present
	 * meanwhile. What cannot be unmapped (no memory to split a table) is cleared in place. */
	if (!r->cleared_up_front && unmap_present_chunks(vm, r) == 0)
		return;
	clear_ram(r);
	vm->ram_cleared_bytes += r->size;
}

/* Clears and maps chunk i of r unless it is present already. Under the VM's ram_lock with
 * interrupts masked: the clearing CPU is never preempted, so a task waiting for the same chunk
 * (a vCPU, a device model on the hot exit path) waits one chunk's clearing at most. */
static bool make_chunk_present(struct vm *vm, struct vm_ram *r, size_t i)
{
	if (__atomic_load_n(&r->present[i], __ATOMIC_ACQUIRE))
		return true;
	int err = 0;
	unsigned long flags = spin_lock_irqsave(&vm->ram_lock);
	if (!r->present[i]) {
		clear_chunk(vm, r, i);
		err = map_chunks(vm, r, i, i);
		if (err == 0)
			__atomic_store_n(&r->present[i], true, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&vm->ram_lock, flags);
	if (err < 0 && vm_log_budget(vm, &vm->fault_log_lines, 8, "faults given to the guest"))
		vm_log_error(vm, "cannot map its RAM at [%#llx, %#llx) (%d): the access faults",
			     (unsigned long long)chunk_start(r, i), (unsigned long long)chunk_end(r, i), err);
	return err == 0;
}

/* Makes [gpa, end) of r present, a chunk at a time. */
static bool make_present(struct vm *vm, struct vm_ram *r, gpa_t gpa, gpa_t end)
{
	for (size_t i = chunk_index(r, gpa); i <= chunk_index(r, end - 1); i++)
		if (!make_chunk_present(vm, r, i))
			return false;
	return true;
}

static struct vm_ram *ram_region_at(const struct vm *vm, gpa_t gpa)
{
	for (unsigned i = 0; i < vm->ram_count; i++) {
		const struct vm_ram *r = &vm->ram[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return (struct vm_ram *)r;
	}
	return NULL;
}

bool vm_gpa_in_lazy_ram(const struct vm *vm, gpa_t gpa)
{
	const struct vm_ram *r = ram_region_at(vm, gpa);
	return r && !r->cleared_up_front;
}

bool vm_ram_touch(struct vm *vm, gpa_t gpa)
{
	struct vm_ram *r = ram_region_at(vm, gpa);
	return r && make_present(vm, r, gpa, gpa + 1);
}

uint64_t vm_ram_untouched_bytes(const struct vm *vm)
{
	uint64_t bytes = 0;
	for (unsigned n = 0; n < vm->ram_count; n++) {
		const struct vm_ram *r = &vm->ram[n];
		for (size_t i = 0; i < r->chunks; i++)
			if (!__atomic_load_n(&r->present[i], __ATOMIC_RELAXED))
				bytes += chunk_end(r, i) - chunk_start(r, i);
	}
	return bytes;
}

void vm_release_memory(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ram_count; i++) {
		/* Unmapped first: the frames may go to another VM next. Frames the VM may still reach
		 * (the unmap failed) are kept from the allocator for good. Only what is mapped: a
		 * region of 256 MiB that is mostly untouched is a few runs. */
		int err = unmap_present_chunks(vm, &vm->ram[i]);
		if (err < 0)
			vm_log_error(vm, "cannot unmap RAM %#llx+%#llx (%d): its frames are kept",
				     (unsigned long long)vm->ram[i].gpa, (unsigned long long)vm->ram[i].size,
				     err);
		else
			frame_free(vm->ram[i].hpa, (size_t)(vm->ram[i].size / PAGE_SIZE));
		kfree(vm->ram[i].present);
		vm->ram[i].present = NULL;
	}
	vm->ram_count = 0;
}

/* The host address of guest RAM at gpa with at least *len bytes contiguous (made present), or
 * NULL. */
static void *guest_ram_at(struct vm *vm, gpa_t gpa, size_t *len)
{
	struct vm_ram *r = ram_region_at(vm, gpa);
	if (!r)
		return NULL;
	uint64_t left = r->size - (gpa - r->gpa);
	if (*len > left)
		*len = (size_t)left;
	if (*len && !make_present(vm, r, gpa, gpa + *len))
		return NULL;
	return phys_to_virt(r->hpa + (gpa - r->gpa));
}

void *vm_guest_ram(struct vm *vm, gpa_t gpa, uint64_t length)
{
	if (length == 0 || gpa + length < gpa)
		return NULL;
	size_t span = (size_t)length;
	void *host = guest_ram_at(vm, gpa, &span);
	return host && span == length ? host : NULL;
}

#define WINDOW_REACH 32 /* chunks (64 MiB) each way of a lookup that a window may span */

void *vm_guest_ram_window(struct vm *vm, gpa_t gpa, uint64_t length, struct vm_ram_window *window)
{
	void *host = vm_guest_ram(vm, gpa, length);
	if (!host)
		return NULL;
	const struct vm_ram *r = ram_region_at(vm, gpa);
	/* Present chunks stay present until the VM's RAM is forgotten (a reset) or released. The run
	 * is looked for at most WINDOW_REACH chunks each way: a guest whose buffers alternate between
	 * two runs makes every lookup a miss, and a miss must stay cheap (the caller masks interrupts). */
	size_t first = chunk_index(r, gpa), last = chunk_index(r, gpa + length - 1);
	for (unsigned n = 0; n < WINDOW_REACH && first > 0 &&
			     __atomic_load_n(&r->present[first - 1], __ATOMIC_ACQUIRE); n++)
		first--;
	for (unsigned n = 0; n < WINDOW_REACH && last + 1 < r->chunks &&
			     __atomic_load_n(&r->present[last + 1], __ATOMIC_ACQUIRE); n++)
		last++;
	gpa_t start = chunk_start(r, first);
	*window = (struct vm_ram_window){ start, chunk_end(r, last) - start, phys_to_virt(r->hpa + (start - r->gpa)) };
	return host;
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
