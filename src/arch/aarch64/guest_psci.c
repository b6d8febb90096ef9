/* Guest PSCI (see arch_impl/guest_psci.h). Function ids and return codes: DEN0022D 5.1-5.2;
 * SMC Calling Convention ranges: DEN0028 2.5. */
#include "arch_impl/guest_psci.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "lib/errno.h"

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

static void answer(struct vcpu *vcpu, struct vm_exit *exit, int64_t value)
{
	vcpu->arch.regs.x[0] = (uint64_t)value;
	exit->reason = EXIT_NONE;
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

static void handle_psci(struct vcpu *vcpu, uint32_t function, struct vm_exit *exit)
{
	uint64_t *x = vcpu->arch.regs.x;
	switch (function & ~SMC64) {
	case PSCI_VERSION:
		answer(vcpu, exit, PSCI_VERSION_1_1);
		return;
	case PSCI_FEATURES:
		answer(vcpu, exit, supported((uint32_t)x[1]) && is_psci((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
		return;
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
	case PSCI_AFFINITY_INFO: {
		struct vcpu *target = vcpu_find_by_guest_id(vcpu->vm, x[1] & 0xff00ffffffULL);
		if (!target)
			answer(vcpu, exit, PSCI_INVALID_PARAMETERS);
		else
			answer(vcpu, exit, target->state == VCPU_OFF ? AFFINITY_OFF : AFFINITY_ON);
		return;
	}
	case PSCI_MIGRATE_INFO_TYPE:
		answer(vcpu, exit, PSCI_MIGRATE_NOT_REQUIRED);
		return;
	case PSCI_SYSTEM_OFF:
		exit->reason = EXIT_SYSTEM_OFF;
		return;
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
		exit->reason = EXIT_SYSTEM_RESET;
		return;
	default:
		answer(vcpu, exit, PSCI_NOT_SUPPORTED);
		return;
	}
}

void guest_psci_or_hypercall(struct vcpu *vcpu, struct vm_exit *exit)
{
	uint64_t *x = vcpu->arch.regs.x;
	if (is_psci((uint32_t)x[0]) && (x[0] >> 32) == 0) {
		handle_psci(vcpu, (uint32_t)x[0], exit);
	} else if (is_smccc_call(x[0])) {
		answer(vcpu, exit, PSCI_NOT_SUPPORTED);
	} else {
		exit->reason = EXIT_HYPERCALL;
		exit->hypercall = (struct vm_exit_hypercall){ .nr = x[0], .args = { x[1], x[2], x[3], x[4], x[5], x[6] } };
	}
}

int64_t guest_psci_result(int64_t core_result)
{
	if (core_result == 0)
		return PSCI_SUCCESS;
	return core_result == -EBUSY ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
}
