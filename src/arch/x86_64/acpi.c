/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the few ACPI tables the hypervisor needs (ACPI 6.4, chapter 5): the RSDP found in the EBDA
 * or the BIOS area (5.2.5.1), the RSDT/XSDT, the MADT (5.2.12) for the CPUs' APIC ids, the IOAPICs
 * and the ISA interrupt overrides, and the FADT (5.2.9) for the PM1 control block and the reset
 * register, plus the S5 sleep type from the DSDT's \_S5 package (7.4.2). No AML interpreter: \_S5 is
 * found by its name and decoded as a constant package, which is how firmware declares it. */
#include "arch_impl/acpi.h"
#include "arch_impl/vectors.h"
#include "lib/errno.h"
#include "lib/string.h"

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length; /* revision >= 2 from here on */
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

/* MADT (5.2.12) and its interrupt controller structures. */
struct acpi_madt {
	struct acpi_header header;
	uint32_t lapic_address;
	uint32_t flags;
} __packed;
#define MADT_PCAT_COMPAT 1u

enum madt_entry_type {
	MADT_LOCAL_APIC = 0,
	MADT_IO_APIC = 1,
	MADT_INTERRUPT_OVERRIDE = 2,
	MADT_LOCAL_APIC_ADDRESS_OVERRIDE = 5,
	MADT_LOCAL_X2APIC = 9,
};
#define MADT_LAPIC_ENABLED 1u

struct madt_entry {
	uint8_t type;
	uint8_t length;
} __packed;

struct madt_local_apic {
	struct madt_entry entry;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;

struct madt_io_apic {
	struct madt_entry entry;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct madt_interrupt_override {
	struct madt_entry entry;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} __packed;

struct madt_lapic_address_override {
	struct madt_entry entry;
	uint16_t reserved;
	uint64_t address;
} __packed;

struct madt_local_x2apic {
	struct madt_entry entry;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t processor_uid;
} __packed;

/* Generic address structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* 0 = memory, 1 = system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;
#define ACPI_SPACE_IO 1

/* FADT (5.2.9, table 5.9), up to the fields read here. */
struct acpi_fadt {
	struct acpi_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_interrupt;
	uint32_t smi_command;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_request;
	uint8_t pstate_control;
	uint32_t pm1a_event_block;
	uint32_t pm1b_event_block;
	uint32_t pm1a_control_block;
	uint32_t pm1b_control_block;
	uint8_t other_blocks[40];  /* PM2_CNT_BLK .. CENTURY, IAPC_BOOT_ARCH, reserved */
	uint32_t flags;            /* offset 112 */
	struct acpi_gas reset_register;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;  /* offset 132 */
	uint64_t x_dsdt;           /* offset 140 */
	struct acpi_gas x_pm1a_event_block;
	struct acpi_gas x_pm1b_event_block;
	struct acpi_gas x_pm1a_control_block; /* offset 172 */
	struct acpi_gas x_pm1b_control_block;
} __packed;
#define FADT_RESET_REG_SUP (1u << 10)

_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_control_block) == 172, "FADT layout");

/* AML encodings used to read \_S5 (ACPI 6.4, 20.2). */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_PACKAGE 0x12
#define AML_ONES 0xff

#define BIOS_EBDA_SEGMENT_POINTER 0x40e
#define BIOS_AREA_START 0xe0000
#define BIOS_AREA_END 0x100000

struct acpi_platform acpi_platform;

/* The bytes sum to 0 modulo 256 (ACPI 6.4, 5.2.5.3 and 5.2.6). Eight at a time, in four 16-bit
 * lanes that each add two bytes a word, so 128 words fit in a lane: the DSDT alone is thousands of
 * bytes, and a byte a time was 60 000 instructions of every boot. */
#define CHECKSUM_WORDS_PER_FOLD 128
#define EVEN_BYTES 0x00ff00ff00ff00ffULL

