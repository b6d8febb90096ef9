/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile guest (tests/guests/common/hostile.c) on x86_64. Every access is an instruction
 * written to a page of its own and run there (a fault resumes at its end): MOV of every width,
 * MOVZX/MOVSX, immediates, string forms (MOVS, STOS, LODS, CMPS, SCAS, with and without REP),
 * LOCK-prefixed read-modify-writes, XCHG, CMPXCHG8B, CLFLUSH, under random prefixes (operand and
 * address size, segments, REP, LOCK); IN/OUT and INS/OUTS on random ports (not COM1's nor those
 * that reset or power off the VM); RDMSR of any index and WRMSR of most; CPUID; reads of the
 * control registers; VMMCALL with random numbers. Its config: hostile.toml. */
#include "guest.h"

#define HOSTILE_RAM_BASE 0x0ull
#define HOSTILE_RAM_SIZE 0x1000000ull
#define HOSTILE_SCRATCH_BASE 0x800000ull
#define HOSTILE_SCRATCH_SIZE 0x400000ull
#define HOSTILE_SEED_ADDRESS 0xf00000ull /* hostile.toml's ramdisk */
#define HOSTILE_HYPERVISOR_GUESS 0x200000ull /* where Tessera loads under multiboot */
#define HOSTILE_ADDRESS_MASK 0x7fffffffffull /* the 512 GiB start.S maps, and a little past */
#define HOSTILE_DEVICE_WINDOWS \
	{ 0xfee00000, 0x1000 },    /* local APIC */ \
	{ 0xfec00000, 0x1000 },    /* IOAPIC */ \
	{ 0xb0000000, 0x10000 },   /* PCI configuration space (ECAM) */ \
	{ 0xfed00000, 0x1000 }     /* where an HPET would be: nobody's */

#include "../common/hostile.c"

extern char __bss_end[];
static uint8_t exec_page[4096] __attribute__((aligned(4096)));
static volatile uint64_t resume_at; /* where a fault in the page resumes: the page's RET */

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (frame->rip < (uint64_t)exec_page || frame->rip >= (uint64_t)exec_page + sizeof(exec_page)) {
		/* A fault of its own code: a bug (its own or the hypervisor's). What it last ran and
		 * where its stack was say which. */
		puts_uart("hostile: fault outside the probe page; RSP ");
		put_hex(frame->rsp);
		puts_uart(", [RSP] ");
		put_hex(*(volatile uint64_t *)frame->rsp);
		puts_uart(", last probe");
		for (unsigned i = 0; i < 16 && i <= resume_at - (uint64_t)exec_page; i++) {
			putc_uart(' ');
			put_hex(exec_page[i]);
		}
		putc_uart('\n');
		report_unexpected_trap(vector, error_code, frame);
	}
	counts.faults++;
	frame->rip = resume_at;
}

static uint64_t arch_own_range_end(uint64_t a)
{
	if (a >= 0x10000 && a < (uint64_t)__bss_end)
		return (uint64_t)__bss_end;
	if (a >= HOSTILE_SEED_ADDRESS && a < HOSTILE_SEED_ADDRESS + 16)
		return HOSTILE_SEED_ADDRESS + 16;
	return 0;
}

struct code_regs {
	uint64_t rax, rcx, rdx, rsi, rdi;
};

