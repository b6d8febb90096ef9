/* SPDX-License-Identifier: Apache-2.0 */
/* Unclaimed MMIO and ports read as all ones and swallow writes (logged once by Tessera), and the
 * MMIO forms guests use on a real device (the local APIC's TPR) decode and act right: mov, movzx,
 * or, and, test, xchg, a rep stos, and cmp (flags of the subtraction, both operand orders); an
 * index and a data register reached by adjacent instructions (which Tessera carries out in one
 * exit) give what they give apart; and an instruction at a linear page the guest maps elsewhere
 * between two loads is decoded anew. */
#include "guest.h"

#define UNCLAIMED_MMIO 0xd0000000UL
#define IOAPIC_BASE 0xfec00000UL /* IOREGSEL; IOWIN at +0x10 */
#define LAPIC_TPR (LAPIC_BASE + 0x80)
#define REMAPPED_CODE 0x8000000000UL /* 512 GiB: PML4 entry 1, beside the identity map */

/* Tables mapping one 4 KiB page at REMAPPED_CODE, and the two pages of code it is pointed at in
 * turn. */
static uint64_t code_pdpt[512] __attribute__((aligned(4096)));
static uint64_t code_pd[512] __attribute__((aligned(4096)));
static uint64_t code_pt[512] __attribute__((aligned(4096)));
static uint8_t code_a[4096] __attribute__((aligned(4096)));
static uint8_t code_b[4096] __attribute__((aligned(4096)));

/* f(p, 0, marker): a: movl (%rdi), %eax; ret. b: movl (%rdi), %edx; movl %edx, %eax; ret -- the
 * same length at the same address, loading into another register: a decoder that used the bytes
 * of the page mapped before would load into eax and return the marker left in edx. */
static const uint8_t load_a[] = { 0x8b, 0x07, 0xc3 };
static const uint8_t load_b[] = { 0x8b, 0x17, 0x89, 0xd0, 0xc3 };

typedef uint32_t (*load_fn)(volatile uint32_t *p, uint64_t unused, uint32_t marker);

/* The same linear page of code loads from the local APIC, mapped to one page and then (after
 * invlpg) to another: Tessera must decode what the guest ran, not what it fetched before. */
static void remapped_code_loads(volatile uint32_t *tpr)
{
	uint64_t cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	uint64_t *pml4 = (uint64_t *)(cr3 & ~0xfffUL);
	for (unsigned i = 0; i < sizeof(load_a); i++)
		code_a[i] = load_a[i];
	for (unsigned i = 0; i < sizeof(load_b); i++)
		code_b[i] = load_b[i];
	code_pt[0] = (uint64_t)code_a | 3;
	code_pd[0] = (uint64_t)code_pt | 3;
	code_pdpt[0] = (uint64_t)code_pd | 3;
	pml4[1] = (uint64_t)code_pdpt | 3;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	load_fn f = (load_fn)REMAPPED_CODE;
	*tpr = 0x70;
	uint32_t first = f(tpr, 0, 0xdead);
	/* Nothing else may touch MMIO from here to the last load: the walk Tessera remembers is the
	 * one of this page. */
	uint32_t again = f(tpr, 0, 0xdead);
	code_pt[0] = (uint64_t)code_b | 3;
	__asm__ volatile("invlpg (%0)" : : "r"(REMAPPED_CODE) : "memory");
	uint32_t remapped = f(tpr, 0, 0xdead);
	puts_uart("mmio guest: remapped code loads ");
	put_hex(first);
	putc_uart(' ');
	put_hex(again);
	putc_uart(' ');
	put_hex(remapped);
	putc_uart('\n');
}

/* The IOAPIC's index and data registers in adjacent instructions, as Linux's io_apic_read and
 * io_apic_write reach them: a read of the version register and a write of pin 5's entry, each
 * checked against the same made apart (a nop between, which is not carried with them), and a
 * second access in another page (the local APIC's TPR), which is not carried with the first; and a
 * port read right after a port write, likewise. */
