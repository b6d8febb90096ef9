/* SPDX-License-Identifier: Apache-2.0 */
/* VM configuration: AxVisor's TOML schema ([base], [kernel], [devices]) read into a plain struct, and
 * checks that name the file, line and key of every problem (docs/config.md describes each key).
 *
 *   config_parse()          TOML text -> struct vm_config; syntax, types, required and unknown keys
 *   config_validate()       one config's meaning: ranges, alignment, overlaps, CPUs, addresses
 *   config_check_unique()   VM ids and names across a set of configs
 *   config_check_image_fits() the loader's check once it knows an image's real size
 *
 * Every problem goes to the reporter callback as one line "file:line: key.path: text" and the
 * functions carry on, so a user sees all errors at once. Strings in a vm_config point into the arena
 * passed to config_parse(), which must outlive the config. No global state, no allocation. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include "lib/toml.h"
#include "lib/types.h"

#define VM_MAX_VCPUS 64 /* phys_cpu_sets entries are 64-bit masks */
#define VM_MAX_MEMORY_REGIONS 16
#define VM_MAX_PASSTHROUGH_DEVICES 32
#define VM_MAX_PASSTHROUGH_ADDRESSES 32
#define VM_MAX_EXCLUDED_DEVICES 32
#define VM_MAX_EMU_DEVICES 32
#define VM_MAX_EMU_CONFIG_WORDS 16
#define VM_NAME_MAX 63 /* bytes, not counting the NUL */
#define CONFIG_MESSAGE_MAX 256

/* base.vm_type */
enum vm_type {
	VM_TYPE_HOST = 0,
	VM_TYPE_RTOS = 1,
	VM_TYPE_LINUX = 2,
};

/* kernel.image_location */
enum vm_image_location {
	VM_IMAGE_IN_FILESYSTEM = 0, /* "fs", the default: images are read from the disk at boot */
	VM_IMAGE_IN_MEMORY = 1,     /* "memory": images are built into the hypervisor (vmm/builtin.h) */
};

/* memory_regions[i][2]: mapping flags, AxVisor's MappingFlags bits */
#define VM_MEMORY_READ 0x1u
#define VM_MEMORY_WRITE 0x2u
#define VM_MEMORY_EXECUTE 0x4u
#define VM_MEMORY_USER 0x8u
#define VM_MEMORY_DEVICE 0x10u
#define VM_MEMORY_UNCACHED 0x20u
#define VM_MEMORY_ALL_FLAGS 0x3fu

/* memory_regions[i][3] */
enum vm_map_type {
	VM_MAP_ALLOCATE = 0,  /* the hypervisor allocates backing memory anywhere */
	VM_MAP_IDENTICAL = 1, /* GPA = HPA: the host range itself is given to the guest */
	VM_MAP_RESERVED = 2,  /* host memory reserved for this guest, mapped at the same address */
};

/* devices.interrupt_mode */
enum vm_interrupt_mode {
	VM_INTERRUPTS_NONE = 0,        /* "no_irq" (default; AxVisor also accepts "no", "none") */
	VM_INTERRUPTS_EMULATED = 1,    /* "emu" ("emulated") */
	VM_INTERRUPTS_PASSTHROUGH = 2, /* "passthrough" ("pt") */
};

/* devices.console (Tessera's key): whether a VM whose config gives it no console gets one. */
enum vm_console {
	VM_CONSOLE_AUTO = 0, /* "auto": an emulated UART at the machine's usual address */
	VM_CONSOLE_NONE = 1, /* "none": no console unless the config names one */
};

/* emu_devices[i][4]: AxVisor's EmulatedDeviceType numbers, and Tessera's 0xE4 beside its virtio
 * ones (AxVisor has no input device) */
enum vm_emu_type {
	VM_EMU_DUMMY = 0x00,
	VM_EMU_INTERRUPT_CONTROLLER = 0x01,
	VM_EMU_CONSOLE = 0x02,
	VM_EMU_IVC_CHANNEL = 0x0a,
	VM_EMU_GPPT_REDISTRIBUTOR = 0x20,
	VM_EMU_GPPT_DISTRIBUTOR = 0x21,
	VM_EMU_GPPT_ITS = 0x22,
	VM_EMU_VIRTIO_BLOCK = 0xe1,
	VM_EMU_VIRTIO_NET = 0xe2,
	VM_EMU_VIRTIO_CONSOLE = 0xe3,
	VM_EMU_VIRTIO_POWER_BUTTON = 0xe4, /* virtio-input with KEY_POWER: the VM's power button */
};

/* The images a config can name; each has a <kind>_path and <kind>_load_addr key in [kernel]. */
enum vm_image_kind {
	VM_IMAGE_KERNEL,
	VM_IMAGE_DTB,
	VM_IMAGE_BIOS,
	VM_IMAGE_RAMDISK,
	VM_IMAGE_KIND_COUNT,
};

/* A scalar with the line it came from; line 0 means the key was absent and value is the default. */
struct config_number {
	uint64_t value;
	uint32_t line;
};

struct config_string {
	const char *value; /* NULL when absent */
	uint32_t line;
};

