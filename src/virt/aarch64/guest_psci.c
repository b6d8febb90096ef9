/* SPDX-License-Identifier: Apache-2.0 */
/* Guest PSCI (see virt_impl/guest_psci.h). Function ids and return codes: DEN0022D 5.1-5.2;
 * SMC Calling Convention ranges: DEN0028 2.5. */
#include "virt_impl/guest_psci.h"
#include "vmm/hypercall.h"
#include "vmm/ivc.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "lib/errno.h"
#include "arch_impl/sysreg.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_SYSTEM_RESET2 0x84000012u
#define SMC64 0x40000000u /* the 64-bit variant of a function id */
#define EC_HVC64 0x16 /* ESR_EL2 exception classes (Arm ARM D13.2.37) */
#define EC_SMC64 0x17

#define PSCI_VERSION_1_1 0x10001
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_MIGRATE_NOT_REQUIRED 2
#define AFFINITY_ON 0
#define AFFINITY_OFF 1

/* SMCCC fast calls owned by the architecture, CPU, SiP, OEM, standard secure/hypervisor services
 * and trusted apps/OS: bit 31 set (DEN0028 2.5). AxVisor's hypercall numbers are small. */
static bool is_smccc_call(uint64_t function)
{
	return (function & 0xffffffff00000000ULL) == 0 && (function & 0x80000000u);
}

static bool is_psci(uint32_t function)
{
	return (function & ~SMC64 & 0xffffffe0u) == 0x84000000u;
}

static bool supported(uint32_t function)
{
	switch (function & ~SMC64) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_OFF: case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO: case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: case PSCI_FEATURES: case PSCI_SYSTEM_RESET2:
		return true;
	default:
		return false;
	}
}

static int64_t affinity_info(struct vcpu *vcpu, uint64_t target_affinity)
{
	struct vcpu *target = vcpu_find_by_guest_id(vcpu->vm, target_affinity & 0xff00ffffffULL);
	if (!target)
		return PSCI_INVALID_PARAMETERS;
	return target->state == VCPU_OFF ? AFFINITY_OFF : AFFINITY_ON;
}

static inline __attribute__((always_inline)) bool guest_call_answer(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->arch.regs.x;
	int64_t result;
	if (is_psci((uint32_t)x[0]) && (x[0] >> 32) == 0) {
		switch ((uint32_t)x[0] & ~SMC64) {
		case PSCI_VERSION:
			result = PSCI_VERSION_1_1;
			break;
		case PSCI_FEATURES:
			result = supported((uint32_t)x[1]) && is_psci((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
			break;
		case PSCI_AFFINITY_INFO:
			result = affinity_info(vcpu, x[1]);
			break;
		case PSCI_MIGRATE_INFO_TYPE:
			result = PSCI_MIGRATE_NOT_REQUIRED;
			break;
		default:
			if (supported((uint32_t)x[0]))
				return false; /* a change of the vCPU's or the VM's state: the run loop's */
			result = PSCI_NOT_SUPPORTED;
			break;
		}
	} else if (is_smccc_call(x[0])) {
		result = PSCI_NOT_SUPPORTED;
	} else if (!hypercall_answer_in_place(vcpu, x[0], &result)) {
		return false; /* a hypercall for the run loop (or the IVC doorbell: doorbell_in_place) */
	}
	x[0] = (uint64_t)result;
	return true;
}

/* Tessera's IVC doorbell, rung from the exit path (guest_call_in_place), out of line so that the
 * calls answered from the registers alone keep a leaf's cost. */
static __attribute__((noinline)) struct guest_regs *doorbell_in_place(struct vcpu *vcpu, uint64_t ec)
{
	uint64_t *x = vcpu->arch.regs.x;
	int64_t result;
	if (!ivc_doorbell_in_place(vcpu, x[0], x[1], x[2], &result))
		return NULL; /* a hypercall for the run loop */
	x[0] = (uint64_t)result;
	vcpu->arch.regs.pc += ec == EC_SMC64 ? 4 : 0; /* a trapped SMC returns to itself (D1.10.4) */
	if (this_cpu()->need_resched || sched_cpu_has_waiting_tasks()) {
		/* A doorbell woke a peer that wants this CPU (now, or at the caller's next WFI, which
		 * must trap for it: HCR_EL2.TWI is chosen at entry). The call is answered; the
		 * scheduler's turn comes through the full exit path (which counts the exit), which
		 * must not answer it again. */
		vcpu->arch.call_answered = true;
		return NULL;
	}
	vcpu_count_exit(vcpu, EXIT_NONE);
	return &vcpu->arch.regs;
}

__attribute__((noinline)) struct guest_regs *guest_call_in_place(struct vcpu *vcpu)
{
	uint64_t ec = read_sysreg(esr_el2) >> 26;
	if (ec != EC_HVC64 && ec != EC_SMC64)
		return NULL;
	if (!guest_call_answer(vcpu))
		return doorbell_in_place(vcpu, ec);
	vcpu->arch.regs.pc += ec == EC_SMC64 ? 4 : 0; /* a trapped SMC returns to itself (D1.10.4) */
	vcpu_count_exit(vcpu, EXIT_NONE);
	return &vcpu->arch.regs;
}

void guest_psci_or_hypercall(struct vcpu *vcpu, struct vm_exit *exit)
{
	uint64_t *x = vcpu->arch.regs.x;
	if (guest_call_answer(vcpu)) {
		exit->reason = EXIT_NONE;
		return;
	}
	if (!is_psci((uint32_t)x[0]) || (x[0] >> 32) != 0) {
		exit->reason = EXIT_HYPERCALL;
		exit->hypercall = (struct vm_exit_hypercall){ .nr = x[0], .args = { x[1], x[2], x[3], x[4], x[5], x[6] } };
		return;
	}
	switch ((uint32_t)x[0] & ~SMC64) {
	case PSCI_CPU_SUSPEND:
		/* A standby or powerdown state: waiting for an interrupt is a correct implementation. */
		x[0] = PSCI_SUCCESS;
		exit->reason = EXIT_HALT;
		return;
	case PSCI_CPU_OFF:
		exit->reason = EXIT_CPU_OFF;
		return;
	case PSCI_CPU_ON:
		exit->reason = EXIT_CPU_ON;
		exit->cpu_on = (struct vm_exit_cpu_on){ .target = x[1] & 0xff00ffffffULL, .entry = x[2], .context = x[3] };
		return;
	case PSCI_SYSTEM_OFF:
		exit->reason = EXIT_SYSTEM_OFF;
		return;
	default: /* SYSTEM_RESET, SYSTEM_RESET2: guest_call_answer took every other function */
		exit->reason = EXIT_SYSTEM_RESET;
		return;
	}
}

int64_t guest_psci_result(int64_t core_result)
{
	if (core_result == 0)
		return PSCI_SUCCESS;
	return core_result == -EBUSY ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
}