/* Runs `length` bytes of code with the registers given; it may change rax-rdi, r8-r11, memory. */
static void run_code(const uint8_t *code, unsigned length, struct code_regs regs)
{
	for (unsigned i = 0; i < length; i++)
		exec_page[i] = code[i];
	exec_page[length] = 0xc3; /* ret */
	resume_at = (uint64_t)exec_page + length;
	__asm__ volatile("call *%5"
			 : "+a"(regs.rax), "+c"(regs.rcx), "+d"(regs.rdx), "+S"(regs.rsi), "+D"(regs.rdi)
			 : "r"((uint64_t)exec_page)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
}

/* Memory forms with [rdi] as the operand (ModRM 07/17/0f: rdi, and reg eax/edx/ecx). */
static const struct {
	uint8_t length, bytes[7];
} memory_forms[] = {
	{ 2, { 0x8a, 0x07 } }, { 3, { 0x66, 0x8b, 0x07 } }, { 2, { 0x8b, 0x07 } }, { 3, { 0x48, 0x8b, 0x07 } },
	{ 2, { 0x88, 0x07 } }, { 3, { 0x66, 0x89, 0x07 } }, { 2, { 0x89, 0x07 } }, { 3, { 0x48, 0x89, 0x07 } },
	{ 3, { 0x0f, 0xb6, 0x07 } }, { 3, { 0x0f, 0xb7, 0x07 } }, { 4, { 0x48, 0x0f, 0xbe, 0x07 } },
	{ 3, { 0xc6, 0x07, 0x5a } }, { 6, { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 } },
	{ 1, { 0xa4 } }, { 2, { 0xf3, 0xa4 } }, { 2, { 0xf3, 0xa5 } }, { 3, { 0xf3, 0x48, 0xa5 } }, /* MOVS */
	{ 2, { 0xf3, 0xaa } }, { 2, { 0xf3, 0xab } }, { 1, { 0xab } },                               /* STOS */
	{ 1, { 0xac } }, { 2, { 0xf3, 0xad } }, { 2, { 0xf3, 0xa6 } }, { 2, { 0xf2, 0xae } },          /* LODS, CMPS, SCAS */
	{ 3, { 0xf0, 0x01, 0x07 } }, { 4, { 0xf0, 0x0f, 0xb1, 0x17 } }, { 2, { 0x87, 0x07 } },
	{ 4, { 0xf0, 0x0f, 0xc1, 0x07 } }, { 4, { 0xf0, 0x0f, 0xc7, 0x0f } }, { 4, { 0xf0, 0x83, 0x37, 0x01 } },
	{ 3, { 0x0f, 0xae, 0x3f } }, { 3, { 0x0f, 0x18, 0x07 } }, { 3, { 0x0f, 0xc3, 0x07 } },        /* CLFLUSH, PREFETCH, MOVNTI */
	{ 3, { 0x0f, 0xb3, 0x07 } }, { 4, { 0x0f, 0xba, 0x2f, 0x05 } },                                /* BTR, BTS imm */
	{ 3, { 0x66, 0x0f, 0x6f } },                                                                 /* MOVDQA (no SSE: #UD) */
};

static const uint8_t prefixes[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x48, 0x40 };

static uint64_t clamp_store(uint64_t address);

static void run_memory_form(unsigned form, unsigned prefix_count, uint64_t r, uint64_t address, uint64_t value)
{
	uint8_t code[16];
	unsigned n = 0;
	for (unsigned i = 0; i < prefix_count; i++) {
		code[n] = prefixes[(r >> (8 * i)) % sizeof(prefixes)];
		/* An address-size prefix makes it edi: kept off its own image and stack. */
		if (code[n++] == 0x67 && (uint32_t)address < HOSTILE_RAM_SIZE)
			address = (uint32_t)clamp_store(address);
	}
	for (unsigned i = 0; i < memory_forms[form].length; i++)
		code[n++] = memory_forms[form].bytes[i];
	if (form == sizeof(memory_forms) / sizeof(memory_forms[0]) - 1)
		code[n++] = 0x07;
	/* Its local APIC's ICR could send itself INIT (a reset it asked for): the high half instead. */
	if ((address & ~0xfull) == 0xfee00300)
		address = 0xfee00310;
	/* rsi is the string forms' source: its RAM, or the address when the load is what is tried. */
	uint64_t source = (r & 1) ? address : HOSTILE_SCRATCH_BASE + below(HOSTILE_SCRATCH_SIZE - 256);
	run_code(code, n, (struct code_regs){ .rax = value, .rcx = below(17), .rdx = value >> 7, .rsi = source,
					      .rdi = address });
}

static uint64_t clamp_store(uint64_t address)
{
	if (address < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE)
		address = HOSTILE_SCRATCH_BASE + (address % (HOSTILE_SCRATCH_SIZE - 256));
	return address;
}

static void arch_access(uint64_t address, unsigned width, int store, uint64_t value)
{
	static const unsigned form_of[2][4] = { { 0, 1, 2, 3 }, { 4, 5, 6, 7 } };
	unsigned index = width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3;
	run_memory_form(form_of[store][index], 0, 0, store ? clamp_store(address) : address, value);
}

/* Any of the forms above, under 0-2 random prefixes, on an address (its RAM: the scratch area;
 * a form may store). */
static void arch_word(uint64_t r, uint64_t address, uint64_t offset)
{
	unsigned form = (unsigned)(r % (sizeof(memory_forms) / sizeof(memory_forms[0])));
	run_memory_form(form, (unsigned)((r >> 40) % 3), r >> 8, clamp_store(address) + offset, rng());
}

/* Ports that would end the VM or its console: COM1, the reset control (0xcf9), the keyboard
 * controller's reset (0x64), fast A20/reset (0x92) and ACPI PM1a (0x600-0x60f). */
static int port_forbidden(uint16_t port)
{
	return (port >= 0x3f8 && port <= 0x3ff) || port == 0xcf9 || port == 0x64 || port == 0x92 ||
	       (port >= 0x600 && port <= 0x60f);
}

/* An MSR number: the architectural, AMD's and the hypervisor ranges, or any. */
static uint32_t pick_msr(uint64_t r)
{
	switch (r % 5) {
	case 0: return (uint32_t)(r >> 8) & 0x1fff;
	case 1: return 0xc0000000 | ((uint32_t)(r >> 8) & 0x1fff);
	case 2: return 0xc0010000 | ((uint32_t)(r >> 8) & 0x1fff);
	case 3: return 0x40000000 | ((uint32_t)(r >> 8) & 0xff);
	default: return (uint32_t)(r >> 8);
	}
}

static void arch_privileged(uint64_t r, uint64_t argument)
{
	uint16_t port = (uint16_t)(r >> 16);
	if (port_forbidden(port))
		port = 0x80;
	uint32_t msr = pick_msr(r >> 24);
	switch (r % 6) {
	case 0: { /* IN/OUT of every width, immediate and DX forms */
		static const uint8_t io[] = { 0xec, 0xed, 0xee, 0xef };
		uint8_t code[2] = { 0x66, io[(r >> 8) % 4] };
		unsigned skip = (r >> 10) & 1; /* with or without the operand-size prefix */
		run_code(code + 1 - skip, 1 + skip, (struct code_regs){ .rax = argument, .rdx = port });
		break;
	}
	case 1: { /* INS/OUTS, REP or not, from and to its scratch area */
		static const uint8_t string_io[][2] = { { 0xf3, 0x6c }, { 0xf3, 0x6d }, { 0xf3, 0x6e }, { 0xf3, 0x6f } };
		const uint8_t *code = string_io[(r >> 8) % 4];
		unsigned rep = (r >> 10) & 1;
		uint64_t scratch = HOSTILE_SCRATCH_BASE + below(HOSTILE_SCRATCH_SIZE - 256);
		run_code(code + 1 - rep, 1 + rep, (struct code_regs){ .rcx = below(9), .rdx = port, .rsi = scratch, .rdi = scratch });
		break;
	}
	case 2: { /* RDMSR */
		static const uint8_t code[] = { 0x0f, 0x32 };
		run_code(code, 2, (struct code_regs){ .rcx = msr });
		break;
	}
	case 3: { /* WRMSR, but not to those that would stop the guest itself (EFER, the syscall and
		   * segment bases, the x2APIC ICR); the paravirtual clock's get its scratch area */
		static const uint8_t code[] = { 0x0f, 0x30 };
		if (msr == 0xc0000080 || (msr >= 0xc0000081 && msr <= 0xc0000084) || (msr >= 0xc0000100 && msr <= 0xc0000102) ||
		    msr == 0x830 /* x2APIC ICR: INIT to itself */)
			msr = 0x277; /* PAT instead: an undefined type must #GP */
		if (msr == 0x4b564d00 || msr == 0x4b564d01 || msr == 0x12 || msr == 0x11)
			argument = HOSTILE_SCRATCH_BASE + below(HOSTILE_SCRATCH_SIZE - 64) + 1;
		run_code(code, 2, (struct code_regs){ .rax = argument, .rcx = msr, .rdx = argument >> 32 });
		break;
	}
	case 4: { /* CPUID */
		static const uint8_t code[] = { 0x0f, 0xa2 };
		uint32_t leaf = (r >> 8) & 1 ? 0x40000000 | ((uint32_t)(r >> 9) & 0xff) : (uint32_t)(r >> 9) & 0x8000001f;
		run_code(code, 2, (struct code_regs){ .rax = leaf, .rcx = argument });
		break;
	}
	default: { /* MOV from CR0, CR2, CR3, CR4, CR8 and DR0-DR7 */
		static const uint8_t reads[][4] = {
			{ 3, 0x0f, 0x20, 0xc0 }, { 3, 0x0f, 0x20, 0xd0 }, { 3, 0x0f, 0x20, 0xd8 }, { 3, 0x0f, 0x20, 0xe0 },
			{ 4, 0x44, 0x0f, 0x20 }, { 3, 0x0f, 0x21, 0xc0 }, { 3, 0x0f, 0x21, 0xf8 }, { 3, 0x0f, 0x21, 0xf0 },
		};
		const uint8_t *c = reads[(r >> 8) % 8];
		uint8_t code[4] = { c[1], c[2], c[3], 0xc0 };
		run_code(code, c[0], (struct code_regs){ 0 });
		break;
	}
	}
}

static void arch_call(uint64_t r, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t nr;
	switch (r % 4) {
	case 0: nr = (r >> 8) & 0x1ff; break;
	case 1: nr = 0x7f000000; break; /* the benchmark's null exit */
	case 2: nr = (r >> 8) & 0xffffffff; break;
	default: nr = r >> 8; break;
	}
	vmmcall4(nr, a1, a2, a3, rng());
}

void guest_main(uint64_t arg)
{
	(void)arg;
	hostile_run();
	system_off();
}
