/* SPDX-License-Identifier: Apache-2.0 */
/* x86_64 vCPUs under AMD SVM (AMD APM vol. 2, chapter 15): the VMCB's reset state, entering the
 * guest through svm_run.S, and turning #VMEXIT codes into arch-neutral exits. QEMU's SVM has no
 * NRIPS and no decode assists, so the length of every intercepted instruction is known here
 * (fixed encodings, EXITINFO2 for IOIO (15.10.2), the decoder for MMIO). */
#include "arch/cpu.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "virt_impl/svm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "virt_impl/vapic.h"
#include "vdev/x86_pc.h"
#include "vmm/hypercall.h"
#include "vmm/vcpu_exit.h"
#include "vmm/vcpu.h"
#include "vmm/vdev.h"
#include "vmm/vm.h"

#define RFLAGS_FIXED (1ULL << 1)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_ARITH_MASK 0x8d5ULL /* CF PF AF ZF SF OF */
#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_PG (1ULL << 31)
#define EFER_LMA (1ULL << 10)
#define REAL_MODE_LIMIT 0x100000ULL /* 1 MiB: what a real-mode cs:ip reaches */
#define PAT_POWER_ON 0x0007040600070406ULL
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)
/* Outside the core's hypercall numbers (vmm/hypercall.h): only the x86 run path knows it. */
#define X86_HYPERCALL_NULL_EXIT 0x7f000000ULL

void svm_run(uint64_t *regs, paddr_t vmcb, paddr_t host_vmcb);

static uint8_t *io_permission_map;   /* 12 KiB: every port intercepted (15.10.1) */
static uint8_t *msr_permission_map;  /* 8 KiB (15.11) */
static unsigned last_run[MAX_CPUS];  /* per CPU: id+1 of the vCPU whose guest ran last */
static unsigned next_vcpu_tag;

/* MSRs the guest owns outright: VMLOAD/VMSAVE switch them with the VMCB. */
static const uint32_t passthrough_msrs[] = {
	0x174, 0x175, 0x176,                /* SYSENTER_CS/ESP/EIP */
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR, LSTAR, CSTAR, SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102, /* FS_BASE, GS_BASE, KERNEL_GS_BASE */
};

static void msr_permission_clear(uint32_t msr)
{
	unsigned base = msr < 0x2000 ? 0 : msr >= 0xc0010000 ? 0x1000 : 0x800;
	unsigned index = (msr & 0x1fff) * 2;
	msr_permission_map[base + index / 8] &= (uint8_t)~(3u << (index % 8));
}

static int permission_maps_init(void)
{
	if (io_permission_map)
		return 0;
	paddr_t io = frame_alloc(3, 1), msr = frame_alloc(2, 1);
	if (!io || !msr)
		return -ENOMEM;
	msr_permission_map = phys_to_virt(msr);
	memset(phys_to_virt(io), 0xff, 3 * PAGE_SIZE);
	memset(msr_permission_map, 0xff, 2 * PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_permission_clear(passthrough_msrs[i]);
	io_permission_map = phys_to_virt(io);
	return 0;
}

uint64_t arch_vcpu_guest_id(unsigned vcpu_index)
{
	return vcpu_index; /* the local APIC id */
}

static void set_segment(struct vmcb_segment *s, uint16_t selector, uint64_t base, uint32_t limit, uint16_t attrib)
{
	*s = (struct vmcb_segment){ selector, attrib, limit, base };
}

/* The Linux 64-bit boot protocol's start (Linux Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"; the GDT and page tables are in guest memory, linux_boot.c): long mode with paging,
 * CS = __BOOT_CS (0x10), DS = ES = SS = __BOOT_DS (0x18), interrupts off, rsi = boot_params. */
static void start_linux_64(struct vcpu *vcpu)
{
	const struct linux_boot *boot = &vcpu->vm->arch.linux_boot;
	struct vmcb_save *s = &vcpu->arch.vmcb->save;
	set_segment(&s->cs, 0x10, 0, 0xffffffff, 0xa9b); /* G, L, present, code execute/read */
	set_segment(&s->ds, 0x18, 0, 0xffffffff, 0xc93);
	set_segment(&s->gdtr, 0, boot->gdt_base, boot->gdt_limit, 0);
	s->cr0 = CR0_PE | CR0_ET | CR0_PG | (1ULL << 5) /* NE */;
	s->cr3 = boot->cr3;
	s->cr4 = 1ULL << 5; /* PAE */
	s->efer = MSR_EFER_LME | EFER_LMA;
	s->rip = boot->entry;
	vcpu->arch.regs[X86_RSI] = boot->boot_params;
}

/* A config that names a BIOS (bios_path) and enters at its load address (entry_point ==
 * bios_load_addr, as AxVisor's x86 configs do with axvm-bios at 0x8000) starts the boot vCPU in
 * the firmware, in real mode, as a CPU runs its firmware after reset; the firmware then enters
 * the kernel itself. */
static bool enters_firmware(const struct vm *vm, gpa_t entry)
{
	const struct vm_image *bios = &vm->config->kernel.images[VM_IMAGE_BIOS];
	return bios->path.value && entry == vm->image_gpa[VM_IMAGE_BIOS] && entry < REAL_MODE_LIMIT;
}

/* Real mode at cs:ip (Intel SDM vol. 3, 20.1.1 "Address Translation in Real-Address Mode"): a
 * STARTUP IPI gives cs = vector << 8 and ip = 0 (8.4.4.1), firmware gets the 64 KiB segment its
 * entry lies in, so code linked at its load address (axvm-bios at 0x8000) runs with cs base 0. */
static void start_real_mode(struct vmcb_save *s, uint64_t cs_base, uint64_t ip)
{
	set_segment(&s->cs, (uint16_t)(cs_base >> 4), cs_base, 0xffff, 0x9b);
	set_segment(&s->ds, 0, 0, 0xffff, 0x93);
	s->cr0 = CR0_ET;
	s->rip = ip;
}

/* The boot vCPU starts in flat 32-bit protected mode with paging off (like a multiboot loader
 * leaves it, APM vol. 2, 14.1 for the initial state), with the boot argument in ebx and esi, or
 * in its firmware (enters_firmware); a vCPU started by INIT/SIPI starts in real mode at
 * vector << 12 (Intel SDM vol. 3, 8.4.4.1; the AMD APM describes the same startup IPI in 16.5). */
/* The guest's TSC is the host's plus tsc_offset (APM vol. 2, 15.30.5), and the host's timer
 * ticks are the TSC: the offset goes back by the pause. kvm-clock (guest_pvclock.c) reads the
 * guest's TSC against a reference taken in it, so it stands still with it. A TSC deadline is
 * kept as the host's TSC: it moves on by the pause. */
void arch_vcpu_shift_clock(struct vcpu *vcpu, uint64_t ticks)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->vmcb)
		return;
	a->vmcb->control.tsc_offset -= ticks;
	uint64_t deadline = a->lapic ? vlapic_tsc_deadline(a->lapic) : 0;
	if (deadline)
		vlapic_set_tsc_deadline(a->lapic, deadline + ticks);
}

void arch_vcpu_free(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (a->vmcb)
		frame_free(a->vmcb_pa, 1);
	a->vmcb = NULL;
	guest_fpu_free(a);
}

