/* SPDX-License-Identifier: Apache-2.0 */
/* A virtual machine: its configuration, guest memory, devices and vCPUs. Created from a
 * validated struct vm_config by vm_create(); runs until the guest powers it off or it faults. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include "lib/types.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/timer_queue.h"
#include "vmm/config.h"
#include "vmm/dt_passthrough.h"
#include "vmm/exit.h"
#include "vmm/host_resources.h"
#include "vmm/vdev.h"
#include "vmm/vm_console.h"
#include "vmm/pci_bus.h"
#include "vmm/ram_window.h"
#include "vmm/power_button.h"
#include "virt_impl/vm.h"

#define VM_MAX 16

/* CREATED -> RUNNING (vm_start) <-> SUSPENDED (vm_suspend, vm_resume); RUNNING -> RESETTING ->
 * RUNNING (a reset, vm_restart); any -> STOPPED (the guest powers off, vm_request_stop);
 * STOPPED -> RUNNING (vm_start again); CREATED or STOPPED -> gone (vm_delete). */
enum vm_state { VM_CREATED, VM_RUNNING, VM_RESETTING, VM_SUSPENDED, VM_STOPPED };
const char *vm_state_name(enum vm_state state);
enum vm_state vm_state_of(const struct vm *vm); /* a snapshot, without the VM's lock */

struct vm_ram {
	gpa_t gpa;
	hpa_t hpa;
	uint64_t size;
	unsigned permissions;   /* GPT_* */
	bool cleared_up_front;  /* never left to a first touch: GPA = HPA, or not RWX (back_ram) */
	/* Per VM_RAM_CHUNK of guest-physical space the region spans: true once cleared and mapped.
	 * A chunk that is not is cleared and mapped where the guest, or the hypervisor on its behalf,
	 * first touches it (vm_ram_touch, guest_ram_at in vm_memory.c). Read without the lock. */
	bool *present;
	size_t chunks;
};
/* What a guest's first touch clears and maps at once: a stage-2 block on every arch. */
#define VM_RAM_CHUNK MiB(2)

struct vcpu;
struct task;

struct vm {
	unsigned id;
	char name[VM_NAME_MAX + 1];
	const struct vm_config *config;
	enum vm_state state;
	struct spinlock lock;          /* guards state, vcpus_active and the console line state */
	struct vm_ram ram[VM_MAX_MEMORY_REGIONS];
	unsigned ram_count;
	uint64_t ram_bytes;         /* of the regions above */
	uint64_t ram_cleared_bytes; /* of those, what had to be cleared since they were set up (the
				     * rest was clean: scrubbed ahead by idle CPUs, or never used) */
	struct spinlock ram_lock;      /* guards making a RAM chunk present (vm_memory.c) */
	struct spinlock gpt_lock;      /* guards changes to the guest page tables (arch_gpt_map) */
	struct vdev_bus mmio_bus;
	struct vdev_bus pio_bus;
	struct pci_bus pci;            /* PCI functions (x86: vdev/x86_pci.c reaches them) */
	struct vcpu **vcpus;
	unsigned vcpu_count;
	unsigned vcpus_active;         /* vCPUs not off; the VM stops when the last one leaves */
	struct vm_output console;       /* its output: the open line, history, budget (vm_console.h) */
	unsigned boot_count;            /* boots so far, resets included */
	gpa_t initrd_start, initrd_end;  /* where the ramdisk image was loaded, if any */
	gpa_t dtb_address;               /* the device tree handed to the boot vCPU, 0: none */
	gpa_t image_gpa[VM_IMAGE_KIND_COUNT]; /* where each image was loaded (vm_loader.c) */
	gpa_t entry;                     /* where the boot vCPU starts */
	struct task *waiter;           /* woken when the VM stops (vmm_run) */
	bool finished;                 /* stopped, and its last vCPU is done with it */
	unsigned vcpu_tasks;           /* vCPU tasks not yet ended (vm_delete waits for none) */
	uint64_t started_ns;           /* uptime at its last boot (resets included), for vm show */
	uint64_t suspended_ticks;      /* timer ticks when it was suspended */
	void *owned_config;            /* a config read at run time (vm create), freed with the VM */
	uint64_t unclaimed_reported[8]; /* addresses of unclaimed accesses already logged */
	unsigned unclaimed_count;
	uint64_t unclaimed_unlogged;    /* unclaimed accesses to further addresses: counted, not logged */
	void (*console_rx)(void *device, char c); /* the console device that takes typed input */
	void *console_rx_device;
	struct vm_power_button power_button; /* what `vm stop` presses (vmm/power_button.h) */
	const struct virq_ops *virq;    /* the VM's interrupt controller model, or NULL */
	void *virq_priv;
	bool virq_missing_reported;
	unsigned ivc_log_lines;           /* IVC calls logged so far (vmm/ivc.c rate-limits them) */
	unsigned debug_log_lines;         /* debug hypercalls logged so far (vmm/hypercall.c) */
	unsigned fault_log_lines;         /* faults given to the guest logged so far (vcpu_exit.c) */
	struct dt_passthrough dt;       /* the host device-tree nodes passed through (vm_devices.c) */
	struct vm_emu_device default_console; /* given when its config names none; its name NULL if not */
	struct vm_arch arch;
};

