/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's x87/SSE/AVX state and XCR0, which VMRUN and #VMEXIT leave in the CPU's registers (AMD
 * APM vol. 2, 15.5.1: the VMCB holds no FPU state). The hypervisor itself never touches them (it is
 * built without SSE), so a CPU running one vCPU needs nothing; when it switches to another task
 * (another vCPU, possibly another VM's, or idle), the vCPU's state is saved into its own area and
 * restored when it runs again, so no guest sees or changes another's registers.
 *
 * With XSAVE (CPUID.1:ECX[26]): every component the CPU supports (CPUID.(0DH,0):EDX:EAX), XCR0
 * set to all of them around the save and restore and the guest's own value put back before it
 * runs (APM vol. 2, 11.5; Intel SDM vol. 1, 13.7-13.8). Without it, FXSAVE's x87 and SSE. */
#include "virt_impl/vm.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define LEAF1_ECX_XSAVE (1u << 26)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)
#define XCR0_X87 1ull
/* The state at power-on (APM vol. 2, 14.1.3): FCW 0x037f, MXCSR 0x1f80, in the legacy area's
 * layout that FXSAVE and XSAVE share. XRSTOR loads MXCSR whenever SSE or AVX is requested, even
 * for a component in its initial state, so the area must hold the right one from the start. */
#define AREA_FCW 0
#define AREA_MXCSR 24
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80

static bool have_xsave;
static uint64_t xsave_mask;     /* the components the CPU supports */

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static inline void xsetbv0(uint64_t value)
{
	__asm__ volatile("xsetbv" : : "a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(0));
}

void guest_fpu_setup_this_cpu(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	have_xsave = cpuid(1, 0).ecx & LEAF1_ECX_XSAVE;
	if (have_xsave) {
		struct cpuid_regs r = cpuid(0xd, 0);
		xsave_mask = (uint64_t)r.edx << 32 | r.eax;
		cr4 |= CR4_OSXSAVE;
	}
	write_cr4(cr4);
}

void guest_fpu_free(struct vcpu_arch *a)
{
	if (a->fpu_area)
		frame_free(virt_to_phys(a->fpu_area), a->fpu_area_bytes / PAGE_SIZE);
	a->fpu_area = NULL;
}

int guest_fpu_reset(struct vcpu_arch *a)
{
	if (!a->fpu_area) {
		/* XSAVE's area for every supported component (CPUID.(0DH,0):ECX), 64-byte aligned: a
		 * page is enough for all but AVX-512's 2.7 KiB more, which is still below two. */
		size_t bytes = have_xsave ? cpuid(0xd, 0).ecx : 512;
		size_t frames = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		paddr_t pa = frame_alloc(frames, 1);
		if (!pa)
			return -ENOMEM;
		a->fpu_area = phys_to_virt(pa);
		a->fpu_area_bytes = frames * PAGE_SIZE;
	}
	memset(a->fpu_area, 0, a->fpu_area_bytes); /* XSTATE_BV 0: every component in its initial state */
	uint8_t *area = a->fpu_area;
	area[AREA_FCW] = (uint8_t)FCW_INIT;
	area[AREA_FCW + 1] = (uint8_t)(FCW_INIT >> 8);
	area[AREA_MXCSR] = (uint8_t)MXCSR_INIT;
	area[AREA_MXCSR + 1] = (uint8_t)(MXCSR_INIT >> 8);
	a->xcr0 = XCR0_X87;
	return 0;
}

void guest_fpu_load(struct vcpu_arch *a)
{
	if (!a->fpu_area)
		return;
	if (!have_xsave) {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(a->fpu_area) : "memory");
		return;
	}
	xsetbv0(xsave_mask);
	__asm__ volatile("xrstor64 (%0)" : : "r"(a->fpu_area), "a"((uint32_t)xsave_mask),
			 "d"((uint32_t)(xsave_mask >> 32)) : "memory");
	xsetbv0(a->xcr0);
}

void guest_fpu_put(struct vcpu_arch *a)
{
	if (!a->fpu_area)
		return;
	if (!have_xsave) {
		__asm__ volatile("fxsave64 (%0)" : : "r"(a->fpu_area) : "memory");
		return;
	}
	a->xcr0 = xgetbv0();
	xsetbv0(xsave_mask);
	__asm__ volatile("xsave64 (%0)" : : "r"(a->fpu_area), "a"((uint32_t)xsave_mask),
			 "d"((uint32_t)(xsave_mask >> 32)) : "memory");
}