static bool checksum_ok(const void *data, size_t length)
{
	const uint8_t *bytes = data;
	uint8_t sum = 0;
	size_t i = 0;
	while (length - i >= 8) {
		uint64_t lanes = 0;
		for (size_t n = 0; n < CHECKSUM_WORDS_PER_FOLD && length - i >= 8; n++, i += 8) {
			uint64_t word;
			__builtin_memcpy(&word, bytes + i, sizeof(word));
			lanes += (word & EVEN_BYTES) + ((word >> 8) & EVEN_BYTES);
		}
		/* The low byte of a sum depends only on the low bytes of what is added. */
		sum += (uint8_t)(lanes + (lanes >> 16) + (lanes >> 32) + (lanes >> 48));
	}
	for (; i < length; i++)
		sum += bytes[i];
	return sum == 0;
}

/* "RSD PTR " read as one little-endian word: the scan tries thousands of places, and a memcmp
 * call at each was 260 000 instructions of every boot. */
#define RSDP_SIGNATURE_WORD 0x2052545020445352ULL

static const struct acpi_rsdp *rsdp_scan(uintptr_t start, uintptr_t end)
{
	for (uintptr_t at = start; at + sizeof(struct acpi_rsdp) <= end; at += 16) {
		const struct acpi_rsdp *rsdp = (const void *)at;
		uint64_t signature;
		__builtin_memcpy(&signature, rsdp->signature, sizeof(signature));
		if (signature == RSDP_SIGNATURE_WORD && checksum_ok(rsdp, 20))
			return rsdp;
	}
	return NULL;
}

/* ACPI 6.4, 5.2.5.1: the first KiB of the EBDA, then 0xE0000-0xFFFFF, on 16-byte boundaries. */
static const struct acpi_rsdp *rsdp_find(void)
{
	uintptr_t ebda = (uintptr_t)*(const volatile uint16_t *)BIOS_EBDA_SEGMENT_POINTER << 4;
	const struct acpi_rsdp *rsdp = NULL;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp = rsdp_scan(ebda, ebda + 1024);
	return rsdp ? rsdp : rsdp_scan(BIOS_AREA_START, BIOS_AREA_END);
}

/* Tables are read on the boot page tables, which map only the low 4 GiB (entry32.S); firmware puts
 * them there in practice, and one that is not is skipped rather than faulted on. */
#define BOOT_MAPPED_LIMIT GiB(4)

static const struct acpi_header *table_at(uint64_t address, const char *signature)
{
	const struct acpi_header *h = (const void *)(uintptr_t)address;
	if (address == 0 || address > BOOT_MAPPED_LIMIT - sizeof(*h))
		return NULL;
	if (signature && memcmp(h->signature, signature, 4) != 0)
		return NULL;
	if (h->length < sizeof(*h) || h->length > BOOT_MAPPED_LIMIT - address || !checksum_ok(h, h->length))
		return NULL;
	return h;
}

/* The XSDT (64-bit entries) when the RSDP has one, else the RSDT (32-bit entries). */
static const struct acpi_header *root_table(const struct acpi_rsdp *rsdp, size_t *entry_size)
{
	bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt_address != 0;
	*entry_size = use_xsdt ? 8 : 4;
	return use_xsdt ? table_at(rsdp->xsdt_address, "XSDT") : table_at(rsdp->rsdt_address, "RSDT");
}

static const struct acpi_header *table_find(const struct acpi_rsdp *rsdp, const char *signature)
{
	size_t entry_size;
	const struct acpi_header *root = root_table(rsdp, &entry_size);
	if (!root)
		return NULL;
	size_t count = (root->length - sizeof(*root)) / entry_size;
	const uint8_t *entries = (const uint8_t *)(root + 1);
	for (size_t i = 0; i < count; i++) {
		uint64_t address = 0;
		memcpy(&address, entries + i * entry_size, entry_size);
		const struct acpi_header *table = table_at(address, signature);
		if (table)
			return table;
	}
	return NULL;
}

/* "OEMID OEMTABLEID" of the root table, trailing blanks dropped: how the firmware names the board. */
static void name_platform(const struct acpi_rsdp *rsdp)
{
	size_t entry_size, at = 0;
	const struct acpi_header *root = root_table(rsdp, &entry_size);
	const char *oem_id = root ? root->oem_id : rsdp->oem_id;
	char *name = acpi_platform.name;
	for (size_t i = 0; i < sizeof(root->oem_id) && oem_id[i] && oem_id[i] != ' '; i++)
		name[at++] = oem_id[i];
	if (root) {
		name[at++] = ' ';
		for (size_t i = 0; i < sizeof(root->oem_table_id) && root->oem_table_id[i] && root->oem_table_id[i] != ' '; i++)
			name[at++] = root->oem_table_id[i];
	}
	name[at] = '\0';
}