int arch_vcpu_init(struct vcpu *vcpu, gpa_t entry, uint64_t arg)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (permission_maps_init() < 0)
		return -ENOMEM;
	if (!a->vmcb) {
		paddr_t pa = frame_alloc(1, 1);
		if (!pa)
			return -ENOMEM;
		a->vmcb = phys_to_virt(pa);
		a->vmcb_pa = pa;
		a->lapic = vlapic_of(vcpu->vm, vcpu->id);
	}
	if (guest_fpu_reset(a) < 0)
		return -ENOMEM;
	struct vmcb *v = a->vmcb;
	memset(v, 0, sizeof(*v));
	memset(a->regs, 0, sizeof(a->regs));
	a->pending.active = false;
	a->shutdown = false;
	a->done_in_place = false;
	x86_pv_eoi_reset(a); /* its area is the old boot's memory */
	a->offered_vector = -1; /* the old boot's offer went with its local APIC (reset below) */
	x86_guest_walk_forget(vcpu);
	a->last_cpu = 0;
	a->tag = ++next_vcpu_tag;

	struct vmcb_control *c = &v->control;
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO |
			     SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_INVD;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_MONITOR |
			     SVM_INTERCEPT_MWAIT;
	c->iopm_base = virt_to_phys(vcpu->vm->arch.io_permission_map ? vcpu->vm->arch.io_permission_map : io_permission_map);
	c->msrpm_base = virt_to_phys(msr_permission_map);
	c->asid = vcpu->vm->arch.asid;
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING | SVM_INT_CTL_V_IGN_TPR;
	c->np_control = 1;
	c->nested_cr3 = virt_to_phys(vcpu->vm->arch.npt_root);

	struct vmcb_save *s = &v->save;
	a->started_by_sipi = vcpu->id != 0;
	bool linux_64 = !a->started_by_sipi && vcpu->vm->arch.linux_boot.active;
	if (a->started_by_sipi) {
		start_real_mode(s, entry & 0xffff0, 0);
	} else if (enters_firmware(vcpu->vm, entry)) {
		start_real_mode(s, entry & 0xf0000, entry & 0xffff);
	} else if (vcpu->vm->arch.linux_boot.active) {
		start_linux_64(vcpu);
	} else {
		set_segment(&s->cs, 0x08, 0, 0xffffffff, 0xc9b);
		set_segment(&s->ds, 0x10, 0, 0xffffffff, 0xc93);
		s->cr0 = CR0_PE | CR0_ET;
		s->rip = entry;
		a->regs[X86_RBX] = arg;
		a->regs[X86_RSI] = arg;
	}
	s->es = s->ss = s->fs = s->gs = s->ds;
	if (!linux_64)
		set_segment(&s->gdtr, 0, 0, 0xffff, 0);
	set_segment(&s->idtr, 0, 0, 0xffff, 0);
	set_segment(&s->ldtr, 0, 0, 0xffff, 0x82);
	set_segment(&s->tr, 0, 0, 0xffff, 0x8b);
	s->efer |= MSR_EFER_SVME; /* required by VMRUN (15.5.1); hidden from the guest's RDMSR */
	s->rflags = RFLAGS_FIXED;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = PAT_POWER_ON;
	if (a->lapic)
		vlapic_reset(a->lapic);
	return 0;
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	/* Loaded again whenever its task comes back to a CPU (the switch hooks), so each entry can
	 * take the CPU's host-state VMCB from here. */
	vcpu->arch.host_vmcb_pa = svm_enable_this_cpu();
	guest_fpu_load(&vcpu->arch);
}

void arch_vcpu_put(struct vcpu *vcpu)
{
	/* The VMCB and regs[] are memory; the FPU state and XCR0 live in the CPU's registers. */
	guest_fpu_put(&vcpu->arch);
}

void x86_guest_inject_exception(struct vcpu *vcpu, unsigned vector, bool has_error, uint32_t error)
{
	vcpu->arch.vmcb->control.event_inject = SVM_EVENT_VALID | SVM_EVENT_TYPE_EXCEPTION | vector |
						  (has_error ? SVM_EVENT_ERROR_VALID | ((uint64_t)error << 32) : 0);
}

/* The CPU mode the guest's code runs in, for the decoder. */
static enum x86_cpu_mode guest_mode(const struct vmcb_save *s)
{
	if ((s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L))
		return X86_MODE_64;
	if ((s->cr0 & CR0_PE) && (s->cs.attrib & SEG_ATTR_DB))
		return X86_MODE_32;
	return X86_MODE_16;
}

static uint64_t width_mask(unsigned width)
{
	return width >= 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
}

/* A register's value as an operand of 'width' bytes (AH..BH when high_byte). */
static uint64_t read_reg(struct vcpu_arch *a, unsigned reg, unsigned width, bool high_byte)
{
	if (high_byte)
		return (a->regs[reg - 4] >> 8) & 0xff;
	return a->regs[reg] & width_mask(width);
}

/* Writes a register as the CPU does: 32-bit results zero-extend, 8/16-bit ones merge. */
static void write_reg(struct vcpu_arch *a, unsigned reg, unsigned width, bool high_byte, uint64_t value)
{
	if (high_byte) {
		a->regs[reg - 4] = (a->regs[reg - 4] & ~0xff00ULL) | ((value & 0xff) << 8);
	} else if (width >= 4) {
		a->regs[reg] = value & width_mask(width);
	} else {
		a->regs[reg] = (a->regs[reg] & ~width_mask(width)) | (value & width_mask(width));
	}
}

/* RFLAGS after and/or/test (APM vol. 3: CF = OF = 0; SF, ZF, PF from the result). */
static void set_logic_flags(struct vmcb_save *s, uint64_t result, unsigned width)
{
	result &= width_mask(width);
	uint64_t f = s->rflags & ~RFLAGS_ARITH_MASK;
	if (!result)
		f |= 1ULL << 6;
	if ((result >> (8 * width - 1)) & 1)
		f |= 1ULL << 7;
	if (!(__builtin_popcount((unsigned)(result & 0xff)) & 1))
		f |= 1ULL << 2;
	s->rflags = f;
}

/* RFLAGS after cmp, the subtraction a - b (APM vol. 3, CMP: flags as SUB sets them). */
static void set_sub_flags(struct vmcb_save *s, uint64_t a, uint64_t b, unsigned width)
{
	uint64_t mask = width_mask(width), top = 1ULL << (8 * width - 1);
	a &= mask;
	b &= mask;
	uint64_t result = (a - b) & mask;
	set_logic_flags(s, result, width); /* ZF, SF, PF; CF and OF below */
	if (a < b)
		s->rflags |= 1ULL << 0;
	if (((a ^ b ^ result) >> 4) & 1)
		s->rflags |= 1ULL << 4;
	if ((a ^ b) & (a ^ result) & top)
		s->rflags |= 1ULL << 11;
}

static void fault(struct vm_exit *exit, uint64_t address, uint64_t cause, const char *what)
{
	exit->reason = EXIT_FAULT;
	exit->fault = (struct vm_exit_fault){ address, cause, what };
}

static uint64_t string_step(const struct vmcb_save *s, unsigned width)
{
	return (s->rflags & RFLAGS_DF) ? (uint64_t)-(int64_t)width : width;
}