struct vm_memory_region {
	gpa_t gpa;
	uint64_t size;
	uint64_t flags;
	uint64_t map_type; /* enum vm_map_type once validated */
	uint32_t line;
};

/* Either a device-tree path (["/pl011@9000000"]; the hypervisor finds the rest in the host device
 * tree) or an explicit window [name, base_gpa, base_hpa, length, irq]. */
struct vm_passthrough_device {
	const char *name;
	bool is_device_tree_path;
	gpa_t base_gpa;
	hpa_t base_hpa;
	uint64_t length;
	uint64_t irq;
	uint32_t line;
};

struct vm_passthrough_address {
	gpa_t gpa; /* also the host address: these windows are mapped GPA = HPA */
	uint64_t length;
	uint32_t line;
};

struct vm_excluded_device {
	const char *path;
	uint32_t line;
};

struct vm_emu_device {
	const char *name;
	gpa_t base_gpa;
	uint64_t length;
	uint64_t irq;
	uint64_t emu_type; /* enum vm_emu_type once validated */
	uint64_t config[VM_MAX_EMU_CONFIG_WORDS];
	size_t config_count;
	uint32_t line;
};

struct vm_image {
	struct config_string path;
	struct config_number load_addr;
};

struct vm_config {
	const char *file_name; /* as given to config_parse(), for messages */

	struct {
		uint32_t line; /* of the [base] header */
		struct config_number id;
		struct config_string name;
		struct config_number vm_type;
		struct config_number cpu_num;
		uint64_t phys_cpu_ids[VM_MAX_VCPUS];
		size_t phys_cpu_id_count;
		uint32_t phys_cpu_ids_line; /* 0: absent, the vCPUs are not pinned (docs/config.md) */
		uint64_t phys_cpu_sets[VM_MAX_VCPUS];
		size_t phys_cpu_set_count;
		uint32_t phys_cpu_sets_line; /* 0: absent, vCPUs may run on any CPU */
	} base;

	struct {
		uint32_t line;
		struct config_number entry_point;
		struct config_number image_location; /* enum vm_image_location */
		struct vm_image images[VM_IMAGE_KIND_COUNT];
		struct config_string cmdline;
		struct config_string disk_path;
		struct vm_memory_region memory_regions[VM_MAX_MEMORY_REGIONS];
		size_t memory_region_count;
		uint32_t memory_regions_line;
		struct config_number keep_ram_on_reset; /* Tessera's: 1 = a reset leaves RAM as it is */
	} kernel;

	struct {
		uint32_t line;
		struct vm_passthrough_device passthrough_devices[VM_MAX_PASSTHROUGH_DEVICES];
		size_t passthrough_device_count;
		struct vm_passthrough_address passthrough_addresses[VM_MAX_PASSTHROUGH_ADDRESSES];
		size_t passthrough_address_count;
		struct vm_excluded_device excluded_devices[VM_MAX_EXCLUDED_DEVICES];
		size_t excluded_device_count;
		struct vm_emu_device emu_devices[VM_MAX_EMU_DEVICES];
		size_t emu_device_count;
		struct config_number interrupt_mode; /* enum vm_interrupt_mode */
		struct config_number console;        /* Tessera's: enum vm_console, default VM_CONSOLE_AUTO */
	} devices;
};

enum config_severity {
	CONFIG_WARNING,
	CONFIG_ERROR,
};

/* Receives each diagnostic as one line without a trailing newline. Counts are kept for the caller. */
typedef void (*config_report_fn)(void *ctx, enum config_severity severity, const char *message);

struct config_reporter {
	config_report_fn report;
	void *ctx;
	unsigned errors;
	unsigned warnings;
};

struct config_host_range {
	hpa_t base;
	uint64_t size;
};

/* What the machine offers; zero counts mean "unknown" and skip the matching checks. */
struct config_platform {
	unsigned cpu_count; /* physical CPUs; CPU masks (phys_cpu_sets) index them 0..cpu_count-1 */
	/* Hardware ids (MPIDR affinity on Arm, hart id on RISC-V, APIC id on x86) of the CPUs. When
	 * absent, phys_cpu_ids are checked against 0..cpu_count-1. */
	const uint64_t *cpu_hardware_ids;
	unsigned cpu_hardware_id_count;
	/* Host RAM: identical and reserved memory regions must lie inside one of these. */
	const struct config_host_range *host_memory;
	unsigned host_memory_count;
};

/* Parses one config file. Reports syntax errors, wrong types, missing required keys (errors) and
 * unknown keys (warnings). Returns 0 when nothing was an error, -EINVAL otherwise, -ENOMEM if the
 * arena ran out. Needs an arena of about 16 times the text size. */
__must_check int config_parse(const char *file_name, const char *text, size_t length,
			      struct toml_arena *arena, struct vm_config *config,
			      struct config_reporter *reporter);

/* Checks what config_parse() cannot see alone. `platform` may be NULL (no platform checks).
 * Returns 0 or -EINVAL after reporting every problem. Call it only on a config that parsed. */
__must_check int config_validate(const struct vm_config *config, const struct config_platform *platform,
				 struct config_reporter *reporter);