static void add_cpu(struct boot_info *info, uint32_t apic_id, uint32_t boot_apic_id)
{
	if (apic_id == boot_apic_id)
		return; /* already logical CPU 0 */
	if (info->cpu_count >= MAX_CPUS) {
		acpi_platform.cpus_ignored++;
		return;
	}
	info->cpu_hwids[info->cpu_count++] = apic_id;
}

static void madt_parse(const struct acpi_madt *madt, struct boot_info *info, uint32_t boot_apic_id)
{
	struct acpi_platform *p = &acpi_platform;
	p->lapic_address = madt->lapic_address;
	p->legacy_pics = (madt->flags & MADT_PCAT_COMPAT) != 0;

	const uint8_t *at = (const uint8_t *)(madt + 1);
	const uint8_t *end = (const uint8_t *)madt + madt->header.length;
	while (at + sizeof(struct madt_entry) <= end) {
		const struct madt_entry *e = (const void *)at;
		if (e->length < sizeof(*e) || at + e->length > end)
			break;
		switch (e->type) {
		case MADT_LOCAL_APIC: {
			const struct madt_local_apic *l = (const void *)e;
			if (l->flags & MADT_LAPIC_ENABLED)
				add_cpu(info, l->apic_id, boot_apic_id);
			break;
		}
		case MADT_LOCAL_X2APIC: {
			/* APIC ids above 254 need x2APIC mode, which Tessera does not use yet. */
			const struct madt_local_x2apic *x = (const void *)e;
			if ((x->flags & MADT_LAPIC_ENABLED) && x->x2apic_id < 0xff)
				add_cpu(info, x->x2apic_id, boot_apic_id);
			else if (x->flags & MADT_LAPIC_ENABLED)
				p->cpus_ignored++;
			break;
		}
		case MADT_IO_APIC: {
			const struct madt_io_apic *io = (const void *)e;
			if (p->ioapic_count < ACPI_MAX_IOAPICS)
				p->ioapics[p->ioapic_count++] =
					(struct acpi_ioapic){ io->address, io->gsi_base, io->id };
			break;
		}
		case MADT_INTERRUPT_OVERRIDE: {
			const struct madt_interrupt_override *o = (const void *)e;
			if (o->bus == 0 && p->override_count < ACPI_MAX_OVERRIDES)
				p->overrides[p->override_count++] =
					(struct acpi_irq_override){ o->source, o->gsi, o->flags };
			break;
		}
		case MADT_LOCAL_APIC_ADDRESS_OVERRIDE: {
			const struct madt_lapic_address_override *o = (const void *)e;
			p->lapic_address = o->address;
			break;
		}
		default:
			break;
		}
		at += e->length;
	}
}

/* Decodes one integer element of a constant package; returns the bytes consumed, 0 if unknown. */
static size_t aml_integer(const uint8_t *at, const uint8_t *end, uint32_t *value)
{
	if (at >= end)
		return 0;
	switch (at[0]) {
	case AML_ZERO: *value = 0; return 1;
	case AML_ONE: *value = 1; return 1;
	case AML_ONES: *value = 0xffffffffu; return 1;
	case AML_BYTE_PREFIX:
		if (at + 2 > end) return 0;
		*value = at[1];
		return 2;
	case AML_WORD_PREFIX:
		if (at + 3 > end) return 0;
		*value = at[1] | (uint32_t)at[2] << 8;
		return 3;
	case AML_DWORD_PREFIX:
		if (at + 5 > end) return 0;
		*value = at[1] | (uint32_t)at[2] << 8 | (uint32_t)at[3] << 16 | (uint32_t)at[4] << 24;
		return 5;
	default:
		return 0;
	}
}

/* Finds "Name(_S5, Package(){SLP_TYPa, SLP_TYPb, ...})" in the DSDT's AML: NameOp, an optional
 * root prefix '\', the name "_S5_", PackageOp, PkgLength (1-4 bytes, 20.2.4), NumElements. */
