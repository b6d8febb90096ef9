/* SPDX-License-Identifier: Apache-2.0 */
/* A data abort without syndrome (ESR_EL2.ISV = 0) on an address outside the guest's RAM: the
 * guest's instruction is read and decoded (virt_impl/insn_decode.h), and an access it describes is
 * handed on as if the CPU had given its syndrome, plus the base register's writeback. KVM and Bao
 * stop or fault the guest here and Xen decodes post-index only; a bare-metal guest built by GCC
 * at -O2 programs its devices with exactly these forms. All general registers are saved when this
 * runs (the full exit path), and the guest's EL1 registers are still in the CPU. */
#include "virt_impl/no_syndrome.h"
#include "virt_impl/esr.h"
#include "virt_impl/insn_decode.h"
#include "arch_impl/sysreg.h"
#include "arch/cpu.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PAR_F 1ULL
#define PAR_PA_MASK 0x000ffffffffff000ULL
#define PSTATE_MODE_MASK 0xfULL
#define PSTATE_EL0T 0x0ULL
#define PSTATE_EL1H 0x5ULL
#define VA_COMPARED_MASK ((1ULL << 56) - 1) /* FAR's top byte may hold a tag (TBI) */

/* The guest's SP as its current mode uses it: SP_EL1 in EL1h, SP_EL0 in EL1t and EL0. */
static uint64_t guest_sp(const struct vcpu_arch *a)
{
	return (a->regs.pstate & PSTATE_MODE_MASK) == PSTATE_EL1H ? read_sysreg(sp_el1) : read_sysreg(sp_el0);
}

static uint64_t guest_reg(const struct vcpu_arch *a, unsigned reg, bool sp)
{
	if (reg == A64_REG_SP_OR_ZR)
		return sp ? guest_sp(a) : 0;
	return a->regs.x[reg];
}

/* The instruction at the guest's PC, through its own stage-1 translation (AT S1E1R or S1E0R, as
 * its mode fetched it; the result in PAR_EL1, which is the guest's and is put back). */
static int read_guest_instruction(struct vcpu *vcpu, uint32_t *insn)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t pc = a->regs.pc;
	uint64_t saved_par = read_sysreg(par_el1);
	if ((a->regs.pstate & PSTATE_MODE_MASK) == PSTATE_EL0T)
		__asm__ volatile("at s1e0r, %0\n\tisb" : : "r"(pc) : "memory");
	else
		__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(pc) : "memory");
	uint64_t par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved_par);
	if (par & PAR_F)
		return -1;
	const uint32_t *at = vm_guest_ram(vcpu->vm, (par & PAR_PA_MASK) | (pc & 0xfff), sizeof(*at));
	if (!at)
		return -1;
	*insn = __atomic_load_n(at, __ATOMIC_RELAXED); /* instructions are little-endian (B2.6.2) */
	return 0;
}

const char *decode_abort_without_syndrome(struct vcpu *vcpu, struct vm_exit_mmio *mmio)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t esr = a->esr;
	if ((esr & (ISS_DABT_FNV | ISS_DABT_EA | ISS_DABT_S1PTW)) ||
	    (esr & ISS_DABT_DFSC_MASK & ~3ULL) != ISS_DFSC_TRANSLATION_FAULT)
		return "data abort without syndrome that is not a stage-2 translation fault";
	uint32_t insn;
	if (read_guest_instruction(vcpu, &insn) < 0)
		return "data abort without syndrome: the instruction at PC cannot be read";
	struct a64_access access;
	if (a64_decode_ldst(insn, &access) < 0)
		return "data abort without syndrome: not a load or store of one general-purpose register "
		       "(a pair, exclusive, atomic or SIMD access)";
	uint64_t base_after;
	uint64_t address = a64_access_address(&access, guest_reg(a, access.rn, true),
					      access.rm >= 0 ? guest_reg(a, (unsigned)access.rm, false) : 0,
					      &base_after);
	/* The instruction read is the one that faulted only if it names the address that did (another
	 * vCPU may have rewritten it since). */
	if ((address & VA_COMPARED_MASK) != (a->far & VA_COMPARED_MASK))
		return "data abort without syndrome: the instruction at PC does not access the faulting address";
	/* The syndrome the CPU would have given without the writeback: load_mmio_result and the
	 * injected abort read it. */
	uint64_t fields = (3ULL << ISS_DABT_SAS_SHIFT) | ISS_DABT_SSE | (31ULL << ISS_DABT_SRT_SHIFT) | ISS_DABT_SF |
			  ISS_DABT_WNR;
	a->esr = (esr & ~fields) | ISS_DABT_ISV | ((uint64_t)access.size_log2 << ISS_DABT_SAS_SHIFT) |
		 (access.sign_extend ? ISS_DABT_SSE : 0) | ((uint64_t)access.rt << ISS_DABT_SRT_SHIFT) |
		 (access.sf ? ISS_DABT_SF : 0) | (access.load ? 0 : ISS_DABT_WNR);
	*mmio = (struct vm_exit_mmio){
		.gpa = mmio->gpa,
		.width = 1u << access.size_log2,
		.write = !access.load,
		.sign_extend = access.sign_extend,
		.reg = access.rt,
	};
	a->writeback = access.index != A64_OFFSET;
	a->writeback_reg = access.rn;
	a->writeback_value = base_after;
	return NULL;
}

void finish_writeback(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->writeback)
		return;
	a->writeback = false;
	if (a->writeback_reg != A64_REG_SP_OR_ZR) {
		a->regs.x[a->writeback_reg] = a->writeback_value;
		return;
	}
	/* The SP registers are live while the vCPU is loaded: no switch between the mode test and
	 * the write. */
	unsigned long flags = arch_irq_save();
	if ((a->regs.pstate & PSTATE_MODE_MASK) == PSTATE_EL1H)
		write_sysreg(sp_el1, a->writeback_value);
	else
		write_sysreg(sp_el0, a->writeback_value);
	arch_irq_restore(flags);
}
