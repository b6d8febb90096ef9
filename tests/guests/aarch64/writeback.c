/* SPDX-License-Identifier: Apache-2.0 */
/* Loads and stores to an emulated device in the forms whose data abort carries no syndrome
 * (ESR_EL2.ISV = 0): pre- and post-index writeback, every width, zero and sign extension into W
 * and X registers, SP as the base; and the register-offset forms beside them. Each is checked
 * against the same access made with a plain LDR/STR (which has a syndrome), and its base against
 * what the CPU would leave there. What Tessera must keep refusing (a pair, writeback into the
 * register loaded) aborts. Bare-metal code built by GCC at -O2 makes such accesses: `*reg |= bit`
 * becomes `ldr w9, [x8, #128]!`. */
#include "guest.h"

#define PL011_IMSC (UART_BASE + 0x038)      /* read-write, 11 bits */
#define PL011_PERIPHID0 (UART_BASE + 0xfe0) /* reads 0x11 */
#define PL011_PCELLID1 (UART_BASE + 0xff4)  /* reads 0xf0: negative as a signed byte */

static volatile unsigned aborts, checked, wrong;

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	puts_uart("writeback: abort ESR ");
	put_hex(esr);
	puts_uart(" FAR ");
	put_hex(far);
	putc_uart('\n');
	aborts++;
	return elr + 4;
}

static void check(const char *what, uint64_t value, uint64_t want, uint64_t base, uint64_t want_base)
{
	checked++;
	if (value == want && base == want_base)
		return;
	wrong++;
	puts_uart("writeback: ");
	puts_uart(what);
	puts_uart(" read ");
	put_hex(value);
	puts_uart(" want ");
	put_hex(want);
	puts_uart(", base ");
	put_hex(base);
	puts_uart(" want ");
	put_hex(want_base);
	putc_uart('\n');
}

/* A load with writeback (or a register offset) from `start`, beside the plain load `plain` of
 * `at`: the value must match, and the base must end at `end`. The loaded register starts all
 * ones, so a W load that left its upper half shows. */
#define LOAD(what, insn, start, plain, at, end)                                                    \
	do {                                                                                       \
		uint64_t v = ~0ULL, b = (start), p = ~0ULL;                                        \
		__asm__ volatile(insn : "+&r"(v), "+&r"(b) : : "memory");                          \
		__asm__ volatile(plain : "+r"(p) : "r"(at) : "memory");                            \
		check(what, v, p, b, end);                                                         \
	} while (0)

/* Register offset: base and index registers, nothing written back. */
#define LOAD_INDEXED(what, insn, base, index, plain, at)                                           \
	do {                                                                                       \
		uint64_t v = ~0ULL, p = ~0ULL, b = (base), x = (index);                            \
		__asm__ volatile(insn : "+&r"(v) : "r"(b), "r"(x) : "memory");                     \
		__asm__ volatile(plain : "+r"(p) : "r"(at) : "memory");                            \
		check(what, v, p, b, base);                                                        \
	} while (0)

static uint32_t imsc(void)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(PL011_IMSC) : "memory");
	return v;
}

/* A store with writeback of `value` to IMSC, read back with a plain load. */
#define STORE(what, insn, start, value, end)                                                       \
	do {                                                                                       \
		uint64_t b = (start), s = (value);                                                 \
		__asm__ volatile(insn : "+&r"(b) : "r"(s) : "memory");                             \
		check(what, imsc(), (value) & 0x7ff, b, end);                                      \
	} while (0)

