/* The VMM entry point (see vmm/vmm.h): reads the built-in configs, creates and starts each VM,
 * and waits until every VM has stopped. A config or VM that fails is reported and skipped; the
 * others still start. */
#include "vmm/vmm.h"
#include "vmm/builtin.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

static struct vm_config configs[VM_MAX];
static struct vm *vms[VM_MAX];

static size_t config_arena_size(void)
{
	size_t text = 0;
	for (size_t i = 0; i < builtin_vm_config_count; i++)
		text += builtin_vm_configs[i].length;
	return 16 * text + 4096;
}

static bool all_stopped(unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (__atomic_load_n(&vms[i]->state, __ATOMIC_ACQUIRE) != VM_STOPPED)
			return false;
	return true;
}

void vmm_run(void)
{
	static uint64_t hwids[MAX_CPUS];
	for (unsigned i = 0; i < cpus_possible; i++)
		hwids[i] = percpu_of(i)->hwid;
	struct config_platform platform = {
		.cpu_count = cpus_possible,
		.cpu_hardware_ids = hwids,
		.cpu_hardware_id_count = cpus_possible,
	};
	size_t arena_size = config_arena_size();
	void *arena = kmalloc(arena_size);
	if (!arena) {
		log_error("no memory to read the VM configs");
		return;
	}
	int count = vmm_load_configs(&platform, configs, VM_MAX, arena, arena_size);
	if (count <= 0) {
		log_info("No VM to run");
		return;
	}
	unsigned created = 0;
	for (int i = 0; i < count; i++) {
		struct vm *vm = vm_create(&configs[i]);
		if (vm) {
			vm->waiter = task_current();
			vms[created++] = vm;
		}
	}
	for (unsigned i = 0; i < created; i++)
		vm_start(vms[i]);
	while (!all_stopped(created))
		task_sleep();
	log_info("All VMs have stopped");
}
