/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's `vm` commands (see shell/shell.h): list, show, create, start, stop, restart,
 * suspend, resume, delete, log. Each error names the command, the VM and the reason. */
#include "shell_internal.h"
#include "vmm/vm.h"
#include "vmm/vm_list.h"
#include "vmm/vmm.h"
#include "vmm/vcpu.h"
#include "vmm/console_focus.h"
#include "fs/disk.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Configs read by `vm create` are at most this long. */
#define CONFIG_TEXT_MAX (64 * 1024)

static bool has_flag(int *argc, char **argv, const char *flag)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], flag) == 0) {
			for (int j = i + 1; j < *argc; j++)
				argv[j - 1] = argv[j];
			(*argc)--;
			return true;
		}
	}
	return false;
}

/* The VM argv[1] names, or NULL after the error line ("vm start 7: no such VM"). */
static struct vm *vm_argument(const char *command, int argc, char **argv)
{
	unsigned id;
	if (argc != 2) {
		shell_printf("vm %s: give one VM id (vm list shows them)\n", command);
		return NULL;
	}
	if (!shell_parse_number(argv[1], &id)) {
		shell_printf("vm %s %s: not a VM id (a number)\n", command, argv[1]);
		return NULL;
	}
	struct vm *vm = vm_list_find(id);
	if (!vm)
		shell_printf("vm %s %u: no such VM\n", command, id);
	return vm;
}

static uint64_t ram_bytes(const struct vm_config *config)
{
	uint64_t total = 0;
	for (size_t i = 0; i < config->kernel.memory_region_count; i++)
		if (!(config->kernel.memory_regions[i].flags & VM_MEMORY_DEVICE))
			total += config->kernel.memory_regions[i].size;
	return total;
}

static void list(int argc, char **argv)
{
	bool json = has_flag(&argc, argv, "--json");
	if (argc != 1) {
		shell_printf("vm list: takes only --json\n");
		return;
	}
	struct vm *vms[VM_MAX];
	uint64_t by_reason[EXIT_FAULT + 1];
	unsigned n = vm_list_snapshot(vms, VM_MAX);
	if (json) {
		shell_printf("[");
		for (unsigned i = 0; i < n; i++) {
			shell_printf("%s{\"id\":%u,\"name\":", i ? "," : "", vms[i]->id);
			shell_json_string(vms[i]->name);
			shell_printf(",\"state\":\"%s\",\"vcpus\":%u,\"memory_bytes\":%llu}", vm_state_name(vm_state_of(vms[i])),
				     vms[i]->vcpu_count, (unsigned long long)ram_bytes(vms[i]->config));
		}
		shell_printf("]\n");
		return;
	}
	shell_printf("%-4s %-20s %-10s %5s %10s %12s\n", "ID", "NAME", "STATE", "VCPUS", "MEMORY", "EXITS");
	for (unsigned i = 0; i < n; i++)
		shell_printf("%-4u %-20s %-10s %5u %7llu MiB %12llu\n", vms[i]->id, vms[i]->name,
			     vm_state_name(vm_state_of(vms[i])), vms[i]->vcpu_count,
			     (unsigned long long)(ram_bytes(vms[i]->config) >> 20), (unsigned long long)vm_exit_counts(vms[i], by_reason));
	if (!n)
		shell_printf("(no VMs: vm create <config.toml> makes one from the disk)\n");
}

static const char *const vcpu_state_names[] = {
	[VCPU_OFF] = "off", [VCPU_RUNNING] = "running", [VCPU_HALTED] = "halted", [VCPU_STOPPED] = "stopped",
};

static uint64_t uptime_ms(const struct vm *vm)
{
	enum vm_state state = vm_state_of(vm);
	if (state == VM_CREATED || state == VM_STOPPED)
		return 0;
	return (timer_uptime_ns() - vm->started_ns) / 1000000;
}

