/* SPDX-License-Identifier: Apache-2.0 */
/* Stage-2 translation for guests (Arm ARM D8.3 "Translation table descriptor formats", stage 2
 * attributes D8.5.5): 4 KiB granule, 2 MiB blocks where both addresses and the size allow, 4 KiB
 * pages otherwise, walked by virt/gpt.c. One VMID per VM, returned when it goes (no VMID free: the
 * VM is not created). The IPA space is 39 bits, walked from level 1, when the VM's memory and
 * devices fit below 512 GiB and the CPU's PARange allows; otherwise the CPU's full PARange (up to
 * 48 bits), walked from level 0 (D8.2.6, VTCR_EL2.SL0 and T0SZ). */
#include "virt/arch_vm.h"
#include "arch_impl/sysreg.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/id_pool.h"
#include "virt/gpt.h"
#include "vmm/vm.h"

#define SHORT_IPA_BITS 39
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ULL << 2)
#define S2_AP_READ (1ULL << 6)
#define S2_AP_WRITE (1ULL << 7)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF (1ULL << 10)
#define S2_XN (2ULL << 53) /* XN[1:0] = 0b10: not executable at EL1 or EL0 */
#define VMIDS 256          /* 8-bit VMIDs (VTCR_EL2.VS = 0) */

static struct spinlock vmid_lock = SPINLOCK_INIT;
static uint64_t vmid_map[ID_POOL_WORDS(VMIDS)];
static struct id_pool vmids = { vmid_map, VMIDS };

static uint64_t attributes(unsigned permissions)
{
	uint64_t a = S2_AF;
	a |= (permissions & GPT_DEVICE) ? S2_MEMATTR_DEVICE_NGNRE : (S2_MEMATTR_NORMAL_WB | S2_SH_INNER);
	if (permissions & GPT_READ)
		a |= S2_AP_READ;
	if (permissions & GPT_WRITE)
		a |= S2_AP_WRITE;
	if (!(permissions & GPT_EXECUTE) || (permissions & GPT_DEVICE))
		a |= S2_XN;
	return a;
}

/* D8.3.1 (VMSAv8-64 descriptors, 4 KiB granule): bits[1:0] = 0b11 a table at levels 0-2 and a page
 * at level 3, 0b01 a block; the output address in bits[47:12]. Blocks of 2 MiB only (level 2). */
static const struct gpt_format stage2_format = {
	.page_shift = 12, .level_bits = 9, .root_pages = 1, .max_block_level = 1,
	.oa_shift = 12, .oa_mask = 0x0000fffffffff000ULL, .valid = 0x1,
	.type_mask = 0x3, .table_type = 0x3, .table_bits = 0x3, .page_bits = 0x3, .block_bits = 0x1,
	.leaf_attributes = attributes,
};

/* Walked from level 0 or 1 (the Arm ARM's numbering): 4 or 3 levels. */
#define STAGE2(vm) (&(struct gpt){ &stage2_format, (vm)->arch.stage2_root, 4 - (vm)->arch.start_level, (vm)->arch.ipa_bits })

/* The highest guest-physical address the config asks for: memory regions and device windows. */
static uint64_t highest_gpa(const struct vm_config *c)
{
	uint64_t top = 0;
	for (size_t i = 0; i < c->kernel.memory_region_count; i++)
		top = MAX(top, c->kernel.memory_regions[i].gpa + c->kernel.memory_regions[i].size);
	for (size_t i = 0; i < c->devices.passthrough_device_count; i++)
		top = MAX(top, c->devices.passthrough_devices[i].base_gpa + c->devices.passthrough_devices[i].length);
	for (size_t i = 0; i < c->devices.passthrough_address_count; i++)
		top = MAX(top, c->devices.passthrough_addresses[i].gpa + c->devices.passthrough_addresses[i].length);
	for (size_t i = 0; i < c->devices.emu_device_count; i++)
		top = MAX(top, c->devices.emu_devices[i].base_gpa + c->devices.emu_devices[i].length);
	return top;
}

/* Chooses the IPA size and the matching VTCR_EL2 (D19.2.150): RES1 bit 31, PS = the CPU's PA range,
 * 4 KiB granule, inner-shareable write-back walks, SL0 and T0SZ for the size. */
static int choose_ipa(struct vm *vm)
{
	static const unsigned parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (parange > 5)
		parange = 5; /* 52-bit needs the LPA descriptor format: stay at 48 */
	unsigned cpu_bits = parange_bits[parange];
	uint64_t top = highest_gpa(vm->config);
	unsigned bits;
	if (cpu_bits <= SHORT_IPA_BITS || top <= (1ULL << SHORT_IPA_BITS))
		bits = MIN(cpu_bits, SHORT_IPA_BITS);
	else
		bits = cpu_bits;
	if (top > (1ULL << bits)) {
		vm_log_error(vm, "guest-physical addresses up to %#llx, but this CPU offers %u-bit IPAs",
			     (unsigned long long)top, cpu_bits);
		return -ERANGE;
	}
	vm->arch.ipa_bits = bits;
	vm->arch.start_level = bits > SHORT_IPA_BITS ? 0 : 1;
	uint64_t sl0 = vm->arch.start_level == 0 ? 2 : 1;
	vm->arch.vtcr = (1ULL << 31) | (parange << 16) | (3ULL << 12) | (1ULL << 10) | (1ULL << 8) | (sl0 << 6) |
			(64 - bits);
	return 0;
}

static void flush_stage2_tlb(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi alle1is" ::: "memory");
	dsb(ish);
	isb();
}

int arch_vm_init(struct vm *vm)
{
	int err = choose_ipa(vm);
	if (err < 0)
		return err;
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	int vmid = id_pool_alloc(&vmids);
	spin_unlock_irqrestore(&vmid_lock, flags);
	if (vmid < 0)
		return -ENOSPC; /* every VMID is in use */
	vm->arch.vmid = (uint16_t)vmid;
	vm->arch.stage2_root = gpt_alloc_root(&stage2_format);
	if (!vm->arch.stage2_root) {
		arch_vm_destroy(vm);
		return -ENOMEM;
	}
	vm->arch.vttbr = virt_to_phys(vm->arch.stage2_root) | ((uint64_t)vmid << 48);
	vm_log_info(vm, "stage 2 with %u-bit IPAs from level %u, VMID %u", vm->arch.ipa_bits,
		    vm->arch.start_level, vmid);
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	/* The VMID may go to another VM next: nothing cached under it may outlive this one. */
	flush_stage2_tlb();
	gpt_free(STAGE2(vm));
	vm->arch.stage2_root = NULL;
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	id_pool_free(&vmids, vm->arch.vmid);
	spin_unlock_irqrestore(&vmid_lock, flags);
	vm->arch.vmid = 0;
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	/* vm_memory.c maps RAM at a vCPU's first touch while other vCPUs run: the tables change
	 * under one lock (the walk creates missing tables). */
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int replaced = gpt_map(STAGE2(vm), gpa, hpa, size, permissions);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	if (replaced < 0)
		return replaced;
	dsb(ishst);
	if (replaced)
		flush_stage2_tlb();
	return 0;
}

int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int err = gpt_unmap(STAGE2(vm), gpa, size);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	flush_stage2_tlb();
	return err;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	return gpt_translate(STAGE2(vm), gpa, hpa);
}
