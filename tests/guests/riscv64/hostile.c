/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile guest (tests/guests/common/hostile.c) on riscv64: loads and stores of every width,
 * CSRs read (any number) and written (any but its own S-mode ones), SBI calls with random
 * extensions, functions and arguments (Tessera's HVC extension among them), and random
 * load/store/AMO encodings, compressed ones included, executed from a page of its own with a1 as
 * the base. Its config: hostile.toml. */
#include "guest.h"

#define HOSTILE_RAM_BASE 0x80000000ull
#define HOSTILE_RAM_SIZE 0x1000000ull
#define HOSTILE_SCRATCH_BASE 0x80800000ull
#define HOSTILE_SCRATCH_SIZE 0x400000ull
#define HOSTILE_SEED_ADDRESS 0x80f00000ull /* hostile.toml's ramdisk */
#define HOSTILE_HYPERVISOR_GUESS 0x80200000ull /* where Tessera loads behind OpenSBI on QEMU virt */
#define HOSTILE_ADDRESS_MASK 0xffffffffffull
#ifndef HOSTILE_INTERRUPT_CONTROLLERS
#define HOSTILE_INTERRUPT_CONTROLLERS { 0x0c000000, 0x600000 } /* vPLIC */
#endif
#define HOSTILE_DEVICE_WINDOWS \
	{ 0x10000000, 0x1000 },    /* 16550 */ \
	HOSTILE_INTERRUPT_CONTROLLERS, \
	{ 0x10001000, 0x8000 },    /* QEMU's virtio-mmio slots: nobody's here */ \
	{ 0x02000000, 0x10000 }    /* where QEMU's CLINT is: not the guest's */

#include "../common/hostile.c"

extern char __bss_end[];
static uint64_t dtb_start, dtb_end;
static uint32_t exec_page[1024] __attribute__((aligned(4096)));

uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	(void)scause;
	(void)stval;
	counts.faults++;
	uint16_t first = *(volatile uint16_t *)sepc;
	return sepc + ((first & 3) == 3 ? 4 : 2); /* past the faulting instruction, compressed or not */
}

static uint64_t arch_own_range_end(uint64_t a)
{
	if (a >= 0x80200000 && a < (uint64_t)__bss_end)
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
		case 1: __asm__ volatile("sb %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
		case 2: __asm__ volatile("sh %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
		case 4: __asm__ volatile("sw %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
		default: __asm__ volatile("sd %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
		}
		return;
	}
	uint64_t v;
	switch (width) {
	case 1: __asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(address) : "memory"); break;
	case 2: __asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(address) : "memory"); break;
	case 4: __asm__ volatile("lwu %0, 0(%1)" : "=r"(v) : "r"(address) : "memory"); break;
	default: __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(address) : "memory"); break;
	}
	(void)v;
}

/* Runs one instruction (a 32-bit word, or a 16-bit one padded with c.nop) with a1 = base,
 * a2 = value, a3-a5 = value; it may change t0-t2, a1-a5 and memory. */
static void run_word(uint32_t word, int compressed, uint64_t base, uint64_t value)
{
	uint16_t *half = (uint16_t *)exec_page;
	if (compressed) {
		half[0] = (uint16_t)word;
		half[1] = 0x0001; /* c.nop */
	} else {
		half[0] = (uint16_t)word;
		half[1] = (uint16_t)(word >> 16);
	}
	exec_page[1] = 0x00008067; /* ret */
	__asm__ volatile("fence.i" : : : "memory");
	register uint64_t a1 __asm__("a1") = base;
	register uint64_t a2 __asm__("a2") = value;
	__asm__ volatile("mv a3, a2; mv a4, a2; mv a5, a2; jalr ra, 0(%2)"
			 : "+r"(a1), "+r"(a2)
			 : "r"(exec_page)
			 : "ra", "t0", "t1", "t2", "a0", "a3", "a4", "a5", "memory");
}