/* A nested page fault outside guest RAM: fetch and decode the instruction (no decode assists),
 * then hand the core one access (15.25.6: EXITINFO2 = the guest-physical address). */
static void decode_npf(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	uint64_t info = v->control.exit_info1;
	gpa_t gpa = v->control.exit_info2;
	if (info & SVM_NPF_FETCH) {
		fault(exit, gpa, info, "instruction fetch outside guest RAM");
		return;
	}
	if (info & SVM_NPF_PAGE_TABLE_WALK) {
		fault(exit, gpa, info, "guest page table outside guest RAM");
		return;
	}
	uint8_t bytes[X86_INSN_MAX_LENGTH] = { 0 }; /* the message shows three, however few were read */
	uint64_t linear = v->save.cs.base + v->save.rip;
	/* Decoded where it lies when it cannot reach past its page (the common case, no copy). */
	const uint8_t *code = x86_guest_bytes_at(vcpu, linear, sizeof(bytes));
	size_t got = sizeof(bytes);
	if (!code) {
		/* Fetch what is there: the instruction may end right before an unmapped page. */
		code = bytes;
		got = 0;
		while (got < sizeof(bytes)) {
			size_t chunk = MIN(sizeof(bytes) - got, PAGE_SIZE - ((linear + got) & (PAGE_SIZE - 1)));
			if (x86_guest_read_linear(vcpu, linear + got, bytes + got, chunk) < 0)
				break;
			got += chunk;
		}
	}
	struct x86_insn *insn = &a->insn;
	if (x86_insn_decode_again(&a->decode_memo, code, got, guest_mode(&v->save), insn) < 0) {
		fault(exit, gpa, code[0] | (uint64_t)code[1] << 8 | (uint64_t)code[2] << 16,
		      "MMIO access by an instruction Tessera does not decode (first bytes in cause)");
		return;
	}
	bool write = (info & SVM_NPF_WRITE) != 0;
	a->next_rip = v->save.rip + insn->length;
	a->mmio_rmw = false;
	exit->reason = EXIT_MMIO;
	exit->mmio = (struct vm_exit_mmio){ .gpa = gpa, .width = insn->width, .write = write,
					    .reg = insn->reg < 0 ? 0 : (unsigned)insn->reg };
	switch (insn->op) {
	case X86_OP_STORE:
		exit->mmio.write = true;
		exit->mmio.value = insn->reg < 0 ? insn->immediate
						 : read_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte);
		break;
	case X86_OP_LOAD:
	case X86_OP_LOAD_ZERO:
	case X86_OP_TEST:
	case X86_OP_CMP:
		exit->mmio.write = false;
		break;
	case X86_OP_LOAD_SIGN:
		exit->mmio.write = false;
		exit->mmio.sign_extend = true;
		break;
	case X86_OP_AND:
	case X86_OP_OR:
	case X86_OP_XCHG:
		exit->mmio.write = false; /* read first; a memory result is written by the pending half */
		a->mmio_rmw = insn->memory_is_destination;
		break;
	case X86_OP_STOS:
		exit->mmio.write = true;
		exit->mmio.value = a->regs[X86_RAX] & width_mask(insn->width);
		break;
	case X86_OP_MOVS:
		if (write) {
			uint64_t value = 0;
			if (x86_guest_read_linear(vcpu, a->regs[X86_RSI], &value, insn->width) < 0) {
				fault(exit, a->regs[X86_RSI], info, "movs source not in guest RAM");
				return;
			}
			exit->mmio.value = value;
		}
		break;
	default:
		fault(exit, gpa, info, "unexpected decoded instruction");
		return;
	}
	if (insn->op == X86_OP_STOS || insn->op == X86_OP_MOVS) {
		a->mmio_string = true;
		if (insn->rep && (a->regs[X86_RCX] & width_mask(insn->address_size)) > 1)
			a->next_rip = v->save.rip; /* run it again for the next element */
	} else {
		a->mmio_string = false;
	}
}

/* IN/OUT and INS/OUTS (15.10.2): EXITINFO1 describes the access, EXITINFO2 is the next RIP. A
 * string form moves one element per exit; a REP form runs again until rCX reaches zero. */
static void decode_ioio(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	uint64_t info = v->control.exit_info1;
	unsigned width = (info >> SVM_IOIO_SIZE_SHIFT) & 7; /* one-hot 1, 2, 4 = the byte count */
	bool in = info & SVM_IOIO_IN;
	a->next_rip = v->control.exit_info2;
	a->pio_string = (info & SVM_IOIO_STRING) != 0;
	exit->reason = EXIT_PIO;
	exit->pio = (struct vm_exit_pio){ .port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT), .width = width, .write = !in };
	if (!a->pio_string) {
		if (!in)
			exit->pio.value = a->regs[X86_RAX] & width_mask(width);
		return;
	}
	unsigned address_size = (info >> SVM_IOIO_ADDR_SHIFT) & 7; /* one-hot 16, 32, 64 bits */
	a->insn.address_size = (uint8_t)(address_size == 1 ? 2 : address_size == 2 ? 4 : 8);
	a->insn.rep = (info & SVM_IOIO_REP) != 0;
	a->insn.width = (uint8_t)width;
	if (!in) {
		uint64_t value = 0;
		if (x86_guest_read_linear(vcpu, a->regs[X86_RSI] & width_mask(a->insn.address_size), &value, width) < 0) {
			fault(exit, a->regs[X86_RSI], info, "outs source not in guest RAM");
			return;
		}
		exit->pio.value = value;
	}
	if (a->insn.rep && (a->regs[X86_RCX] & width_mask(a->insn.address_size)) > 1)
		a->next_rip = v->save.rip;
}

static void decode_msr(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint32_t msr = (uint32_t)a->regs[X86_RCX];
	bool ok;
	exit->reason = EXIT_NONE;
	if (a->vmcb->control.exit_info1) {
		uint64_t value = (a->regs[X86_RDX] << 32) | (uint32_t)a->regs[X86_RAX];
		ok = x86_guest_wrmsr(vcpu, msr, value);
	} else {
		uint64_t value = 0;
		ok = x86_guest_rdmsr(vcpu, msr, &value);
		if (ok) {
			a->regs[X86_RAX] = (uint32_t)value;
			a->regs[X86_RDX] = value >> 32;
		}
	}
	if (ok) {
		a->next_rip = a->vmcb->save.rip + 2; /* 0F 32 / 0F 30 */
	} else {
		log_debug("VM[%u] vCPU %u: %s of MSR %#x outside the policy: #GP", vcpu->vm->id, vcpu->id,
			  a->vmcb->control.exit_info1 ? "write" : "read", msr);
		x86_guest_inject_exception(vcpu, X86_VECTOR_GP, true, 0);
		a->next_rip = a->vmcb->save.rip;
	}
}