static void show_json(struct vm *vm)
{
	shell_printf("{\"id\":%u,\"name\":", vm->id);
	shell_json_string(vm->name);
	shell_printf(",\"config\":");
	shell_json_string(vm->config->file_name);
	shell_printf(",\"state\":\"%s\",\"boots\":%u,\"uptime_ms\":%llu,\"vcpus\":[", vm_state_name(vm_state_of(vm)),
		     vm->boot_count, (unsigned long long)uptime_ms(vm));
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = vm->vcpus[i];
		shell_printf("%s{\"id\":%u,\"state\":\"%s\",\"cpu\":%u,\"affinity\":%llu,\"cpu_ms\":%llu,\"switches\":%llu,"
			     "\"wake_preemptions\":%llu}", i ? "," : "", v->id, vcpu_state_names[v->state], v->task->cpu,
			     (unsigned long long)v->affinity,
			     (unsigned long long)(timer_ticks_to_ns(v->task->run_ticks) / 1000000),
			     (unsigned long long)v->task->switches, (unsigned long long)v->task->wake_preemptions);
	}
	shell_printf("],\"memory\":[");
	const struct vm_config *c = vm->config;
	for (size_t i = 0; i < c->kernel.memory_region_count; i++)
		shell_printf("%s{\"gpa\":%llu,\"size\":%llu,\"device\":%s}", i ? "," : "",
			     (unsigned long long)c->kernel.memory_regions[i].gpa,
			     (unsigned long long)c->kernel.memory_regions[i].size,
			     (c->kernel.memory_regions[i].flags & VM_MEMORY_DEVICE) ? "true" : "false");
	shell_printf("],\"devices\":[");
	const struct vdev_bus *buses[] = { &vm->mmio_bus, &vm->pio_bus };
	bool first = true;
	for (unsigned b = 0; b < 2; b++)
		for (unsigned i = 0; i < buses[b]->count; i++) {
			const struct vdev *d = buses[b]->devices[i];
			shell_printf("%s{\"name\":", first ? "" : ",");
			shell_json_string(d->name ? d->name : "?");
			shell_printf(",\"space\":\"%s\",\"base\":%llu,\"size\":%llu}", b ? "port" : "mmio",
				     (unsigned long long)d->base, (unsigned long long)d->size);
			first = false;
		}
	shell_printf("],\"exits\":{");
	uint64_t by_reason[EXIT_FAULT + 1];
	vm_exit_counts(vm, by_reason);
	for (unsigned r = 0; r <= EXIT_FAULT; r++)
		shell_printf("%s\"%s\":%llu", r ? "," : "", vm_exit_reason_name(r), (unsigned long long)by_reason[r]);
	shell_printf("},\"console\":{\"shown_bytes\":%llu,\"dropped_bytes\":%llu}}\n",
		     (unsigned long long)vm->console.shown, (unsigned long long)vm->console.dropped);
}

static void show(int argc, char **argv)
{
	bool json = has_flag(&argc, argv, "--json");
	struct vm *vm = vm_argument("show", argc, argv);
	if (!vm)
		return;
	if (json) {
		show_json(vm);
		return;
	}
	uint64_t up = uptime_ms(vm);
	shell_printf("VM %u \"%s\"\n  config:  %s\n  state:   %s (boots: %u, up %llu.%03llu s)\n", vm->id, vm->name,
		     vm->config->file_name, vm_state_name(vm_state_of(vm)), vm->boot_count,
		     (unsigned long long)(up / 1000), (unsigned long long)(up % 1000));
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = vm->vcpus[i];
		shell_printf("  vCPU %u:  %-8s on CPU %u (may run on %#llx), %llu ms of CPU, switched in %llu times "
			     "(%llu preempting at a wake-up)\n", v->id, vcpu_state_names[v->state], v->task->cpu,
			     (unsigned long long)v->affinity,
			     (unsigned long long)(timer_ticks_to_ns(v->task->run_ticks) / 1000000),
			     (unsigned long long)v->task->switches, (unsigned long long)v->task->wake_preemptions);
	}
	const struct vm_config *c = vm->config;
	for (size_t i = 0; i < c->kernel.memory_region_count; i++)
		shell_printf("  memory:  [%#llx, +%#llx) %s\n", (unsigned long long)c->kernel.memory_regions[i].gpa,
			     (unsigned long long)c->kernel.memory_regions[i].size,
			     (c->kernel.memory_regions[i].flags & VM_MEMORY_DEVICE) ? "device (passed through)" : "RAM");
	const struct vdev_bus *buses[] = { &vm->mmio_bus, &vm->pio_bus };
	for (unsigned b = 0; b < 2; b++)
		for (unsigned i = 0; i < buses[b]->count; i++) {
			const struct vdev *d = buses[b]->devices[i];
			shell_printf("  device:  %-16s %s [%#llx, +%#llx)\n", d->name ? d->name : "?", b ? "port" : "mmio",
				     (unsigned long long)d->base, (unsigned long long)d->size);
		}
	shell_printf("  exits:  ");
	uint64_t by_reason[EXIT_FAULT + 1];
	vm_exit_counts(vm, by_reason);
	for (unsigned r = 0; r <= EXIT_FAULT; r++)
		if (by_reason[r])
			shell_printf(" %s %llu", vm_exit_reason_name(r), (unsigned long long)by_reason[r]);
	shell_printf("\n  console: %llu bytes shown, %llu dropped over its budget\n",
		     (unsigned long long)vm->console.shown, (unsigned long long)vm->console.dropped);
}

