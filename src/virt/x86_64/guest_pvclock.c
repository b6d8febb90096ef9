/* SPDX-License-Identifier: Apache-2.0 */
/* A paravirtual clock for guests, with the KVM ABI Linux already speaks (Linux
 * Documentation/virt/kvm/x86/msr.rst and cpuid.rst): Tessera keeps its own signature at CPUID
 * 0x40000000 and offers "KVMKVMKVM" at 0x40000100 with only the clocksource features (Linux scans
 * hypervisor bases in 0x100 steps). Why: on an AMD CPU Linux 6.1 measures the TSC against the PIT
 * by polling it (thousands of exits, and unreliable when each exit is slow, as under QEMU TCG);
 * with this clock it reads the TSC rate from memory, the clock itself costs no exit, and with the
 * TSC-deadline timer no PIT or APIC-timer calibration runs at all.
 *   MSR 0x4b564d01 (SYSTEM_TIME_NEW): gpa | 1 enables the vCPU's pvclock_vcpu_time_info there;
 *   MSR 0x4b564d00 (WALL_CLOCK_NEW):  gpa: the wall-clock time at system time 0 is written there.
 * System time 0 is the guest TSC value when the VM's first vCPU enabled its clock; every vCPU gets
 * the same reference and scale, and the TSC is one clock on all CPUs (tsc.c), so it is stable. */
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "virt_impl/svm.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "lib/string.h"

#define MSR_PV_WALL_CLOCK 0x4b564d00u
#define MSR_PV_SYSTEM_TIME 0x4b564d01u
#define PVCLOCK_TSC_STABLE 0x1u

struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __packed;

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __packed;

/* ns = ((tsc delta << shift) * mul) >> 32, with mul < 2^32: the TSC rate scaled into (1, 2] GHz. */
static void scale(uint64_t hz, uint32_t *mul, int8_t *shift)
{
	int s = 0;
	while (hz <= 1000000000ULL) {
		hz <<= 1;
		s++;
	}
	while (hz > 2000000000ULL) {
		hz >>= 1;
		s--;
	}
	*mul = (uint32_t)((1000000000ULL << 32) / hz);
	*shift = (int8_t)s;
}

static void set_reference(struct vcpu *vcpu)
{
	struct vm_arch *a = &vcpu->vm->arch;
	if (a->pvclock_ready)
		return;
	a->pvclock_tsc0 = rdtsc() + vcpu->arch.vmcb->control.tsc_offset;
	a->pvclock_wall_ns = x86_host_unix_time_ns();
	a->pvclock_ready = true;
}

/* A guest may write a bad area's address in a loop: a few lines per VM, not one per write. */
static bool log_bad_area(struct vcpu *vcpu)
{
	return vm_log_budget(vcpu->vm, &vcpu->vm->arch.pvclock_log_lines, 4, "bad paravirtual-clock areas");
}

bool x86_pvclock_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value)
{
	if (msr != MSR_PV_WALL_CLOCK && msr != MSR_PV_SYSTEM_TIME)
		return false;
	struct vm_arch *a = &vcpu->vm->arch;
	set_reference(vcpu);
	if (msr == MSR_PV_SYSTEM_TIME) {
		vcpu->arch.pvclock_msr = value;
		if (!(value & 1))
			return true;
		uint32_t mul;
		int8_t shift;
		scale(x86_tsc_frequency(), &mul, &shift);
		struct pvclock_vcpu_time_info info = { .version = 2, .tsc_timestamp = a->pvclock_tsc0, .system_time = 0,
						       .tsc_to_system_mul = mul, .tsc_shift = shift,
						       .flags = PVCLOCK_TSC_STABLE };
		if (vm_copy_to_guest(vcpu->vm, value & ~1ULL, &info, sizeof(info)) < 0 && log_bad_area(vcpu))
			vm_log_warn(vcpu->vm, "vCPU %u: pvclock area %#llx is not guest RAM", vcpu->id, (unsigned long long)value);
		return true;
	}
	vcpu->arch.pvclock_wall_msr = value;
	struct pvclock_wall_clock wall = { .version = 2, .sec = (uint32_t)(a->pvclock_wall_ns / 1000000000ULL),
					   .nsec = (uint32_t)(a->pvclock_wall_ns % 1000000000ULL) };
	if (vm_copy_to_guest(vcpu->vm, value, &wall, sizeof(wall)) < 0 && log_bad_area(vcpu))
		vm_log_warn(vcpu->vm, "vCPU %u: wall clock area %#llx is not guest RAM", vcpu->id, (unsigned long long)value);
	return true;
}

bool x86_pvclock_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value)
{
	if (msr == MSR_PV_SYSTEM_TIME)
		*value = vcpu->arch.pvclock_msr;
	else if (msr == MSR_PV_WALL_CLOCK)
		*value = vcpu->arch.pvclock_wall_msr;
	else
		return false;
	return true;
}
