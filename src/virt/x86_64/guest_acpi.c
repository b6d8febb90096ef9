/* SPDX-License-Identifier: Apache-2.0 */
/* ACPI tables for a Linux guest (ACPI 6.4, chapter 5), written into a buffer that lands at a known
 * guest-physical address: RSDP (5.2.5.3) -> XSDT (5.2.8) -> FADT (5.2.9, with the FACS and the DSDT)
 * and MADT (5.2.12). They describe the PC of platform.c: one local APIC per vCPU, the IOAPIC at
 * 0xfec00000 with ISA IRQ 0 on GSI 2, PM1a event/control blocks at 0x600/0x604 (S5 powers off;
 * the fixed power button),
 * the reset register 0xcf9, the CMOS RTC (century at 0x32), and a DSDT with \_S5 and one PCI root
 * bridge (PNP0A03) on bus 0. No AML compiler: the DSDT's few bytes are spelled out below. */
#include "virt_impl/guest_boot.h"
#include "virt_impl/vapic.h"
#include "vdev/x86_pc.h"
#include "lib/string.h"

#define OFF_RSDP 0x000
#define OFF_XSDT 0x040
#define OFF_FACS 0x0c0 /* 64-byte aligned (5.2.10) */
#define OFF_FADT 0x100
#define OFF_DSDT 0x240
#define OFF_MADT 0x300
#define FADT_LENGTH 276
#define SCI_IRQ 9

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

/* The 36-byte system description header (5.2.6); the checksum is set by seal(). */
static void header(uint8_t *t, const char *signature, uint32_t length, uint8_t revision)
{
	memcpy(t, signature, 4);
	put32(t + 4, length);
	t[8] = revision;
	/* NOLINTBEGIN(bugprone-not-null-terminated-result): the IDs are fixed-width fields, with no NUL */
	memcpy(t + 10, "TESSRA", 6);
	memcpy(t + 16, "TESSERA ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "TSRA", 4);
	/* NOLINTEND(bugprone-not-null-terminated-result) */
	put32(t + 32, 1);
}

static void seal(uint8_t *t)
{
	uint32_t length = t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
	t[9] = 0;
	t[9] = checksum(t, length);
}

/* A Generic Address Structure (5.2.3.2) in system I/O space. */
static void gas_io(uint8_t *g, uint16_t port, uint8_t bits)
{
	g[0] = 1; /* system I/O */
	g[1] = bits;
	g[2] = 0;
	g[3] = bits == 8 ? 1 : bits == 16 ? 2 : 3; /* access size: byte, word, dword */
	put64(g + 4, port);
}

/* DefinitionBlock contents: Name (_S5, Package (4) {0, 0, 0, 0}) -- SLP_TYP 0, which x86_pc.c
 * takes as S5 -- and Scope (\_SB) { Device (PCI0) { Name (_HID, EisaId ("PNP0A03"))
 * Name (_UID, 0) } } (ACPI 6.4, 20.2: NameOp 0x08, PackageOp 0x12, ScopeOp 0x10, DeviceOp 0x5b 0x82,
 * DWordPrefix 0x0c; PkgLength counts itself). */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x1c, '_', 'S', 'B', '_',
	0x5b, 0x82, 0x15, 'P', 'C', 'I', '0',
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
	0x08, '_', 'U', 'I', 'D', 0x00,
};