static void report_invalid_vmcb(struct vcpu *vcpu)
{
	const struct vmcb_save *s = &vcpu->arch.vmcb->save;
	log_error("VM[%u] vCPU %u: VMRUN refused the VMCB (VMEXIT_INVALID): EFER %#llx CR0 %#llx CR3 %#llx "
		  "CR4 %#llx RFLAGS %#llx RIP %#llx CS %#x/%#x/%#x/%#llx ASID %u", vcpu->vm->id, vcpu->id,
		  (unsigned long long)s->efer, (unsigned long long)s->cr0, (unsigned long long)s->cr3,
		  (unsigned long long)s->cr4, (unsigned long long)s->rflags, (unsigned long long)s->rip,
		  s->cs.selector, s->cs.attrib, s->cs.limit, (unsigned long long)s->cs.base,
		  vcpu->arch.vmcb->control.asid);
}

/* A triple fault: the guest's state as it died and the exits that led there, so that whoever reads
 * the log can tell a guest's own crash (a broken stack or IDT) from an event Tessera gave it. */
static void report_shutdown(struct vcpu *vcpu)
{
	const struct vcpu_arch *a = &vcpu->arch;
	const struct vmcb_save *s = &a->vmcb->save;
	vm_log_warn(vcpu->vm, "vCPU %u: triple fault at RIP %#llx RSP %#llx RFLAGS %#llx EFER %#llx CR0 %#llx CR2 %#llx "
		    "CR3 %#llx CR4 %#llx IDTR %#llx/%#x GDTR %#llx/%#x TR %#x/%#llx GS %#llx", vcpu->id,
		 (unsigned long long)s->rip, (unsigned long long)s->rsp, (unsigned long long)s->rflags,
		 (unsigned long long)s->efer,
		 (unsigned long long)s->cr0, (unsigned long long)s->cr2, (unsigned long long)s->cr3,
		 (unsigned long long)s->cr4, (unsigned long long)s->idtr.base, s->idtr.limit,
		 (unsigned long long)s->gdtr.base, s->gdtr.limit, s->tr.selector, (unsigned long long)s->tr.base,
		 (unsigned long long)s->gs.base);
	for (unsigned i = 0; i < SVM_EXITS_RECORDED; i++) {
		const struct svm_exit_record *r = &a->recent_exits[(a->recent_exits_next + i) % SVM_EXITS_RECORDED];
		if (r->code || r->rip)
			vm_log_warn(vcpu->vm, "vCPU %u: exit -%u: code %#llx RIP %#llx info %#llx %#llx intinfo %#llx "
				    "injected %#llx int_ctl %#llx", vcpu->id, SVM_EXITS_RECORDED - i,
				 (unsigned long long)r->code, (unsigned long long)r->rip, (unsigned long long)r->info1,
				 (unsigned long long)r->info2, (unsigned long long)r->exit_int_info,
				 (unsigned long long)r->injected, (unsigned long long)r->int_ctl);
	}
}

static void decode_exit(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	uint64_t code = v->control.exit_code;
	a->exit_code = code;
	a->next_rip = v->save.rip;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		exit->reason = EXIT_IRQ; /* taken by the host's IDT when the run loop unmasks */
		return;
	case SVM_EXIT_INIT:
	case SVM_EXIT_VINTR:
		exit->reason = EXIT_NONE;
		return;
	case SVM_EXIT_CPUID:
		x86_guest_cpuid(vcpu);
		a->next_rip += 2; /* 0F A2 */
		exit->reason = EXIT_NONE;
		return;
	case SVM_EXIT_HLT:
		a->next_rip += 1; /* F4 */
		exit->reason = EXIT_HALT;
		return;
	case SVM_EXIT_IOIO:
		decode_ioio(vcpu, exit);
		return;
	case SVM_EXIT_MSR:
		decode_msr(vcpu, exit);
		return;
	case SVM_EXIT_VMMCALL:
		a->next_rip += 3; /* 0F 01 D9 */
		exit->reason = EXIT_HYPERCALL;
		exit->hypercall = (struct vm_exit_hypercall){
			.nr = a->regs[X86_RAX],
			.args = { a->regs[X86_RDI], a->regs[X86_RSI], a->regs[X86_RDX], a->regs[X86_RCX],
				  a->regs[X86_R8], a->regs[X86_R9] },
		};
		return;
	case SVM_EXIT_NPF:
		/* In the VM's RAM: a chunk not yet present (vm_ram_touch), whatever the access (a
		 * fetch, a table walk, a string store); the instruction runs again. The hot path passed
		 * it on: no device claims RAM. */
		if (vm_gpa_in_lazy_ram(vcpu->vm, v->control.exit_info2)) {
			exit->reason = EXIT_RAM;
			exit->ram_gpa = v->control.exit_info2;
			return;
		}
		decode_npf(vcpu, exit);
		return;
	case SVM_EXIT_INVD:
		a->next_rip += 2; /* 0F 08: nothing to write back in a guest's view */
		exit->reason = EXIT_NONE;
		return;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA: case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		/* SVM is hidden from the guest's CPUID: these are undefined opcodes to it. */
		x86_guest_inject_exception(vcpu, X86_VECTOR_UD, false, 0);
		exit->reason = EXIT_NONE;
		return;
	case SVM_EXIT_SHUTDOWN:
		report_shutdown(vcpu);
		a->shutdown = true;
		fault(exit, v->save.rip, code, "triple fault (shutdown): the VM stops");
		return;
	case SVM_EXIT_INVALID:
		report_invalid_vmcb(vcpu);
		a->shutdown = true;
		fault(exit, v->save.rip, code, "VMRUN failed (VMEXIT_INVALID): the VM stops");
		return;
	default:
		a->shutdown = true;
		fault(exit, v->save.rip, code, "unexpected #VMEXIT code: the VM stops");
		return;
	}
}

/* The pending second half of a read-modify-write, handed out without entering the guest. */
static bool take_pending(struct vcpu_arch *a, struct vm_exit *exit)
{
	if (!a->pending.active)
		return false;
	a->pending.active = false;
	exit->reason = EXIT_MMIO;
	exit->mmio = (struct vm_exit_mmio){ .gpa = a->pending.address, .width = a->pending.width, .write = true,
					    .value = a->pending.value };
	a->mmio_rmw = false;
	a->mmio_string = false;
	a->insn.op = X86_OP_STORE;
	a->insn.reg = -1;
	return true;
}

/* Offers the vCPU's highest deliverable interrupt through V_IRQ (15.21.4): the CPU delivers it
 * when the guest's RFLAGS.IF allows, and clears V_IRQ, which tells us it was taken. */
static void offer_interrupt(struct vcpu_arch *a)
{
	struct vmcb_control *c = &a->vmcb->control;
	c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | (0xffULL << SVM_INT_CTL_V_INTR_VECTOR_SHIFT) | (0xfULL << SVM_INT_CTL_V_INTR_PRIO_SHIFT));
	int vector = -1;
	if (a->lapic && !(c->event_inject & SVM_EVENT_VALID))
		vector = vlapic_pending_vector(a->lapic);
	/* What is withdrawn (the hot path offers again after a TPR write) was not taken: the next
	 * exit must not accept it. */
	__atomic_store_n(&a->offered_vector, vector, __ATOMIC_SEQ_CST); /* vapic.c, request_locked */
	if (vector < 0)
		return;
	c->int_ctl |= SVM_INT_CTL_V_IRQ | ((uint64_t)vector << SVM_INT_CTL_V_INTR_VECTOR_SHIFT) |
		      ((uint64_t)(vector >> 4) << SVM_INT_CTL_V_INTR_PRIO_SHIFT);
}