static void loads(void)
{
	LOAD("ldrb pre", "ldrb %w0, [%1, #0x10]!", PL011_PERIPHID0 - 0x10, "ldrb %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0);
	LOAD("ldrb post", "ldrb %w0, [%1], #-1", PL011_PERIPHID0, "ldrb %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0 - 1);
	LOAD("ldrh pre", "ldrh %w0, [%1, #-4]!", PL011_PERIPHID0 + 4, "ldrh %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0);
	LOAD("ldrh post", "ldrh %w0, [%1], #2", PL011_PERIPHID0, "ldrh %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0 + 2);
	LOAD("ldr w pre", "ldr %w0, [%1, #128]!", PL011_PERIPHID0 - 128, "ldr %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0);
	LOAD("ldr w post", "ldr %w0, [%1], #-256", PL011_PERIPHID0, "ldr %w0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0 - 256);
	LOAD("ldr x pre", "ldr %0, [%1, #8]!", PL011_PERIPHID0 - 8, "ldr %0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0);
	LOAD("ldr x post", "ldr %0, [%1], #255", PL011_PERIPHID0, "ldr %0, [%1]", PL011_PERIPHID0,
	     PL011_PERIPHID0 + 255);
	LOAD("ldrsb x pre", "ldrsb %0, [%1, #4]!", PL011_PCELLID1 - 4, "ldrsb %0, [%1]", PL011_PCELLID1,
	     PL011_PCELLID1);
	LOAD("ldrsb w post", "ldrsb %w0, [%1], #1", PL011_PCELLID1, "ldrsb %w0, [%1]", PL011_PCELLID1,
	     PL011_PCELLID1 + 1);
	LOAD("ldrsh x post", "ldrsh %0, [%1], #-2", PL011_PCELLID1, "ldrsh %0, [%1]", PL011_PCELLID1,
	     PL011_PCELLID1 - 2);
	LOAD("ldrsh w pre", "ldrsh %w0, [%1, #-256]!", PL011_PCELLID1 + 256, "ldrsh %w0, [%1]", PL011_PCELLID1,
	     PL011_PCELLID1);
	LOAD("ldrsw pre", "ldrsw %0, [%1, #16]!", PL011_PCELLID1 - 16, "ldrsw %0, [%1]", PL011_PCELLID1,
	     PL011_PCELLID1);
	LOAD_INDEXED("ldr w [x, x]", "ldr %w0, [%1, %2]", UART_BASE, 0xfe0, "ldr %w0, [%1]", PL011_PERIPHID0);
	LOAD_INDEXED("ldr w [x, w, sxtw]", "ldr %w0, [%1, %w2, sxtw]", UART_BASE + 0x1000, (uint32_t)-0x20,
		     "ldr %w0, [%1]", PL011_PERIPHID0);
	LOAD_INDEXED("ldr w [x, x, lsl 2]", "ldr %w0, [%1, %2, lsl #2]", UART_BASE, 0xfe0 / 4, "ldr %w0, [%1]",
		     PL011_PERIPHID0);
	LOAD_INDEXED("ldrsb x [x, w, uxtw]", "ldrsb %0, [%1, %w2, uxtw]", UART_BASE, 0xff4, "ldrsb %0, [%1]",
		     PL011_PCELLID1);
}

static void stores(void)
{
	STORE("str w pre", "str %w1, [%0, #-8]!", PL011_IMSC + 8, 0x40, PL011_IMSC);
	STORE("str w post", "str %w1, [%0], #4", PL011_IMSC, 0x10, PL011_IMSC + 4);
	STORE("strh post", "strh %w1, [%0], #-2", PL011_IMSC, 0x7f0, PL011_IMSC - 2);
	STORE("strb pre", "strb %w1, [%0, #0x38]!", UART_BASE, 0x22, PL011_IMSC);
	STORE("str x post", "str %1, [%0], #8", PL011_IMSC, 0x100, PL011_IMSC + 8);
	uint64_t b = PL011_IMSC + 16;
	__asm__ volatile("str wzr, [%0, #-16]!" : "+r"(b) : : "memory");
	check("str wzr pre", imsc(), 0, b, PL011_IMSC);
}

/* The base in the registers the quick exit path does not save, and SP as the base. */
static void other_bases(void)
{
	uint64_t v, b;
	__asm__ volatile("mov x20, %2\n\tmov x21, #-1\n\tldr w21, [x20, #0x20]!\n\tmov %0, x21\n\tmov %1, x20"
			 : "=r"(v), "=r"(b) : "r"(PL011_PERIPHID0 - 0x20) : "x20", "x21", "memory");
	check("ldr w21, [x20]!", v, 0x11, b, PL011_PERIPHID0);
	/* SP: nothing may touch the stack while it points at the device. */
	__asm__ volatile("mov x9, sp\n\tmov sp, %2\n\tldrb w10, [sp], #0x10\n\tmov %1, sp\n\tmov sp, x9\n\tmov %0, x10"
			 : "=r"(v), "=r"(b) : "r"(PL011_PERIPHID0) : "x9", "x10", "memory");
	check("ldrb [sp], #16", v, 0x11, b, PL011_PERIPHID0 + 0x10);
	__asm__ volatile("mov x9, sp\n\tmov sp, %2\n\tldr w10, [sp, #-8]!\n\tmov %1, sp\n\tmov sp, x9\n\tmov %0, x10"
			 : "=r"(v), "=r"(b) : "r"(PL011_PERIPHID0 + 8) : "x9", "x10", "memory");
	check("ldr [sp, #-8]!", v, 0x11, b, PL011_PERIPHID0);
}

/* Still aborts: a pair, and writeback into the register it loads (CONSTRAINED UNPREDICTABLE). The
 * base must be left alone. */
static void refused(void)
{
	uint64_t b = PL011_PERIPHID0;
	__asm__ volatile("ldp w10, w11, [%0], #8" : "+r"(b) : : "x10", "x11", "memory");
	check("ldp (aborted)", 0, 0, b, PL011_PERIPHID0);
	__asm__ volatile("mov x6, %0\n\t.inst 0xb8404cc6 /* ldr w6, [x6, #4]! */\n\tmov %0, x6"
			 : "+r"(b) : : "x6", "memory");
	check("ldr w6, [x6, #4]! (aborted)", 0, 0, b, PL011_PERIPHID0);
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	loads();
	stores();
	other_bases();
	unsigned before = aborts;
	refused();
	puts_uart("writeback: ");
	put_dec(checked);
	puts_uart(" accesses checked, ");
	put_dec(wrong);
	puts_uart(" wrong; ");
	put_dec(aborts - before);
	puts_uart(" of 2 refused forms aborted, ");
	put_dec(before);
	puts_uart(" aborts elsewhere\n");
	system_off();
}