static void build_fadt(uint8_t *f, uint64_t base)
{
	header(f, "FACP", FADT_LENGTH, 6);
	put32(f + 36, (uint32_t)(base + OFF_FACS));
	put32(f + 40, (uint32_t)(base + OFF_DSDT));
	f[45] = 0;                                 /* preferred PM profile: unspecified */
	put16(f + 46, SCI_IRQ);
	put32(f + 48, 0);                          /* no SMI_CMD: always in ACPI mode (SCI_EN reads 1) */
	put32(f + 56, X86_PM1A_EVENT_PORT);
	put32(f + 64, X86_PM1A_CONTROL_PORT);
	f[88] = 4;                                 /* PM1_EVT_LEN: status + enable */
	f[89] = 2;                                 /* PM1_CNT_LEN */
	put16(f + 96, 101);                        /* C2/C3 latencies above the limits: not supported */
	put16(f + 98, 1001);
	f[108] = 0x32;                             /* CENTURY in CMOS */
	/* IAPC_BOOT_ARCH (5.2.9.3): no 8042 (bit 1 clear), VGA not present (bit 2). */
	put16(f + 109, 1u << 2);
	/* Flags: WBINVD (0); PWR_BUTTON (4) clear: the power button is the fixed feature in PM1a
	 * (vdev/x86_power_button.c); no sleep button (SLP_BUTTON, 5, set: not a fixed feature, and
	 * the DSDT has no device for it); RESET_REG_SUP (10). */
	put32(f + 112, (1u << 0) | (1u << 5) | (1u << 10));
	gas_io(f + 116, 0xcf9, 8);
	f[128] = 0x6;                              /* reset value: RST_CPU | SYS_RST */
	f[131] = 4;                                /* FADT minor version: 6.4 */
	put64(f + 132, base + OFF_FACS);
	put64(f + 140, base + OFF_DSDT);
	gas_io(f + 148, X86_PM1A_EVENT_PORT, 32);
	gas_io(f + 172, X86_PM1A_CONTROL_PORT, 16);
	seal(f);
}

static size_t build_madt(uint8_t *m, unsigned cpus)
{
	uint8_t *p = m + 44;
	for (unsigned i = 0; i < cpus; i++, p += 8) { /* processor local APIC (5.2.12.2) */
		p[0] = 0; p[1] = 8; p[2] = (uint8_t)i; p[3] = (uint8_t)i;
		put32(p + 4, 1);                   /* enabled */
	}
	p[0] = 1; p[1] = 12; p[2] = 0; p[3] = 0;    /* I/O APIC (5.2.12.3): id 0, GSI base 0 */
	put32(p + 4, (uint32_t)X86_IOAPIC_BASE);
	put32(p + 8, 0);
	p += 12;
	/* Interrupt source overrides (5.2.12.5): the PIT's IRQ 0 is pin 2, as on every PC; the SCI
	 * is level-triggered, active high. */
	p[0] = 2; p[1] = 10; p[2] = 0; p[3] = 0; put32(p + 4, X86_PIT_GSI); put16(p + 8, 0);
	p += 10;
	p[0] = 2; p[1] = 10; p[2] = 0; p[3] = SCI_IRQ; put32(p + 4, SCI_IRQ); put16(p + 8, 0xd);
	p += 10;
	size_t length = (size_t)(p - m);
	header(m, "APIC", (uint32_t)length, 5);
	put32(m + 36, (uint32_t)X86_LAPIC_BASE);
	put32(m + 40, 1);                          /* PCAT_COMPAT: 8259s present (masked) */
	seal(m);
	return length;
}

size_t x86_guest_acpi_build(uint8_t *buf, size_t size, uint64_t base, unsigned cpus)
{
	size_t needed = OFF_MADT + 44 + 8 * (size_t)cpus + 12 + 20;
	if (needed > size)
		return 0;
	memset(buf, 0, needed);
	uint8_t *rsdp = buf + OFF_RSDP, *xsdt = buf + OFF_XSDT, *facs = buf + OFF_FACS, *dsdt = buf + OFF_DSDT;
	memcpy(facs, "FACS", 4); /* NOLINT(bugprone-not-null-terminated-result): a 4-byte signature, no NUL */
	put32(facs + 4, 64);
	facs[32] = 2;                              /* version */
	header(dsdt, "DSDT", 36 + sizeof(dsdt_aml), 2);
	memcpy(dsdt + 36, dsdt_aml, sizeof(dsdt_aml));
	seal(dsdt);
	build_fadt(buf + OFF_FADT, base);
	build_madt(buf + OFF_MADT, cpus);
	header(xsdt, "XSDT", 36 + 16, 1);
	put64(xsdt + 36, base + OFF_FADT);
	put64(xsdt + 44, base + OFF_MADT);
	seal(xsdt);
	/* NOLINTBEGIN(bugprone-not-null-terminated-result): signature and OEM ID are fixed-width, no NUL */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "TESSRA", 6);
	/* NOLINTEND(bugprone-not-null-terminated-result) */
	rsdp[15] = 2;                              /* ACPI 2.0+: XSDT */
	put32(rsdp + 20, 36);
	put64(rsdp + 24, base + OFF_XSDT);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);
	return needed;
}
