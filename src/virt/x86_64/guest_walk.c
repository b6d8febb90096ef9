/* SPDX-License-Identifier: Apache-2.0 */
/* Walking the guest's own page tables (AMD APM vol. 2, 5.2-5.3: 32-bit, PAE and long-mode 4-level
 * paging, with 4 MiB / 2 MiB / 1 GiB large pages), to fetch the instruction at a nested page fault
 * and the memory operands of string instructions. Permissions are not checked: the hardware
 * already did when the guest ran the access. */
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "virt_impl/svm.h"
#include "lib/errno.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CR0_PG (1ULL << 31)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define EFER_LMA (1ULL << 10)
#define PRESENT 1ULL
#define LARGE (1ULL << 7)
#define ADDRESS_MASK 0x000ffffffffff000ULL

/* One entry, read where it lies in guest RAM (once: another vCPU may be changing it): returns
 * where, or NULL when that is not RAM. Every table is at least 32-byte aligned, so an entry never
 * straddles two RAM regions. */
static const void *entry_at(struct vm *vm, gpa_t table, unsigned index, unsigned size, uint64_t *entry)
{
	const void *at = vm_guest_ram(vm, table + (uint64_t)index * size, size);
	if (at)
		*entry = size == 8 ? __atomic_load_n((const uint64_t *)at, __ATOMIC_RELAXED)
				   : __atomic_load_n((const uint32_t *)at, __ATOMIC_RELAXED);
	return at;
}

static int read_entry(struct vm *vm, gpa_t table, unsigned index, unsigned size, uint64_t *entry)
{
	return entry_at(vm, table, index, size, entry) && (*entry & PRESENT) ? 0 : -EFAULT;
}

/* Long mode's 4-level walk. With memo, it records where each entry it read lies and what it held
 * (x86_guest_bytes_at re-reads them instead of walking again). */
static int walk_4_level(struct vcpu *vcpu, uint64_t linear, gpa_t *gpa, struct x86_walk_memo *memo)
{
	gpa_t table = vcpu->arch.vmcb->save.cr3 & ADDRESS_MASK;
	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e;
		const uint64_t *at = entry_at(vcpu->vm, table, (linear >> shift) & 511, 8, &e);
		if (!at || !(e & PRESENT))
			return -EFAULT;
		if (memo) {
			memo->entry[4 - level] = at;
			memo->value[4 - level] = e;
			memo->levels = (unsigned)(5 - level);
		}
		if (level == 1 || (level <= 3 && (e & LARGE))) {
			uint64_t page = 1ULL << shift;
			*gpa = (e & ADDRESS_MASK & ~(page - 1)) | (linear & (page - 1));
			return 0;
		}
		table = e & ADDRESS_MASK;
	}
	return -EFAULT;
}