/* Creates the VM: memory, images, devices and vCPUs (vCPU 0 runnable). Returns NULL after
 * logging why when anything fails; nothing of it is left behind. */
__must_check struct vm *vm_create(const struct vm_config *config);
/* Starts the boot vCPU of a CREATED VM, or of a STOPPED one after giving it back its RAM and
 * images. -EBUSY when it runs, -ENOMEM (logged) when its RAM cannot be had again. Task context. */
__must_check int vm_start(struct vm *vm);
/* vm_start in two halves, for starting several VMs together (vmm.c): the first does everything
 * but start the boot vCPU, the second only that (it neither sleeps nor logs). */
__must_check int vm_start_prepare(struct vm *vm);
void vm_start_boot_vcpu(struct vm *vm);
/* Asks every vCPU to stop; the VM is STOPPED when the last one has. Any context. */
void vm_request_stop(struct vm *vm);
/* vm_request_stop, then waits (up to a second) until the VM is STOPPED. Task context. */
__must_check int vm_stop(struct vm *vm);
/* Deschedules every vCPU, which keeps its state; time stands still for the guest until
 * vm_resume (its clock is moved back by the pause: arch_vcpu_shift_clock). Task context. */
__must_check int vm_suspend(struct vm *vm);
__must_check int vm_resume(struct vm *vm);
/* Resets a running or suspended VM (its vCPUs stop and it boots again), starts a created or
 * stopped one; -EBUSY while it resets. Task context. */
__must_check int vm_restart(struct vm *vm);
/* Frees everything a CREATED or STOPPED VM holds (-EBUSY otherwise). Task context. */
__must_check int vm_delete(struct vm *vm);
/* Stops all vCPUs, reloads the images and boots again from vCPU 0 (guest reset). */
void vm_request_reset(struct vm *vm);
/* The VM's exits by reason (by_reason[EXIT_*], summed over its vCPUs); returns their total. */
uint64_t vm_exit_counts(const struct vm *vm, uint64_t by_reason[EXIT_FAULT + 1]);
const char *vm_exit_reason_name(enum vm_exit_reason reason);
/* Copies host bytes into guest-physical memory; -EFAULT if any part is not guest RAM. */
__must_check int vm_copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t size);
__must_check int vm_copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t size);
/* The hypervisor's address of guest RAM [gpa, gpa + length), which must lie in one of the VM's
 * RAM regions, or NULL (device memory, another VM's, a wrap). For device models that reach into
 * guest memory (virtqueues); the regions do not move while the VM exists. What it returns is
 * cleared and mapped for the guest (present) until the VM resets or stops. */
void *vm_guest_ram(struct vm *vm, gpa_t gpa, uint64_t length);
/* vm_guest_ram, and where it succeeds *window becomes the run of present chunks around the span
 * (up to 64 MiB each way): a device model that keeps it finds the next address in it without a
 * lookup (a virtqueue's hundreds of buffers per request), for as long as vm_guest_ram's answer
 * holds: until the VM resets or stops, which resets its devices first (they drop the window). */
