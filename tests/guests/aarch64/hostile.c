/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile guest (tests/guests/common/hostile.c) on aarch64: loads and stores of every width
 * through plain LDR/STR, system registers read (MRS) and written (MSR, to the registers the
 * hypervisor traps), HVC and SMC with random function ids (PSCI's among them), and random
 * load/store encodings (pairs, exclusives, atomics, pre/post-index, register offset, SIMD)
 * executed from a page of its own with x1 as the base. Its config: hostile.toml. */
#include "guest.h"

#define HOSTILE_RAM_BASE 0x40000000ull
#define HOSTILE_RAM_SIZE 0x1000000ull
#define HOSTILE_SCRATCH_BASE 0x40800000ull
#define HOSTILE_SCRATCH_SIZE 0x400000ull
#define HOSTILE_SEED_ADDRESS 0x40f00000ull /* hostile.toml's ramdisk */
#define HOSTILE_HYPERVISOR_GUESS 0x40080000ull /* where Tessera itself loads on QEMU virt */
#define HOSTILE_ADDRESS_MASK 0xffffffffffull  /* 40 bits: past the stage-2 input range too */
#define HOSTILE_DEVICE_WINDOWS \
	{ 0x09000000, 0x1000 },    /* PL011 */ \
	{ 0x08000000, 0x10000 },   /* vGIC distributor */ \
	{ 0x080a0000, 0x20000 },   /* redistributor of vCPU 0 */ \
	{ 0x0a000000, 0x4000 }     /* QEMU's virtio-mmio slots: nobody's here */

#include "../common/hostile.c"

extern char __bss_end[];
static uint64_t dtb_start, dtb_end;
static uint32_t exec_page[1024] __attribute__((aligned(4096)));

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	(void)esr;
	(void)far;
	counts.faults++;
	return elr + 4; /* every probe is one instruction followed by the rest of its function */
}

static uint64_t arch_own_range_end(uint64_t a)
{
	if (a >= 0x40080000 && a < (uint64_t)__bss_end)
		return (uint64_t)__bss_end;
	if (a >= dtb_start && a < dtb_end)
		return dtb_end;
	if (a >= HOSTILE_SEED_ADDRESS && a < HOSTILE_SEED_ADDRESS + 16)
		return HOSTILE_SEED_ADDRESS + 16;
	return 0;
}

static void arch_access(uint64_t address, unsigned width, int store, uint64_t value)
{
	if (store) {
		switch (width) {
		case 1: __asm__ volatile("strb %w0, [%1]" : : "r"(value), "r"(address) : "memory"); break;
		case 2: __asm__ volatile("strh %w0, [%1]" : : "r"(value), "r"(address) : "memory"); break;
		case 4: __asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(address) : "memory"); break;
		default: __asm__ volatile("str %0, [%1]" : : "r"(value), "r"(address) : "memory"); break;
		}
		return;
	}
	uint64_t v;
	switch (width) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(address) : "memory"); break;
	case 2: __asm__ volatile("ldrsh %0, [%1]" : "=r"(v) : "r"(address) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(address) : "memory"); break;
	default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(address) : "memory"); break;
	}
	(void)v;
}

/* Runs one instruction word with x1 = base, x3 = offset, x2 and x4-x7 = value; the word must not
 * branch, and may only change x1-x7 and memory. */
static void run_word(uint32_t word, uint64_t base, uint64_t offset, uint64_t value)
{
	exec_page[0] = word;
	exec_page[1] = 0xd65f03c0; /* ret */
	__asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(exec_page) : "memory");
	register uint64_t x1 __asm__("x1") = base;
	register uint64_t x2 __asm__("x2") = value;
	register uint64_t x3 __asm__("x3") = offset;
	__asm__ volatile("mov x4, x2; mov x5, x2; mov x6, x2; mov x7, x2; blr %3"
			 : "+r"(x1), "+r"(x2), "+r"(x3)
			 : "r"(exec_page)
			 : "x0", "x4", "x5", "x6", "x7", "x30", "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6",
			   "v7");
}

/* A register among x2, x4-x7 (never x1, the base, nor x3, the offset). */
static uint32_t data_register(uint64_t r)
{
	static const uint32_t regs[] = { 2, 4, 5, 6, 7 };
	return regs[r % 5];
}

/* Encodings of the loads-and-stores group (Arm ARM C4.1: op0 = x1x0): random fields, with Rn =
 * x1, Rt and Rt2 data registers, and bits 20:16 (Rm or Rs where the form has one) x3. */