/* Reports VM ids and names used by more than one config, on the later one. Returns 0 or -EINVAL. */
__must_check int config_check_unique(const struct vm_config *configs, size_t count,
				     struct config_reporter *reporter);

/* Reports where `config` reuses an id or name of one of `others`. Returns 0 or -EINVAL. */
__must_check int config_check_unique_against(const struct vm_config *config, const struct vm_config *others,
					     size_t count, struct config_reporter *reporter);

/* For the image loader: checks that `size` bytes at the image's load address fit inside one guest
 * memory region. Returns 0 or -EINVAL (reported with the load address key's line). */
/* The same at an explicit base: where the loader put an image whose load address the config leaves
 * to it (kernel_load_addr absent). */
__must_check int config_check_image_fits_at(const struct vm_config *config, enum vm_image_kind kind,
					    uint64_t base, uint64_t size, struct config_reporter *reporter);
__must_check int config_check_image_fits(const struct vm_config *config, enum vm_image_kind kind,
					 uint64_t size, struct config_reporter *reporter);

/* "kernel", "dtb", "bios", "ramdisk": the prefix of the <kind>_path / <kind>_load_addr keys. */
const char *config_image_kind_name(enum vm_image_kind kind);

const char *config_interrupt_mode_name(enum vm_interrupt_mode mode);
const char *config_emu_type_name(uint64_t emu_type); /* NULL for numbers AxVisor does not define */
bool config_emu_type_is_virtio(uint64_t emu_type);   /* 0xE1 block, 0xE2 net, 0xE3 console, 0xE4 input */
/* Tessera's convention for x86 port I/O: an emulated or passthrough device whose name starts with
 * "port:" lives in port space at base_gpa (a port number), not in guest-physical space. Emulated
 * ones sit on the VM's port-I/O bus; passthrough ones are the arch's (I/O permission map). */
#define CONFIG_PORT_DEVICE_PREFIX "port:"
bool config_name_is_port(const char *name);
bool config_emu_device_is_port(const struct vm_emu_device *device);

/* The backend of a virtio block device (emu_type 0xE1), named after '@' in its name so the file
 * stays valid in AxVisor's schema: "vda@disk1" (host disk 1 whole), "vda@disk1p2" (its partition 2),
 * "vda@/guest/root.img" (a file on the hypervisor's FAT32 disk, written in place). ":ro" at the end
 * makes it read-only. docs/config.md, "Virtio devices". */
enum config_blk_kind { CONFIG_BLK_DISK, CONFIG_BLK_PARTITION, CONFIG_BLK_FILE };
#define CONFIG_BLK_PATH_MAX 127
struct config_blk_backend {
	enum config_blk_kind kind;
	unsigned disk;          /* disk and partition */
	unsigned partition;     /* partition: 1 and up */
	char path[CONFIG_BLK_PATH_MAX + 1]; /* file */
	bool read_only;
};
/* 0, or -EINVAL with *why saying what is wrong with the name. */
__must_check int config_blk_backend(const char *device_name, struct config_blk_backend *out,
				    const char **why);
/* "disk1", "disk1p2" or the file's path, with ":ro" when read-only. */
void config_blk_backend_name(const struct config_blk_backend *backend, char *out, size_t size);
/* Whether two backends may reach the same sectors (the same disk, a disk and its partition, the
 * same partition, the same file). */
bool config_blk_backends_overlap(const struct config_blk_backend *a, const struct config_blk_backend *b);

/* A virtio network device (emu_type 0xE2): its switch segment after '@' in its name ("eth0@lan";
 * "eth0" alone is on CONFIG_NET_DEFAULT_SEGMENT), its MAC the first config word if there is one and
 * it is not 0 (48 bits, the first octet the most significant: 0x02_00_00_00_00_01 is
 * 02:00:00:00:00:01), else one derived from the VM id and the device's place among the VM's NICs
 * (locally administered, 02:74:73:ID-high:ID-low:N); the second word, if any, is its storm limit
 * in broadcast/multicast frames a second. docs/config.md, "A virtio network device". */
#define CONFIG_NET_SEGMENT_MAX 15
#define CONFIG_NET_DEFAULT_SEGMENT "lan"
#define CONFIG_NET_STORM_MAX 1000000
struct config_net_port {
	char segment[CONFIG_NET_SEGMENT_MAX + 1];
	uint8_t mac[6];
	uint32_t storm_per_second;   /* the second config word; 0 (none) is the switch's default */
};
/* Of emu_devices[index] of `config` (a 0xE2 device): 0, or -EINVAL with *why saying what is wrong.
 * Its config words: [MAC, broadcast/multicast frames a second], both optional; a MAC of 0 (or none)
 * is derived from the config's VM id and the device's place among its 0xE2 devices. */
__must_check int config_net_port(const struct vm_config *config, size_t index, struct config_net_port *out,
				 const char **why);

/* Formats "file:line: key: message" (or "file: key: message" when line is 0) and passes it on. */
void config_report(struct config_reporter *reporter, enum config_severity severity, const char *file_name,
		   uint32_t line, const char *key, const char *fmt, ...) __printf_like(6, 7);

#endif