void *vm_guest_ram_window(struct vm *vm, gpa_t gpa, uint64_t length, struct vm_ram_window *window);
/* Whether gpa lies in RAM the VM gets cleared at its first touch: for an arch's stage-2 fault,
 * which there means a chunk not yet present, or made present by another vCPU since (EXIT_RAM).
 * RAM cleared up front (GPA = HPA, or not readable, writable and executable) is not: a fault
 * there is the guest's. */
bool vm_gpa_in_lazy_ram(const struct vm *vm, gpa_t gpa);
/* Makes the RAM chunk holding gpa present (cleared and mapped): true when it is, false when it
 * cannot be (not RAM, no memory for the page tables; logged). Task context. */
__must_check bool vm_ram_touch(struct vm *vm, gpa_t gpa);
/* The bytes of the VM's RAM still to be cleared at their first touch. */
uint64_t vm_ram_untouched_bytes(const struct vm *vm);
static inline void vm_console_flush(struct vm *vm)
{
	/* Guests poll status registers in tight loops: an empty line costs neither a call nor a lock. */
	if (__atomic_load_n(&vm->console.length, __ATOMIC_RELAXED))
		vm_console_flush_line(vm);
}
/* Names the console device (an emulated UART, a virtio console) that receives what is typed for
 * this VM: the first one named wins. Called while the VM's devices are made. */
void vm_set_console_input(struct vm *vm, void (*rx)(void *device, char c), void *device);
/* The same, over whatever was named before or is named after: for the device the guest is told to
 * use as its console (vm_devices.c: a virtio console that the command line makes Linux's). */
void vm_take_console_input(struct vm *vm, void (*rx)(void *device, char c), void *device);
/* Logs an access no device claims, once per address. */
void vm_report_unclaimed(struct vm *vm, uint64_t address, bool write, const char *space);
/* A budget of log lines for something a guest can repeat at will (counter: the VM's count of them):
 * true while fewer than `budget` were logged; once the budget is spent, one line says that further
 * `what` are not logged, and then false. Any context. */
bool vm_log_budget(struct vm *vm, unsigned *counter, unsigned budget, const char *what);
/* Takes a host MMIO range or physical interrupt for the VM (vmm/host_resources.h): 0, or a
 * negative error after a log line naming what (e.g. "host node 'uart@9000000'") and who has it.
 * Sharing the hypervisor's console UART is allowed with a warning. Released with the VM. */
__must_check int vm_claim_host_resource(struct vm *vm, enum host_resource_kind kind, uint64_t base,
					uint64_t size, const char *what);

/* The guest asked for a reset (how it did, e.g. "port 0xcf9", or NULL): logged, then
 * vm_request_reset. */
void vm_request_guest_reset(struct vm *vm, const char *how);
/* The level of the lines about a VM's boot: info, but during a reset the guest asked for (asked
 * for, resetting, images loaded, boot success) info only for a VM's first 10 resets and every
 * 10th after, so that a guest resetting in a loop cannot fill the log. */
int vm_boot_log_level(const struct vm *vm);

/* A log line about a VM: "VM[id] name: " ahead of the message, written in one place instead of
 * in every format string. */
void vm_log_write(const struct vm *vm, int level, const char *file, int line, const char *fmt, ...)
	__printf_like(5, 6);
#define vm_log_at(level, vm, ...)                                                   \
	do {                                                                        \
		if ((level) <= LOG_LEVEL_BUILD)                                     \
			vm_log_write((vm), (level), __FILE_NAME__, __LINE__, __VA_ARGS__); \
	} while (0)
#define vm_log_error(vm, ...) vm_log_at(LOG_LEVEL_ERROR, vm, __VA_ARGS__)
#define vm_log_warn(vm, ...) vm_log_at(LOG_LEVEL_WARN, vm, __VA_ARGS__)
#define vm_log_info(vm, ...) vm_log_at(LOG_LEVEL_INFO, vm, __VA_ARGS__)
#define vm_log_debug(vm, ...) vm_log_at(LOG_LEVEL_DEBUG, vm, __VA_ARGS__)

#endif