int x86_guest_translate(struct vcpu *vcpu, uint64_t linear, gpa_t *gpa)
{
	const struct vmcb_save *s = &vcpu->arch.vmcb->save;
	struct vm *vm = vcpu->vm;
	uint64_t e;
	if (!(s->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return 0;
	}
	if (s->efer & EFER_LMA)
		return walk_4_level(vcpu, linear, gpa, NULL);
	linear &= 0xffffffffULL;
	if (s->cr4 & CR4_PAE) {
		if (read_entry(vm, s->cr3 & 0xffffffe0ULL, (unsigned)(linear >> 30), 8, &e) < 0)
			return -EFAULT;
		if (read_entry(vm, e & ADDRESS_MASK, (linear >> 21) & 511, 8, &e) < 0)
			return -EFAULT;
		if (e & LARGE) {
			*gpa = (e & ADDRESS_MASK & ~(MiB(2) - 1)) | (linear & (MiB(2) - 1));
			return 0;
		}
		if (read_entry(vm, e & ADDRESS_MASK, (linear >> 12) & 511, 8, &e) < 0)
			return -EFAULT;
		*gpa = (e & ADDRESS_MASK) | (linear & 0xfff);
		return 0;
	}
	if (read_entry(vm, s->cr3 & 0xfffff000ULL, (unsigned)(linear >> 22), 4, &e) < 0)
		return -EFAULT;
	if ((e & LARGE) && (s->cr4 & CR4_PSE)) {
		*gpa = (e & 0xffc00000ULL) | ((e >> 13 & 0xff) << 32) | (linear & 0x3fffff);
		return 0;
	}
	if (read_entry(vm, e & 0xfffff000ULL, (linear >> 12) & 1023, 4, &e) < 0)
		return -EFAULT;
	*gpa = (e & 0xfffff000ULL) | (linear & 0xfff);
	return 0;
}

static int copy_linear(struct vcpu *vcpu, uint64_t linear, void *buffer, size_t size, bool to_guest)
{
	uint8_t *p = buffer;
	while (size) {
		size_t chunk = MIN(size, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		gpa_t gpa;
		if (x86_guest_translate(vcpu, linear, &gpa) < 0)
			return -EFAULT;
		int err = to_guest ? vm_copy_to_guest(vcpu->vm, gpa, p, chunk) : vm_copy_from_guest(vcpu->vm, p, gpa, chunk);
		if (err < 0)
			return err;
		p += chunk;
		linear += chunk;
		size -= chunk;
	}
	return 0;
}

/* The remembered walk, if CR3 and every entry it read are unchanged (LMA implies paging). */
static const uint8_t *remembered_page(const struct x86_walk_memo *m, const struct vmcb_save *s, uint64_t linear)
{
	if (m->linear_page != (linear >> 12) + 1 || m->cr3 != s->cr3 || !(s->efer & EFER_LMA))
		return NULL;
	for (unsigned i = 0; i < m->levels; i++)
		if (__atomic_load_n(m->entry[i], __ATOMIC_RELAXED) != m->value[i])
			return NULL;
	return m->page;
}

static const uint8_t *walk_and_remember(struct vcpu *vcpu, uint64_t linear)
{
	struct x86_walk_memo *m = &vcpu->arch.walk_memo;
	gpa_t gpa;
	m->linear_page = 0;
	if (walk_4_level(vcpu, linear, &gpa, m) < 0)
		return NULL;
	m->page = vm_guest_ram(vcpu->vm, gpa & ~(uint64_t)(PAGE_SIZE - 1), PAGE_SIZE);
	if (m->page) {
		m->cr3 = vcpu->arch.vmcb->save.cr3;
		m->linear_page = (linear >> 12) + 1;
	}
	return m->page;
}

const uint8_t *x86_guest_bytes_at(struct vcpu *vcpu, uint64_t linear, size_t size)
{
	const struct vmcb_save *s = &vcpu->arch.vmcb->save;
	unsigned offset = (unsigned)(linear & (PAGE_SIZE - 1));
	if (offset + size > PAGE_SIZE)
		return NULL;
	if (!(s->efer & EFER_LMA)) {
		gpa_t gpa;
		return x86_guest_translate(vcpu, linear, &gpa) < 0 ? NULL : vm_guest_ram(vcpu->vm, gpa, size);
	}
	const uint8_t *page = remembered_page(&vcpu->arch.walk_memo, s, linear);
	if (!page)
		page = walk_and_remember(vcpu, linear);
	return page ? page + offset : NULL;
}

void x86_guest_walk_forget(struct vcpu *vcpu)
{
	vcpu->arch.walk_memo.linear_page = 0;
}

int x86_guest_read_linear(struct vcpu *vcpu, uint64_t linear, void *dst, size_t size)
{
	return copy_linear(vcpu, linear, dst, size, false);
}

int x86_guest_write_linear(struct vcpu *vcpu, uint64_t linear, const void *src, size_t size)
{
	return copy_linear(vcpu, linear, (void *)(uintptr_t)src, size, true);
}