/* Device models and the MSR policy take locks, arm timers, wake tasks and log, all through the
 * per-CPU block that GS_BASE points at in the host: the hot path puts the host's GS base back
 * around them (the rest of what VMLOAD would restore is not used: see svm_run.S). Returns the
 * guest's, for host_gs_leave. */
static __attribute__((always_inline)) uint64_t host_gs_enter(const struct vcpu_arch *a)
{
	uint64_t guest_gs = rdmsr(MSR_GS_BASE);
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)percpu_of(a->last_cpu - 1));
	return guest_gs;
}

/* After an exit carried out on the hot path: offers what it made deliverable (an EOI, an
 * unmasked pin, a self-IPI, a deadline already past) as the full path would before entering,
 * puts the guest's GS base back, and returns whether the guest may be entered at once. What it
 * changed for the run loop (a request for this vCPU, another task to run here, a mapping gone
 * from the NPT) sends the exit on, already carried out (done_in_place). */
static __attribute__((always_inline)) bool host_gs_leave(struct vcpu *vcpu, uint64_t guest_gs, bool offer)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (offer)
		offer_interrupt(a);
	/* A mapping the access removed from the NPT must be flushed before the guest runs again,
	 * which the full path's entry does (npt.c). */
	bool again = !__atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE) && !this_cpu()->need_resched &&
		     __atomic_load_n(&vcpu->vm->arch.tlb_generation, __ATOMIC_ACQUIRE) == a->tlb_generation;
	a->done_in_place = !again;
	wrmsr(MSR_GS_BASE, guest_gs);
	return again;
}

/* RIP past the instruction an exit was for, which the hypervisor carried out, and past the
 * interrupt shadow of an STI or MOV SS just before it, which covered that instruction only
 * (APM vol. 2, 15.21.5, INTERRUPT_SHADOW; KVM's skip_emulated_instruction clears it likewise):
 * left set, an interrupt waits one instruction more. */
static inline void skip_to(struct vmcb *v, uint64_t rip)
{
	v->save.rip = rip;
	v->control.int_state &= ~SVM_INT_STATE_SHADOW;
}

/* arch_vcpu_finish_exit for the accesses a driver polls and pokes its registers with: a store, or a
 * load of 4 or 8 bytes into a register (which writes the whole register: APM vol. 1, 3.1.2.3, a
 * 32-bit result is zero-extended). false for any other form, left to arch_vcpu_finish_exit. */
static __attribute__((always_inline)) bool finish_plain_access(struct vcpu_arch *a, const struct vm_exit_mmio *mmio)
{
	const struct x86_insn *insn = &a->insn;
	if (a->pending.active)
		return false;
	if (insn->op == X86_OP_LOAD && insn->width >= 4 && insn->reg_width == insn->width && !insn->high_byte)
		a->regs[insn->reg & 15] = mmio->value & width_mask(insn->width);
	else if (insn->op != X86_OP_STORE)
		return false;
	skip_to(a->vmcb, a->next_rip);
	return true;
}

#define RFLAGS_TF (1ULL << 8)
#define DR7_BREAKPOINTS_ENABLED 0xffULL /* L0-L3 and G0-G3 (APM vol. 2, 13.1.1.5) */

/* Where a decoded instruction's memory operand points, from the registers as they are and the
 * address of the instruction after it; false where the decode does not say (16-bit addressing,
 * the moffs forms) or FS or GS, whose bases are their own, is named. For 64-bit code, where the
 * other segments' bases are 0 (APM vol. 2, 4.5.3). */
static bool operand_linear(const struct vcpu_arch *a, const struct x86_insn *insn, uint64_t next_rip, uint64_t *linear)
{
	const struct x86_address *at = &insn->address;
	if (!at->known || insn->segment == 4 || insn->segment == 5)
		return false;
	uint64_t address = (uint64_t)(int64_t)at->displacement;
	if (at->rip_relative)
		address += next_rip;
	if (at->base >= 0)
		address += a->regs[at->base & 15];
	if (at->index >= 0)
		address += a->regs[at->index & 15] * at->scale;
	*linear = insn->address_size == 4 ? (uint32_t)address : address;
	return true;
}

/* Whether the instruction after an emulated one may be carried out in the same exit: not where
 * the guest could tell (single-stepping, a DR7 breakpoint), and at CPL 0 only, where no alignment
 * check (#AC, APM vol. 2, 8.2.19), IOPL or TSS permission bitmap (13.3) can refuse it. Then its
 * bytes, copied up to the end of their page (x86_guest_bytes_at stays inlined into decode_npf, on
 * every MMIO exit's way), which must also hold the end of the emulated instruction: the guest ran
 * code there, so it may be fetched; one on the next page is left to the CPU, which checks.
 * Returns how many bytes, 0 for none. The place is remembered until something is carried out
 * there (unfused_rip): a driver polling a register runs the same pair over and over. */
static size_t fetch_next_to_fuse(struct vcpu *vcpu, uint8_t *code, size_t max)
{
	struct vcpu_arch *a = &vcpu->arch;
	const struct vmcb_save *s = &a->vmcb->save;
	if ((s->rflags & RFLAGS_TF) || (s->dr7 & DR7_BREAKPOINTS_ENABLED) || s->cpl != 0)
		return 0;
	a->unfused_rip = s->rip + 1;
	uint64_t rip = s->cs.base + s->rip;
	size_t size = MIN(max, PAGE_SIZE - (rip & (PAGE_SIZE - 1)));
	if ((rip & (PAGE_SIZE - 1)) == 0 || x86_guest_read_linear(vcpu, rip, code, size) < 0)
		return 0;
	return size;
}

/* The fetched instruction was carried out: past it (skip_to), and nothing to remember. */
static void fused(struct vcpu_arch *a, uint64_t length)
{
	skip_to(a->vmcb, a->vmcb->save.rip + length);
	a->unfused_rip = 0;
}

/* Drivers reach an index/data register pair with two adjacent instructions: Linux's io_apic_read
 * writes IOREGSEL and reads IOWIN at once, half of the IOAPIC's 517 exits in a Debian boot. After
 * a plain access carried out in place, the instruction after it, when it is another plain move
 * within the same page, is carried out in the same exit, as the CPU would have run it: an
 * interrupt arriving between the two is taken after the second, as if it had come a moment
 * later (and see fetch_next_to_fuse). 64-bit code only (operand_linear). The same linear page is
 * the same guest-physical page, whose mapping the first access proved for a write, or for a read
 * after a read (a write after a read is left to the CPU, which checks it); a LOCKed mov is #UD.
 * Returns FUSED_NONE, or whether the access it made read or wrote. */