static void report(const char *command, struct vm *vm, int err, const char *done)
{
	if (err == 0) {
		shell_printf("vm %s %u: %s\n", command, vm->id, done);
		return;
	}
	const char *why = err == -EALREADY ? "nothing to do: it is already so"
			  : err == -EBUSY  ? "not possible in its state"
			  : err == -ETIMEDOUT ? "its vCPUs did not answer in time"
			  : err == -ENOMEM ? "out of memory"
					   : "failed";
	shell_printf("vm %s %u: %s (%s)\n", command, vm->id, why, vm_state_name(vm_state_of(vm)));
}

static void start(int argc, char **argv)
{
	struct vm *vm = vm_argument("start", argc, argv);
	if (vm)
		report("start", vm, vm_start(vm), "started");
}

/* How long `vm stop` waits for a guest to power off after its power button: a Linux guest's
 * acpid and poweroff take well under a second, even under QEMU's emulation. */
#define SHUTDOWN_WAIT_NS 10000000000ULL

/* `stop` presses the VM's power button and waits for the guest to power off; `stop --force` stops
 * it at once (vmm/power_button.h). A guest that does not listen is told apart from one that is
 * slow: the first is never waited for. */
static void stop(int argc, char **argv)
{
	bool force = has_flag(&argc, argv, "--force");
	struct vm *vm = vm_argument("stop", argc, argv);
	if (!vm)
		return;
	if (force) {
		report("stop", vm, vm_stop(vm), "stopped");
		return;
	}
	const char *why = "";
	uint64_t start = timer_uptime_ns();
	int err = vm_shutdown(vm, SHUTDOWN_WAIT_NS, &why);
	unsigned id = vm->id;
	if (err == 0)
		shell_printf("vm stop %u: the guest powered off %llu ms after its %s\n", id,
			     (unsigned long long)((timer_uptime_ns() - start) / 1000000), vm->power_button.what);
	else if (err == -ENODEV)
		shell_printf("vm stop %u: it has no power button (give it a virtio-input one, emu_type 0xE4); "
			     "vm stop --force %u stops it at once\n", id, id);
	else if (err == -ENOTCONN)
		shell_printf("vm stop %u: its guest does not listen for the %s: %s; vm stop --force %u stops it at once\n",
			     id, vm->power_button.what, why, id);
	else if (err == -ETIMEDOUT)
		shell_printf("vm stop %u: the %s was pressed; the guest has not powered off in %llu s (vm stop --force %u "
			     "stops it at once)\n", id, vm->power_button.what, SHUTDOWN_WAIT_NS / 1000000000ULL, id);
	else if (err == -EBUSY && vm_state_of(vm) == VM_SUSPENDED)
		shell_printf("vm stop %u: it is suspended and cannot answer its power button: vm resume %u first, or "
			     "vm stop --force %u\n", id, id, id);
	else
		report("stop", vm, err, "");
}

static void restart(int argc, char **argv)
{
	struct vm *vm = vm_argument("restart", argc, argv);
	if (vm)
		report("restart", vm, vm_restart(vm), "restarting");
}

