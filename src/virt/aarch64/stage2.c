/* Stage-2 translation for guests (Arm ARM D8.3 "Translation table descriptor formats", stage 2
 * attributes D8.5.5): 4 KiB granule, 2 MiB blocks where both addresses and the size allow, 4 KiB
 * pages otherwise. One VMID per VM. The IPA space is 39 bits, walked from level 1, when the VM's
 * memory and devices fit below 512 GiB and the CPU's PARange allows; otherwise the CPU's full
 * PARange (up to 48 bits), walked from level 0 (D8.2.6, VTCR_EL2.SL0 and T0SZ). */
#include "virt/arch_vm.h"
#include "arch_impl/sysreg.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vm.h"

#define SHORT_IPA_BITS 39
#define ENTRIES 512
#define DESC_VALID 0x1ULL
#define DESC_TABLE 0x3ULL  /* levels 1-2 */
#define DESC_PAGE 0x3ULL   /* level 3 */
#define DESC_BLOCK 0x1ULL  /* levels 1-2 */
#define DESC_TYPE_MASK 0x3ULL
#define DESC_ADDRESS_MASK 0x0000fffffffff000ULL
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ULL << 2)
#define S2_AP_READ (1ULL << 6)
#define S2_AP_WRITE (1ULL << 7)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF (1ULL << 10)
#define S2_XN (2ULL << 53) /* XN[1:0] = 0b10: not executable at EL1 or EL0 */

static struct spinlock vmid_lock = SPINLOCK_INIT;
static uint16_t next_vmid = 1;

static uint64_t *new_table(void)
{
	paddr_t pa = frame_alloc(1, 1);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

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

int arch_vm_init(struct vm *vm)
{
	int err = choose_ipa(vm);
	if (err < 0)
		return err;
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	uint16_t vmid = next_vmid < 256 ? next_vmid++ : 0;
	spin_unlock_irqrestore(&vmid_lock, flags);
	if (!vmid)
		return -ENOSPC;
	vm->arch.stage2_root = new_table();
	if (!vm->arch.stage2_root)
		return -ENOMEM;
	vm->arch.vmid = vmid;
	vm->arch.vttbr = virt_to_phys(vm->arch.stage2_root) | ((uint64_t)vmid << 48);
	vm_log_info(vm, "stage 2 with %u-bit IPAs from level %u, VMID %u", vm->arch.ipa_bits,
		    vm->arch.start_level, vmid);
	return 0;
}

static void free_tables(uint64_t *table, int level)
{
	if (level < 3) {
		for (int i = 0; i < ENTRIES; i++)
			if ((table[i] & DESC_TYPE_MASK) == DESC_TABLE)
				free_tables(phys_to_virt(table[i] & DESC_ADDRESS_MASK), level + 1);
	}
	frame_free(virt_to_phys(table), 1);
}

void arch_vm_destroy(struct vm *vm)
{
	if (vm->arch.stage2_root)
		free_tables(vm->arch.stage2_root, (int)vm->arch.start_level);
	vm->arch.stage2_root = NULL;
}

static unsigned index_at(gpa_t gpa, int level)
{
	return (unsigned)(gpa >> (12 + 9 * (3 - level))) & (ENTRIES - 1);
}

/* The entry for gpa at 'level', creating tables on the way (a block in the way is split). */
static uint64_t *entry_for(struct vm *vm, gpa_t gpa, int level)
{
	uint64_t *table = vm->arch.stage2_root;
	for (int l = (int)vm->arch.start_level; l < level; l++) {
		uint64_t *e = &table[index_at(gpa, l)];
		if ((*e & DESC_TYPE_MASK) != DESC_TABLE) {
			uint64_t *next = new_table();
			if (!next)
				return NULL;
			if ((*e & DESC_TYPE_MASK) == DESC_BLOCK) {
				uint64_t step = 1ULL << (12 + 9 * (3 - (l + 1)));
				uint64_t base = *e & DESC_ADDRESS_MASK, attrs = *e & ~DESC_ADDRESS_MASK & ~DESC_TYPE_MASK;
				for (int i = 0; i < ENTRIES; i++)
					next[i] = (base + i * step) | attrs | (l + 1 == 3 ? DESC_PAGE : DESC_BLOCK);
			}
			*e = virt_to_phys(next) | DESC_TABLE;
		}
		table = phys_to_virt(*e & DESC_ADDRESS_MASK);
	}
	return &table[index_at(gpa, level)];
}

static void flush_stage2_tlb(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi alle1is" ::: "memory");
	dsb(ish);
	isb();
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > (1ULL << vm->arch.ipa_bits) || gpa + size < gpa)
		return -EINVAL;
	uint64_t attrs = attributes(permissions);
	bool replaced = false;
	while (size) {
		bool block = IS_ALIGNED(gpa | hpa, MiB(2)) && size >= MiB(2);
		uint64_t *e = entry_for(vm, gpa, block ? 2 : 3);
		if (!e)
			return -ENOMEM;
		if ((*e & DESC_TYPE_MASK) == DESC_TABLE && block) {
			/* A finer mapping was here: map this range page by page instead. */
			block = false;
			e = entry_for(vm, gpa, 3);
			if (!e)
				return -ENOMEM;
		}
		replaced |= (*e & DESC_VALID) != 0;
		*e = (hpa & DESC_ADDRESS_MASK) | attrs | (block ? DESC_BLOCK : DESC_PAGE);
		uint64_t step = block ? MiB(2) : PAGE_SIZE;
		gpa += step;
		hpa += step;
		size -= step;
	}
	dsb(ishst);
	if (replaced)
		flush_stage2_tlb();
	return 0;
}

/* The valid leaf entry mapping gpa and the size it covers, or NULL. */
static uint64_t *leaf_for(struct vm *vm, gpa_t gpa, uint64_t *covers)
{
	uint64_t *table = vm->arch.stage2_root;
	if (gpa >= (1ULL << vm->arch.ipa_bits))
		return NULL;
	for (int level = (int)vm->arch.start_level; level <= 3; level++) {
		uint64_t *e = &table[index_at(gpa, level)];
		if (!(*e & DESC_VALID))
			return NULL;
		if (level == 3 || (*e & DESC_TYPE_MASK) == DESC_BLOCK) {
			*covers = 1ULL << (12 + 9 * (3 - level));
			return e;
		}
		table = phys_to_virt(*e & DESC_ADDRESS_MASK);
	}
	return NULL;
}

int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	while (size) {
		uint64_t covers = PAGE_SIZE;
		uint64_t *e = leaf_for(vm, gpa, &covers);
		if (e && covers > PAGE_SIZE && (!IS_ALIGNED(gpa, covers) || size < covers)) {
			e = entry_for(vm, gpa, 3); /* split the block, then clear one page */
			covers = PAGE_SIZE;
		}
		if (e)
			*e = 0;
		gpa += covers;
		size = size > covers ? size - covers : 0;
	}
	flush_stage2_tlb();
	return 0;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	uint64_t covers;
	uint64_t *e = leaf_for(vm, gpa, &covers);
	if (!e)
		return -EFAULT;
	*hpa = (*e & DESC_ADDRESS_MASK & ~(covers - 1)) | (gpa & (covers - 1));
	return 0;
}