enum fused { FUSED_NONE, FUSED_READ, FUSED_WRITE };
static __attribute__((noinline)) enum fused fuse_next_access(struct vcpu *vcpu, gpa_t first_gpa, bool first_write)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	const struct x86_insn *done = &a->insn;
	/* Where the first pointed: its registers are as they were unless it loaded one of them. Its
	 * linear page is known to be first_gpa's only where the offsets agree and it did not cross a
	 * page (one that did faulted on the second page, whose address the exit gives). */
	uint64_t first_linear;
	if (guest_mode(&v->save) != X86_MODE_64 ||
	    (done->op != X86_OP_STORE && (done->reg == done->address.base || done->reg == done->address.index)) ||
	    !operand_linear(a, done, v->save.rip, &first_linear) ||
	    (first_linear & (PAGE_SIZE - 1)) != (first_gpa & (PAGE_SIZE - 1)) ||
	    (first_linear + done->width - 1) >> 12 != first_linear >> 12)
		return FUSED_NONE;
	uint8_t code[X86_INSN_MAX_LENGTH];
	size_t size = fetch_next_to_fuse(vcpu, code, sizeof(code));
	struct x86_insn insn;
	if (size == 0 || x86_insn_decode(code, size, X86_MODE_64, &insn) < 0)
		return FUSED_NONE;
	bool write = insn.op == X86_OP_STORE;
	bool plain_load = insn.op == X86_OP_LOAD && insn.width >= 4 && insn.reg_width == insn.width && !insn.high_byte;
	uint64_t linear;
	if ((!write && !plain_load) || (write && !first_write) || insn.lock || !operand_linear(a, &insn, v->save.rip + insn.length, &linear) ||
	    linear >> 12 != first_linear >> 12 || (linear + insn.width - 1) >> 12 != linear >> 12)
		return FUSED_NONE;
	gpa_t gpa = (first_gpa & ~(gpa_t)(PAGE_SIZE - 1)) | (linear & (PAGE_SIZE - 1));
	struct vdev *dev = vdev_bus_find(&vcpu->vm->mmio_bus, gpa, insn.width);
	if (!dev)
		return FUSED_NONE;
	uint64_t value = !write ? 0 : insn.reg < 0 ? insn.immediate : read_reg(a, (unsigned)insn.reg, insn.width, insn.high_byte);
	enum vm_exit_result result = vdev_access(dev, vcpu, gpa - dev->base, insn.width, write, &value);
	if (result == EXIT_UNCLAIMED)
		return FUSED_NONE; /* nothing was done: the guest runs it, and it exits */
	if (result == EXIT_GUEST_FAULT)
		value = ~0ULL; /* as arch_vcpu_inject_fault answers an access the device refused */
	if (!write)
		a->regs[insn.reg & 15] = value & width_mask(insn.width);
	fused(a, insn.length);
	if (a->accesses_fused++ == 0)
		vm_log_info(vcpu->vm, "vCPU %u: an MMIO access carried out in the exit of the one before it (%s %#llx)",
			    vcpu->id, write ? "write to" : "read of", (unsigned long long)gpa);
	return write ? FUSED_WRITE : FUSED_READ;
}

/* An MMIO access by a plain load, store, test or compare, carried out on the hot path. The string
 * and read-modify-write forms, and accesses nobody claims, go the full way, which decodes them
 * again (rare: the decode has no side effect). */
static bool mmio_in_place(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	struct vm_exit exit;
	/* The decoder and the completion work on regs[]; rax and rsp are in the VMCB meanwhile. */
	a->regs[X86_RAX] = v->save.rax;
	a->regs[X86_RSP] = v->save.rsp;
	decode_npf(vcpu, &exit);
	if (exit.reason != EXIT_MMIO || a->mmio_rmw || a->mmio_string)
		return false;
	uint64_t guest_gs = host_gs_enter(a);
	enum vm_exit_result result = vcpu_mmio_in_place(vcpu, exit.mmio.gpa, exit.mmio.width, exit.mmio.write,
							&exit.mmio.value);
	if (result == EXIT_UNCLAIMED) {
		wrmsr(MSR_GS_BASE, guest_gs);
		return false; /* nothing was done: the run loop logs it */
	}
	bool wrote = exit.mmio.write;
	if (result != EXIT_HANDLED)
		arch_vcpu_inject_fault(vcpu, &exit);
	else if (!finish_plain_access(a, &exit.mmio))
		arch_vcpu_finish_exit(vcpu, &exit);
	/* A driver polling a register runs the same access and the same next instruction over and
	 * over: one found not to be a move to the page is not looked at again. */
	else if (a->unfused_rip != v->save.rip + 1 && fuse_next_access(vcpu, exit.mmio.gpa, wrote) == FUSED_WRITE)
		wrote = true;
	v->save.rax = a->regs[X86_RAX];
	v->save.rsp = a->regs[X86_RSP];
	return host_gs_leave(vcpu, guest_gs, wrote);
}

/* RDMSR/WRMSR through the MSR policy (guest_msr.c), on the hot path: Linux writes the
 * TSC-deadline MSR for every timer it sets. */
static bool msr_in_place(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	struct vm_exit exit;
	a->regs[X86_RAX] = v->save.rax;
	uint64_t guest_gs = host_gs_enter(a);
	decode_msr(vcpu, &exit);
	vcpu_count_exit(vcpu, EXIT_NONE);
	v->save.rax = a->regs[X86_RAX];
	skip_to(v, a->next_rip);
	return host_gs_leave(vcpu, guest_gs, v->control.exit_info1 != 0);
}

/* Called by svm_run.S right after each #VMEXIT, GIF still clear: answers the exits that need
 * nothing from the generic run loop and returns true to re-enter the guest at once, or returns
 * false for the exit to take the full path (arch_vcpu_run, then the core's dispatcher). The guest's
 * FS, GS and TR are still loaded (see svm_run.S), so this touches only the vCPU's memory: no
 * this_cpu(), no lock, no log, except between host_gs_enter and host_gs_leave. Hot: VMMCALL
 * with the benchmark's null number (the floor bench/x86_64 measures: a bare VMRUN/#VMEXIT round
 * trip through exactly this path), the hypercalls the core answers in place
 * (hypercall_answer_in_place), CPUID (guest_cpuid.c; Linux runs some 700 of them while it boots),
 * MMIO by plain moves, tests and compares (the local APIC's EOI, virtio notifications) and
 * RDMSR/WRMSR (the TSC deadline). Anything that needs the run loop goes the slow way: an
 * interrupt the guest took from V_IRQ (the local APIC must learn it), an event the exit
 * interrupted (EXITINTINFO, 15.7.2), a request for the vCPU, or a change of the VM's NPT that its
 * TLB must forget (15.16.1). A host interrupt or a kick (IPI) from another CPU needs no check
 * here: it is held pending while GIF is clear and makes the next VMRUN exit at once with INTR,
 * which is not hot. */