static void suspend(int argc, char **argv)
{
	struct vm *vm = vm_argument("suspend", argc, argv);
	if (vm)
		report("suspend", vm, vm_suspend(vm), "suspended");
}

static void resume(int argc, char **argv)
{
	struct vm *vm = vm_argument("resume", argc, argv);
	if (vm)
		report("resume", vm, vm_resume(vm), "resumed");
}

static void delete(int argc, char **argv)
{
	struct vm *vm = vm_argument("delete", argc, argv);
	if (!vm)
		return;
	enum vm_state state = vm_state_of(vm);
	if (state != VM_CREATED && state != VM_STOPPED) {
		shell_printf("vm delete %u: it is %s: stop it first (vm stop %u)\n", vm->id, vm_state_name(state), vm->id);
		return;
	}
	unsigned id = vm->id;
	int err = vm_delete(vm);
	if (err == 0)
		shell_printf("vm delete %u: deleted (%llu frames free)\n", id, (unsigned long long)frames_free());
	else
		report("delete", vm, err, "");
}

static void log_history(int argc, char **argv)
{
	unsigned lines = CONSOLE_FOCUS_REPLAY_LINES;
	if (argc == 3 && !shell_parse_number(argv[2], &lines)) {
		shell_printf("vm log %s %s: not a number of lines\n", argv[1], argv[2]);
		return;
	}
	struct vm *vm = vm_argument("log", argc == 3 ? 2 : argc, argv);
	if (vm)
		vm_console_replay(vm, lines ? lines : 1);
}

static void create(int argc, char **argv)
{
	if (argc != 2) {
		shell_printf("vm create: give one config's path on the disk (ls /guest/vm_default)\n");
		return;
	}
	const char *path = argv[1];
	if (strlen(path) >= VMM_PATH_MAX) {
		shell_printf("vm create %s: path too long\n", path);
		return;
	}
	struct fat32_file file;
	int err = disk_open(path, &file);
	if (err < 0) {
		shell_printf("vm create %s: %s\n", path, disk_error());
		return;
	}
	if (file.is_directory || file.size > CONFIG_TEXT_MAX) {
		shell_printf("vm create %s: %s\n", path, file.is_directory ? "a directory, not a config" : "too long for a config");
		return;
	}
	char *text = kmalloc((size_t)file.size + 1);
	if (!text) {
		shell_printf("vm create %s: out of memory\n", path);
		return;
	}
	int64_t got = fat32_read(&file, 0, text, file.size);
	if (got != (int64_t)file.size) {
		shell_printf("vm create %s: cannot read it: %s\n", path, disk_error());
		kfree(text);
		return;
	}
	text[file.size] = '\0';
	struct vm *vm = NULL;
	err = vmm_create_from_text(path, text, (size_t)file.size, &vm);
	kfree(text);
	if (err == -EEXIST || err == -ENOSPC)
		shell_printf("vm create %s: %s\n", path, err == -EEXIST ? "its id is taken" : "no room for another VM");
	else if (err < 0)
		shell_printf("vm create %s: not created (the lines above say why)\n", path);
	else
		shell_printf("vm create %s: VM %u \"%s\" created (vm start %u runs it)\n", path, vm->id, vm->name, vm->id);
}

const struct shell_command shell_vm_commands[] = {
	{ "vm list", "[--json]", "the VMs, their state, vCPUs, memory and exits", list },
	{ "vm show", "<id> [--json]", "one VM: config, state, vCPU placement, memory, devices, exits", show },
	{ "vm create", "<path.toml>", "makes a VM from a config on the disk (not started)", create },
	{ "vm start", "<id>", "boots a created or stopped VM", start },
	{ "vm stop", "[--force] <id>", "presses its power button and waits; --force stops it at once", stop },
	{ "vm restart", "<id>", "resets a VM (or starts a stopped one)", restart },
	{ "vm suspend", "<id>", "holds its vCPUs; its clock stands still", suspend },
	{ "vm resume", "<id>", "lets a suspended VM go on", resume },
	{ "vm delete", "<id>", "frees everything a stopped VM holds", delete },
	{ "vm log", "<id> [lines]", "the last lines it printed", log_history },
};
const unsigned shell_vm_command_count = ARRAY_SIZE(shell_vm_commands);