/* LOAD, STORE, LOAD-FP, STORE-FP and AMO words (RISC-V unprivileged spec, chapter 34 opcode map)
 * with random fields, rs1 = a1, rs2 = a2, rd = t0-t2; or the compressed loads and stores of
 * quadrant 0 (c.lw, c.ld, c.sw, c.sd, c.fld, c.fsd) with rs1' = a1 and rd'/rs2' = a2-a5. */
static void arch_word(uint64_t r, uint64_t address, uint64_t offset)
{
	(void)offset;
	if (address >= HOSTILE_RAM_BASE && address < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE)
		address = HOSTILE_SCRATCH_BASE + (address % HOSTILE_SCRATCH_SIZE);
	if (r & 1) {
		uint32_t funct3 = 1 + (uint32_t)((r >> 1) % 7); /* 001..111: c.fld .. c.sd (000 is c.addi4spn) */
		if (funct3 == 4)
			funct3 = 3;                              /* 100 is reserved: c.ld instead */
		uint32_t word = (funct3 << 13) | ((uint32_t)(r >> 8) & 0x1c60) | (3u << 7) | ((4u + ((r >> 20) & 3)) << 2);
		run_word(word, 1, address, rng());
		return;
	}
	static const uint32_t opcodes[] = { 0x03, 0x23, 0x07, 0x27, 0x2f };
	uint32_t word = (uint32_t)(r >> 16);
	word = (word & ~0x7fu) | opcodes[(r >> 4) % 5];
	word = (word & ~(0x1fu << 15)) | (11u << 15);                   /* rs1 = a1 */
	word = (word & ~(0x1fu << 20)) | (12u << 20);                   /* rs2 = a2 (stores, AMOs) */
	/* Stores keep their random immediate in bits 11:7; the others load into rd = t0-t2. */
	if (opcodes[(r >> 4) % 5] != 0x23 && opcodes[(r >> 4) % 5] != 0x27)
		word = (word & ~(0x1fu << 7)) | ((5u + ((r >> 8) % 3)) << 7);
	run_word(word, 0, address, rng());
}

/* CSR reads of any number; writes (csrrw) of any but the guest's own supervisor CSRs (0x1xx,
 * 0x5xx, 0x9xx, 0xdxx), which it needs to keep running. */
static void arch_privileged(uint64_t r, uint64_t argument)
{
	uint32_t csr = (uint32_t)(r >> 8) & 0xfff;
	if (r & 1) {
		run_word((csr << 20) | (2u << 12) | (5u << 7) | 0x73, 0, 0, 0); /* csrrs t0, csr, x0 */
		return;
	}
	uint32_t mode = (csr >> 8) & 0xf;
	if (mode == 1 || mode == 5 || mode == 9 || mode == 0xd)
		csr ^= 0x200; /* into the VS/hypervisor ranges (0x2xx, 0x6xx...) */
	run_word((csr << 20) | (11u << 15) | (1u << 12) | (5u << 7) | 0x73, 0, argument, 0); /* csrrw t0, csr, a1 */
}

/* An SBI call: a known extension (or any), a function and arguments; never those that end or park
 * the hart (SRST, the legacy shutdown, HSM stop and suspend). */
static void arch_call(uint64_t r, uint64_t a1, uint64_t a2, uint64_t a3)
{
	static const uint64_t extensions[] = {
		0x10, 0x54494d45, 0x735049, 0x52464e43, 0x48534d, 0x485643, 0x4442434e, 0x504d55, 0, 1, 2, 3, 4, 5, 6, 7,
	};
	uint64_t eid = (r & 15) < 14 ? extensions[(r >> 4) % 16] : r >> 8;
	uint64_t fid = (r >> 16) & 0xff;
	if (eid == 0x53525354 || eid == 8 || (eid == 0x48534d && (fid == 1 || fid == 3)))
		eid = 0x10;
	sbi_call4(eid, fid, a1, a2, a3, rng());
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	uint32_t size = __builtin_bswap32(((volatile uint32_t *)dtb)[1]);
	dtb_start = dtb;
	dtb_end = dtb + ((size + 7) & ~7u);
	hostile_run();
	system_off();
}