bool svm_hot_exit(uint64_t *regs);
bool svm_hot_exit(uint64_t *regs)
{
	struct vcpu *vcpu = container_of(regs, struct vcpu, arch.regs);
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	uint64_t code = v->control.exit_code;
	if ((code != SVM_EXIT_VMMCALL && code != SVM_EXIT_CPUID && code != SVM_EXIT_NPF && code != SVM_EXIT_MSR) ||
	    (v->control.exit_int_info & SVM_EVENT_VALID))
		return false;
	if (a->offered_vector >= 0 && !(v->control.int_ctl & SVM_INT_CTL_V_IRQ))
		return false;
	if (__atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE))
		return false;
	/* A mapping removed from the NPT since this run began: the full path flushes first (npt.c). */
	if (__atomic_load_n(&vcpu->vm->arch.tlb_generation, __ATOMIC_ACQUIRE) != a->tlb_generation)
		return false;
	/* The guest ended its interrupt through the PV EOI bit (guest_pv_eoi.c): the full path carries
	 * the EOI out, as a write of its register would have been (handled here, the host GS base it
	 * needs meanwhile cost every hot exit two more registers saved: 6 instructions on the floor). */
	if (a->pv_eoi_set && !(__atomic_load_n(a->pv_eoi_area, __ATOMIC_RELAXED) & 1))
		return false;
	/* What this entry asked for is done: the TLB flush, and the event delivered (no EXITINTINFO).
	 * Cleared first: an MMIO access may inject an exception for the next entry. */
	v->control.tlb_control = SVM_TLB_CONTROL_NOTHING;
	v->control.event_inject = 0;
	if (code == SVM_EXIT_NPF)
		return mmio_in_place(vcpu);
	if (code == SVM_EXIT_MSR)
		return msr_in_place(vcpu);
	if (code == SVM_EXIT_CPUID) {
		/* The CPUID policy reads only the vCPU, its VM and the host's CPUID. rax lives in the
		 * VMCB while the guest runs: the policy works on regs[]. */
		a->regs[X86_RAX] = v->save.rax;
		x86_guest_cpuid(vcpu);
		v->save.rax = a->regs[X86_RAX];
		skip_to(v, v->save.rip + 2); /* 0F A2 */
		vcpu_count_exit(vcpu, EXIT_NONE);
	} else if (v->save.rax != X86_HYPERCALL_NULL_EXIT) {
		int64_t result;
		if (!hypercall_answer_in_place(vcpu, v->save.rax, &result))
			return false;
		v->save.rax = (uint64_t)result;
		vcpu_count_exit(vcpu, EXIT_HYPERCALL);
		skip_to(v, v->save.rip + 3); /* 0F 01 D9 */
	} else {
		skip_to(v, v->save.rip + 3);
	}
	return true;
}

enum vm_exit_result arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (take_pending(a, exit))
		return EXIT_UNCLAIMED;
	struct vmcb *v = a->vmcb;
	unsigned cpu = this_cpu()->id;
	/* In the guest from here to the exit: an unmapping that misses the generation read below sees
	 * this and waits for the exit (npt.c; both sides sequentially consistent, as Dekker's). */
	__atomic_store_n(&a->in_guest, 1, __ATOMIC_SEQ_CST);
	uint64_t generation = __atomic_load_n(&vcpu->vm->arch.tlb_generation, __ATOMIC_SEQ_CST);
	/* Another guest context ran here last, or the NPT lost a mapping: flush this ASID (15.16.1). */
	if (last_run[cpu] != a->tag || a->last_cpu != cpu + 1 || a->tlb_generation != generation)
		v->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	last_run[cpu] = a->tag;
	a->last_cpu = cpu + 1;
	a->tlb_generation = generation;
	offer_interrupt(a); /* sets offered_vector, -1 for none */
	if (a->pv_eoi_area)
		x86_pv_eoi_before_entry(a);
	v->save.rax = a->regs[X86_RAX];
	v->save.rsp = a->regs[X86_RSP];
	uint64_t injected = v->control.event_inject;
	svm_run(a->regs, a->vmcb_pa, a->host_vmcb_pa);
	__atomic_store_n(&a->in_guest, 0, __ATOMIC_RELEASE);
	a->recent_exits[a->recent_exits_next++ % SVM_EXITS_RECORDED] = (struct svm_exit_record){
		v->control.exit_code, v->save.rip, v->control.exit_info1, v->control.exit_info2,
		v->control.exit_int_info, injected, v->control.int_ctl };
	a->regs[X86_RAX] = v->save.rax;
	a->regs[X86_RSP] = v->save.rsp;
	v->control.tlb_control = SVM_TLB_CONTROL_NOTHING;
	v->control.event_inject = 0;
	/* An interrupt we offered and the CPU took is now in service. */
	if (a->offered_vector >= 0 && !(v->control.int_ctl & SVM_INT_CTL_V_IRQ))
		vlapic_accept(a->lapic, a->offered_vector);
	if (a->pv_eoi_set)
		x86_pv_eoi_after_exit(a); /* after the accept: the EOI may be of what the guest just took */
	/* An event whose delivery the exit interrupted is delivered again (15.7.2 EXITINTINFO). */
	if (v->control.exit_int_info & SVM_EVENT_VALID)
		v->control.event_inject = v->control.exit_int_info;
	if (a->done_in_place) {
		a->done_in_place = false;
		return EXIT_HANDLED; /* counted there; the run loop looks at what it changed */
	}
	decode_exit(vcpu, exit);
	return EXIT_UNCLAIMED;
}

/* Out of line, as finish_pio: arch_vcpu_finish_exit is on every halt's way back into the guest,
 * which should not pay for their registers. */
static __attribute__((noinline)) void finish_mmio(struct vcpu *vcpu, const struct vm_exit_mmio *mmio)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb_save *s = &a->vmcb->save;
	const struct x86_insn *insn = &a->insn;
	uint64_t value = mmio_load_value(mmio->value, mmio->width, mmio->sign_extend);
	switch (insn->op) {
	case X86_OP_LOAD:
		write_reg(a, (unsigned)insn->reg, insn->reg_width, insn->high_byte, value);
		break;
	case X86_OP_LOAD_ZERO:
	case X86_OP_LOAD_SIGN: /* extended by mmio_load_value */
		write_reg(a, (unsigned)insn->reg, insn->reg_width, false, value);
		break;
	case X86_OP_TEST: {
		uint64_t other = insn->reg < 0 ? insn->immediate : read_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte);
		set_logic_flags(s, value & other, insn->width);
		break;
	}
	case X86_OP_CMP: {
		uint64_t other = insn->reg < 0 ? insn->immediate : read_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte);
		if (insn->memory_is_destination)
			set_sub_flags(s, value, other, insn->width);
		else
			set_sub_flags(s, other, value, insn->width);
		break;
	}
	case X86_OP_AND:
	case X86_OP_OR: {
		uint64_t other = insn->reg < 0 ? insn->immediate : read_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte);
		uint64_t result = insn->op == X86_OP_AND ? value & other : value | other;
		set_logic_flags(s, result, insn->width);
		if (a->mmio_rmw)
			a->pending = (struct pending_access){ true, false, mmio->gpa, mmio->width, result & width_mask(mmio->width) };
		else
			write_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte, result);
		break;
	}
	case X86_OP_XCHG: {
		uint64_t old = read_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte);
		a->pending = (struct pending_access){ true, false, mmio->gpa, mmio->width, old };
		write_reg(a, (unsigned)insn->reg, insn->width, insn->high_byte, value);
		break;
	}
	case X86_OP_MOVS:
	case X86_OP_STOS: {
		unsigned size = insn->address_size;
		/* A move from a device to what is not RAM (another device's window) is dropped: one
		 * access per exit is what Tessera emulates. Logged within the VM's fault budget. */
		if (insn->op == X86_OP_MOVS && !mmio->write &&
		    x86_guest_write_linear(vcpu, a->regs[X86_RDI] & width_mask(size), &value, mmio->width) < 0 &&
		    vm_log_budget(vcpu->vm, &vcpu->vm->fault_log_lines, 8, "faults given to the guest"))
			vm_log_warn(vcpu->vm, "vCPU %u: movs destination %#llx not in guest RAM: dropped", vcpu->id,
				    (unsigned long long)a->regs[X86_RDI]);
		uint64_t step = string_step(s, mmio->width);
		a->regs[X86_RDI] = (a->regs[X86_RDI] & ~width_mask(size)) | ((a->regs[X86_RDI] + step) & width_mask(size));
		if (insn->op == X86_OP_MOVS)
			a->regs[X86_RSI] = (a->regs[X86_RSI] & ~width_mask(size)) | ((a->regs[X86_RSI] + step) & width_mask(size));
		if (insn->rep)
			a->regs[X86_RCX] = (a->regs[X86_RCX] & ~width_mask(size)) | ((a->regs[X86_RCX] - 1) & width_mask(size));
		break;
	}
	default:
		break;
	}
}

