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

static int read_entry(struct vm *vm, gpa_t table, unsigned index, unsigned size, uint64_t *entry)
{
	*entry = 0;
	if (vm_copy_from_guest(vm, entry, table + (uint64_t)index * size, size) < 0 || !(*entry & PRESENT))
		return -EFAULT;
	return 0;
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
	if (s->efer & EFER_LMA) {
		gpa_t table = s->cr3 & ADDRESS_MASK;
		for (int level = 4; level >= 1; level--) {
			unsigned shift = 12 + 9 * (level - 1);
			if (read_entry(vm, table, (linear >> shift) & 511, 8, &e) < 0)
				return -EFAULT;
			if (level == 1 || (level <= 3 && (e & LARGE))) {
				uint64_t page = 1ULL << shift;
				*gpa = (e & ADDRESS_MASK & ~(page - 1)) | (linear & (page - 1));
				return 0;
			}
			table = e & ADDRESS_MASK;
		}
		return -EFAULT;
	}
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

int x86_guest_read_linear(struct vcpu *vcpu, uint64_t linear, void *dst, size_t size)
{
	return copy_linear(vcpu, linear, dst, size, false);
}

int x86_guest_write_linear(struct vcpu *vcpu, uint64_t linear, const void *src, size_t size)
{
	return copy_linear(vcpu, linear, (void *)(uintptr_t)src, size, true);
}