static bool dsdt_find_s5(const struct acpi_header *dsdt, uint8_t *type_a, uint8_t *type_b)
{
	const uint8_t *aml = (const uint8_t *)(dsdt + 1);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;
	for (const uint8_t *at = aml + 1; at + 4 < end; at++) {
		/* The first byte before the call: the DSDT is thousands of bytes (7 767 memcmp calls
		 * were 120 000 instructions of every boot). */
		if (at[0] != '_' || memcmp(at, "_S5_", 4) != 0)
			continue;
		bool named = at[-1] == AML_NAME || (at[-1] == '\\' && at - 2 >= aml && at[-2] == AML_NAME);
		const uint8_t *p = at + 4;
		if (!named || p >= end || *p != AML_PACKAGE)
			continue;
		p++;
		if (p >= end)
			return false;
		p += 1 + (*p >> 6);   /* PkgLength: bits 7-6 of the lead byte count the bytes that follow */
		p++;                  /* NumElements */
		uint32_t a, b = 0;
		size_t used = aml_integer(p, end, &a);
		if (used == 0)
			return false;
		if (aml_integer(p + used, end, &b) == 0)
			b = a;
		*type_a = a & 7;
		*type_b = b & 7;
		return true;
	}
	return false;
}

static void fadt_parse(const struct acpi_fadt *fadt)
{
	struct acpi_platform *p = &acpi_platform;
	uint32_t length = fadt->header.length;
	p->pm1a_control = fadt->pm1a_control_block;
	p->pm1b_control = fadt->pm1b_control_block;
	if (length >= offsetof(struct acpi_fadt, x_pm1b_control_block) &&
	    fadt->x_pm1a_control_block.space_id == ACPI_SPACE_IO && fadt->x_pm1a_control_block.address)
		p->pm1a_control = (uint16_t)fadt->x_pm1a_control_block.address;
	p->smi_command = (uint16_t)fadt->smi_command;
	p->acpi_enable = fadt->acpi_enable;

	if (length >= offsetof(struct acpi_fadt, arm_boot_arch) && (fadt->flags & FADT_RESET_REG_SUP)) {
		p->reset_supported = true;
		p->reset_register_space = fadt->reset_register.space_id;
		p->reset_register_address = fadt->reset_register.address;
		p->reset_value = fadt->reset_value;
	}

	uint64_t dsdt_address = fadt->dsdt;
	if (length >= offsetof(struct acpi_fadt, x_pm1a_event_block) && fadt->x_dsdt)
		dsdt_address = fadt->x_dsdt;
	const struct acpi_header *dsdt = table_at(dsdt_address, "DSDT");
	if (dsdt)
		p->s5_from_dsdt = dsdt_find_s5(dsdt, &p->s5_sleep_type_a, &p->s5_sleep_type_b);
}

int acpi_init(struct boot_info *info, uint32_t boot_apic_id)
{
	struct acpi_platform *p = &acpi_platform;
	info->cpu_hwids[0] = boot_apic_id;
	info->cpu_count = 1;
	info->boot_cpu = 0;

	const struct acpi_rsdp *rsdp = rsdp_find();
	if (!rsdp)
		return -ENODEV;
	p->found = true;
	p->revision = rsdp->revision;
	name_platform(rsdp);

	const struct acpi_header *madt = table_find(rsdp, "APIC");
	if (madt)
		madt_parse((const struct acpi_madt *)madt, info, boot_apic_id);
	const struct acpi_header *fadt = table_find(rsdp, "FACP");
	if (fadt)
		fadt_parse((const struct acpi_fadt *)fadt);
	return madt ? 0 : -ENODEV;
}

uint32_t acpi_isa_irq_to_gsi(unsigned isa_irq, uint16_t *flags)
{
	for (unsigned i = 0; i < acpi_platform.override_count; i++) {
		const struct acpi_irq_override *o = &acpi_platform.overrides[i];
		if (o->isa_irq == isa_irq) {
			if (flags)
				*flags = o->flags;
			return o->gsi;
		}
	}
	if (flags)
		*flags = 0; /* conforming: ISA is edge-triggered, active high */
	return isa_irq;
}

const struct acpi_irq_override *acpi_override_for_gsi(uint32_t gsi)
{
	for (unsigned i = 0; i < acpi_platform.override_count; i++)
		if (acpi_platform.overrides[i].gsi == gsi)
			return &acpi_platform.overrides[i];
	return NULL;
}