static void arch_word(uint64_t r, uint64_t address, uint64_t offset)
{
	uint32_t word = (uint32_t)r;
	word = (word & ~(1u << 25)) | (1u << 27);              /* op0 = x1x0 */
	word = (word & ~(0x1fu << 5)) | (1u << 5);             /* Rn = x1 */
	word = (word & ~0x1fu) | data_register(r >> 32);        /* Rt */
	word = (word & ~(0x1fu << 10)) | (data_register(r >> 40) << 10); /* Rt2 in pairs */
	word = (word & ~(0x1fu << 16)) | (3u << 16);            /* Rm / Rs = x3 */
	if (address >= HOSTILE_RAM_BASE && address < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE)
		address = HOSTILE_SCRATCH_BASE + (address % HOSTILE_SCRATCH_SIZE);
	run_word(word, address, offset, rng());
}

/* System register accesses: reads of any encoding (op0 2 or 3), writes to those the hypervisor
 * traps or that cannot hurt the guest itself (the GIC's CPU interface, ID registers, the PMU,
 * the timers, TPIDR/CONTEXTIDR), and SYS operations (cache, TLB, address translation) on an
 * address. */
static void arch_privileged(uint64_t r, uint64_t argument)
{
	uint32_t op1 = (r >> 8) & 7, crn = (r >> 11) & 15, crm = (r >> 15) & 15, op2 = (r >> 19) & 7;
	uint32_t rt = 2;
	switch (r % 3) {
	case 0: { /* MRS */
		uint32_t o0 = (r >> 22) & 1;
		run_word(0xd5300000 | (o0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt, 0, 0, 0);
		break;
	}
	case 1: { /* MSR, op0 = 3, to a register that leaves the guest's own execution alone */
		static const uint32_t safe_crn[] = { 0, 9, 12, 13, 14, 15, 11, 3 };
		crn = safe_crn[(r >> 24) % 8];
		if (crn == 12 && op1 == 0 && crm == 0) /* VBAR_EL1, RVBAR, RMR: the guest's vectors */
			crm = 12;
		run_word(0xd5100000 | (1u << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt, 0, 0,
			 argument);
		break;
	}
	default: /* SYS, op0 = 1: DC/IC/AT/TLBI (CRn 7, 8) on an address */
		crn = 7 + ((r >> 24) & 1);
		/* DC ZVA is a store of 64 zero bytes, natively to its RAM: never to its own code and
		 * data (a guess at the hypervisor's address is its own image here), as do_access. */
		if (argument >= HOSTILE_RAM_BASE && argument < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE)
			argument = HOSTILE_SCRATCH_BASE + (argument % HOSTILE_SCRATCH_SIZE);
		run_word(0xd5080000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt, 0, 0, argument);
		break;
	}
}

/* HVC or SMC with a random function id: PSCI's range, Tessera's and AxVisor's, or anything;
 * never those that end or park the caller (PSCI CPU_OFF, CPU_SUSPEND, SYSTEM_OFF/RESET/SUSPEND). */
static void arch_call(uint64_t r, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t fn;
	switch (r % 4) {
	case 0: fn = 0x84000000 | ((r >> 8) & 0x1f) | ((r >> 13) & 1 ? 0x40000000 : 0); break;
	case 1: fn = (r >> 8) & 0x1ff; break;
	case 2: fn = (r >> 8) & 0xffffffff; break;
	default: fn = r >> 8; break;
	}
	uint32_t psci = fn & 0xbfffffff;
	if ((fn >> 32) == 0 && (psci == 0x84000001 || psci == 0x84000002 || psci == 0x84000008 || psci == 0x84000009 ||
				 psci == 0x8400000e || psci == 0x84000012 || psci == 0x8400000c))
		fn = 0x84000000; /* PSCI_VERSION instead */
	if (r & (1ull << 62)) {
		register uint64_t x0 __asm__("x0") = fn;
		register uint64_t x1 __asm__("x1") = a1;
		register uint64_t x2 __asm__("x2") = a2;
		register uint64_t x3 __asm__("x3") = a3;
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	} else {
		hvc4(fn, a1, a2, a3, rng());
	}
}

void guest_main(uint64_t dtb)
{
	/* The device tree's size is in its header (big-endian totalsize at +4). */
	uint32_t size = __builtin_bswap32(((volatile uint32_t *)dtb)[1]);
	dtb_start = dtb;
	dtb_end = dtb + ((size + 7) & ~7u);
	hostile_run();
	system_off();
}