static __attribute__((noinline)) void finish_pio(struct vcpu *vcpu, const struct vm_exit_pio *pio)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->pio_string) {
		if (!pio->write)
			write_reg(a, X86_RAX, pio->width, false, pio->value);
		return;
	}
	unsigned size = a->insn.address_size;
	unsigned index = pio->write ? X86_RSI : X86_RDI;
	if (!pio->write && x86_guest_write_linear(vcpu, a->regs[X86_RDI] & width_mask(size), &pio->value, pio->width) < 0)
		log_warn("VM[%u] vCPU %u: ins destination %#llx not in guest RAM: dropped", vcpu->vm->id, vcpu->id,
			 (unsigned long long)a->regs[X86_RDI]);
	uint64_t step = string_step(&a->vmcb->save, pio->width);
	a->regs[index] = (a->regs[index] & ~width_mask(size)) | ((a->regs[index] + step) & width_mask(size));
	if (a->insn.rep)
		a->regs[X86_RCX] = (a->regs[X86_RCX] & ~width_mask(size)) | ((a->regs[X86_RCX] - 1) & width_mask(size));
}

/* Port I/O as fuse_next_access does MMIO: after an OUT, a port read right after it (maybe after
 * one `mov $imm32, %e?x` that sets its port) is carried out in the OUT's exit: the CMOS index and data
 * (out %al,$0x70; in $0x71,%al: Linux's rtc_cmos_read) and PCI configuration by the type-1 ports
 * (out %eax,(%dx); mov $0xcfc,%edx; in (%dx),%eax: pci_conf1_read), 150 exits of a Debian boot.
 * Only reads are carried (a port write may stop or reset the machine), only in 32- and 64-bit
 * code (and see fetch_next_to_fuse). Out of line: arch_vcpu_finish_exit is on every halt's way
 * back into the guest. */
static __attribute__((noinline)) void fuse_next_port(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vmcb *v = a->vmcb;
	if (a->pio_string || guest_mode(&v->save) == X86_MODE_16 || a->unfused_rip == v->save.rip + 1)
		return;
	uint8_t code[8]; /* mov $imm32 (5 bytes), then 66 ED at most */
	size_t size = fetch_next_to_fuse(vcpu, code, sizeof(code)), at = 0;
	if (size == 0)
		return;
	int set_reg = -1;
	uint32_t set_value = 0;
	if (size >= 5 && (code[0] & 0xf8) == 0xb8) { /* B8+r: mov $imm32, r32 (no REX: eax-edi) */
		set_reg = code[0] & 7;
		set_value = code[1] | (uint32_t)code[2] << 8 | (uint32_t)code[3] << 16 | (uint32_t)code[4] << 24;
		at = 5;
	}
	unsigned width = 4;
	if (at < size && code[at] == 0x66) {
		width = 2;
		at++;
	}
	if (at >= size)
		return;
	uint8_t op = code[at++];
	uint16_t port;
	if ((op == 0xe4 || op == 0xe5) && at < size)
		port = code[at++];
	else if (op == 0xec || op == 0xed)
		port = (uint16_t)(set_reg == X86_RDX ? set_value : a->regs[X86_RDX]);
	else
		return;
	if (op == 0xe4 || op == 0xec) {
		if (width == 2)
			return; /* 66 before a byte form: left to the CPU */
		width = 1;
	}
	uint64_t value = 0;
	enum vm_exit_result result = vdev_bus_access(&vcpu->vm->pio_bus, vcpu, port, width, false, &value);
	if (result == EXIT_UNCLAIMED)
		return; /* nobody there: the guest runs it, and the exit logs it */
	if (result == EXIT_GUEST_FAULT)
		value = ~0ULL;
	if (set_reg >= 0)
		a->regs[set_reg] = set_value; /* a 32-bit move zero-extends (APM vol. 1, 3.1.2.3) */
	write_reg(a, X86_RAX, width, false, value);
	fused(a, at);
	if (a->ports_fused++ == 0)
		vm_log_info(vcpu->vm, "vCPU %u: a port read carried out in the exit of the write before it (port %#x)",
			    vcpu->id, port);
}

void arch_vcpu_finish_exit(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	switch (exit->reason) {
	case EXIT_MMIO:
		finish_mmio(vcpu, &exit->mmio);
		break;
	case EXIT_PIO:
		finish_pio(vcpu, &exit->pio);
		break;
	case EXIT_HYPERCALL:
		a->regs[X86_RAX] = (uint64_t)exit->hypercall.result;
		break;
	default:
		break;
	}
	/* The write half of a read-modify-write is still to come: stay on the instruction's RIP
	 * until it completes (the pending exit finishes it with next_rip unchanged). */
	if (!a->pending.active)
		skip_to(a->vmcb, a->next_rip);
	if (exit->reason == EXIT_PIO && exit->pio.write)
		fuse_next_port(vcpu);
}

/* What a PC does with an access nobody answers: reads return all ones, writes vanish (the core
 * has logged it once). Anything else the core refused: the VM stops if it cannot go on
 * (shutdown, VMRUN failure), else the guest gets #GP. */
void arch_vcpu_inject_fault(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (a->shutdown) {
		vm_log_warn(vcpu->vm, "vCPU %u: stopping the VM", vcpu->id);
		vm_request_stop(vcpu->vm);
		return;
	}
	if (exit->reason == EXIT_MMIO) {
		if (a->mmio_rmw && (a->insn.op == X86_OP_AND || a->insn.op == X86_OP_OR)) {
			a->mmio_rmw = false;
			skip_to(a->vmcb, a->next_rip); /* nothing there to modify */
			return;
		}
		struct vm_exit done = *exit;
		if (!done.mmio.write)
			done.mmio.value = ~0ULL;
		a->mmio_rmw = false;
		if (a->insn.op == X86_OP_XCHG) /* the exchange happens with nothing: the register reads ones */
			a->insn.op = X86_OP_LOAD;
		arch_vcpu_finish_exit(vcpu, &done);
		return;
	}
	if (exit->reason == EXIT_PIO) {
		struct vm_exit done = *exit;
		done.pio.value = ~0ULL;
		arch_vcpu_finish_exit(vcpu, &done);
		return;
	}
	x86_guest_inject_exception(vcpu, X86_VECTOR_GP, true, 0);
}

bool arch_vcpu_irq_pending(struct vcpu *vcpu)
{
	return vcpu->arch.lapic && vlapic_pending_vector(vcpu->arch.lapic) >= 0;
}