static void adjacent_accesses(void)
{
	volatile uint32_t *select = (volatile uint32_t *)IOAPIC_BASE;
	uint32_t together, apart, entry, other;
	__asm__ volatile("movl %2, (%1); movl 0x10(%1), %0" : "=&r"(together) : "r"(select), "r"(1u) : "memory");
	__asm__ volatile("movl %2, (%1); nop; movl 0x10(%1), %0" : "=&r"(apart) : "r"(select), "r"(1u) : "memory");
	__asm__ volatile("movl %1, (%0); movl %2, 0x10(%0)" : : "r"(select), "r"(0x10u + 2 * 5), "r"(0x10035u) : "memory");
	__asm__ volatile("movl %2, (%1); nop; movl 0x10(%1), %0" : "=&r"(entry) : "r"(select), "r"(0x10u + 2 * 5) : "memory");
	__asm__ volatile("movl %2, (%1); movl (%3), %0" : "=&r"(other) : "r"(select), "r"(1u), "r"(LAPIC_TPR) : "memory");
	/* Ports: the CMOS's status register B by its index and data ports, and the host bridge's
	 * vendor and device IDs by the type-1 configuration ports with the data port set between
	 * (the two forms Linux uses), each against the same read apart. */
	uint8_t cmos_together, cmos_apart;
	__asm__ volatile("outb %%al, $0x70; inb $0x71, %%al" : "=a"(cmos_together) : "a"(0x0b) : "memory");
	__asm__ volatile("outb %%al, $0x70; nop; inb $0x71, %%al" : "=a"(cmos_apart) : "a"(0x0b) : "memory");
	uint32_t pci_together, pci_apart;
	uint64_t port = 0xcf8;
	__asm__ volatile("outl %%eax, %%dx; movl $0xcfc, %%edx; inl %%dx, %%eax"
			 : "=a"(pci_together), "+d"(port) : "a"(0x80000000u) : "memory");
	port = 0xcf8;
	__asm__ volatile("outl %%eax, %%dx; movl $0xcfc, %%edx; nop; inl %%dx, %%eax"
			 : "=a"(pci_apart), "+d"(port) : "a"(0x80000000u) : "memory");
	puts_uart("mmio guest: adjacent ports cmos ");
	put_hex(cmos_together);
	puts_uart(" apart ");
	put_hex(cmos_apart);
	puts_uart(" pci ");
	put_hex(pci_together);
	puts_uart(" apart ");
	put_hex(pci_apart);
	putc_uart('\n');
	puts_uart("mmio guest: adjacent version ");
	put_hex(together);
	puts_uart(" apart ");
	put_hex(apart);
	puts_uart(" entry ");
	put_hex(entry);
	puts_uart(" other page ");
	put_hex(other);
	putc_uart('\n');
}

void guest_main(uint64_t arg)
{
	(void)arg;
	volatile uint32_t *p = (volatile uint32_t *)UNCLAIMED_MMIO;
	uint32_t v = *p;
	puts_uart("mmio guest: unclaimed MMIO read ");
	put_hex(v);
	putc_uart('\n');
	*p = 1;
	*p = 2;
	puts_uart("mmio guest: unclaimed port reads ");
	put_hex(inb(0x2f8));
	putc_uart(' ');
	put_hex(inl(0x1234));
	putc_uart('\n');

	volatile uint32_t *tpr = (volatile uint32_t *)LAPIC_TPR;
	uint32_t r1, r2, r3, r4;
	*tpr = 0x20;
	__asm__ volatile("orl $0x10, (%1); movl (%1), %0" : "=r"(r1) : "r"(tpr) : "memory", "cc");
	__asm__ volatile("andl $0xf0, (%1); movzbl (%1), %0" : "=r"(r2) : "r"(tpr) : "memory", "cc");
	uint32_t swap = 0x40;
	__asm__ volatile("xchgl %0, (%1)" : "+r"(swap) : "r"(tpr) : "memory");
	r3 = *tpr;
	uint8_t zero;
	__asm__ volatile("testl $0x40, (%1); setz %0" : "=r"(zero) : "r"(tpr) : "memory", "cc");
	uint64_t count = 4;
	void *dst = (void *)LAPIC_TPR;
	__asm__ volatile("rep stosl" : "+c"(count), "+D"(dst) : "a"(0x50) : "memory"); /* TPR, then 3 reserved words */
	r4 = *tpr;
	puts_uart("mmio guest: tpr or ");
	put_hex(r1);
	puts_uart(" and+movzx ");
	put_hex(r2);
	puts_uart(" xchg old ");
	put_hex(swap);
	puts_uart(" new ");
	put_hex(r3);
	puts_uart(" test-zero ");
	put_dec(zero);
	puts_uart(" stos ");
	put_hex(r4);
	puts_uart(" rcx ");
	put_dec(count);
	putc_uart('\n');
	/* TPR = 0x50: 0x50 - 0x60 borrows (CF, and less as signed), 0x50 - 0x50 is zero, and with
	 * memory as the subtrahend 0x40 - 0x50 borrows. */
	uint8_t below, less, equal, reverse_below;
	uint32_t same = 0x50, smaller = 0x40;
	__asm__ volatile("cmpl $0x60, (%2); setb %0; setl %1" : "=r"(below), "=r"(less) : "r"(tpr) : "memory", "cc");
	__asm__ volatile("cmpl %1, (%2); sete %0" : "=r"(equal) : "r"(same), "r"(tpr) : "memory", "cc");
	__asm__ volatile("cmpl (%2), %1; setb %0" : "=r"(reverse_below) : "r"(smaller), "r"(tpr) : "memory", "cc");
	puts_uart("mmio guest: cmp below ");
	put_dec(below);
	puts_uart(" less ");
	put_dec(less);
	puts_uart(" equal ");
	put_dec(equal);
	puts_uart(" reverse-below ");
	put_dec(reverse_below);
	putc_uart('\n');
	adjacent_accesses();
	remapped_code_loads(tpr);
	puts_uart("mmio guest: survived\n");
	system_off();
}
