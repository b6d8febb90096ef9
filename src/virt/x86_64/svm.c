/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU SVM state (AMD APM vol. 2, 15.4 "Enabling SVM" and 15.5.1 "VMRUN"): EFER.SVME, the host
 * save area whose address goes to VM_HSAVE_PA, and a host-state VMCB. VMRUN/#VMEXIT switch only
 * part of the state; FS, GS (the per-CPU pointer), TR (the interrupt stacks), LDTR and the
 * syscall MSRs move with VMLOAD/VMSAVE, so each CPU saves its own once here and svm_run.S loads it
 * back after every exit. Done lazily, the first time a vCPU is loaded on the CPU. */
#include "arch_impl/msr.h"
#include "virt_impl/svm.h"
#include "virt_impl/guest.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "lib/string.h"

static paddr_t host_save_area[MAX_CPUS];
static paddr_t host_state_vmcb[MAX_CPUS];

paddr_t svm_enable_this_cpu(void)
{
	unsigned cpu = this_cpu()->id;
	if (host_state_vmcb[cpu])
		return host_state_vmcb[cpu];
	paddr_t save = frame_alloc(1, 1), state = frame_alloc(1, 1);
	if (!save || !state)
		panic("svm: no memory for CPU %u's host save area", cpu);
	memset(phys_to_virt(save), 0, PAGE_SIZE);
	memset(phys_to_virt(state), 0, PAGE_SIZE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | MSR_EFER_SVME);
	guest_fpu_setup_this_cpu();
	wrmsr(MSR_VM_HSAVE_PA, save);
	__asm__ volatile("vmsave %%rax" : : "a"(state) : "memory");
	host_save_area[cpu] = save;
	host_state_vmcb[cpu] = state;
	log_debug("svm: CPU %u ready (host save area %#llx)", cpu, (unsigned long long)save);
	return state;
}
