/* SPDX-License-Identifier: Apache-2.0 */
/* The exit dispatcher (see vmm/vcpu_exit.h): one handler per arch-neutral reason. */
#include "vmm/vcpu_exit.h"
#include "vmm/hypercall.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "arch/boot.h"
#include "arch/cpu.h"
#include "virt/arch_vm.h"
#include "kernel/log.h"
#include "lib/errno.h"

static enum vm_exit_result handle_mmio(struct vcpu *vcpu, struct vm_exit_mmio *mmio)
{
	enum vm_exit_result result = vdev_bus_access(&vcpu->vm->mmio_bus, vcpu, mmio->gpa, mmio->width, mmio->write,
						     &mmio->value);
	if (result != EXIT_UNCLAIMED)
		return result;
	vm_report_unclaimed(vcpu->vm, mmio->gpa, mmio->write, "MMIO");
	return EXIT_GUEST_FAULT;
}

/* Inlined into the arch exit paths when they are linked with LTO: it is on every MMIO exit. */
__attribute__((always_inline)) enum vm_exit_result vcpu_mmio_in_place(struct vcpu *vcpu, gpa_t gpa, unsigned width,
								     bool write, uint64_t *value)
{
	struct vdev *dev = vdev_bus_find(&vcpu->vm->mmio_bus, gpa, width);
	if (!dev)
		return EXIT_UNCLAIMED;
	vcpu_count_exit(vcpu, EXIT_MMIO);
	return vdev_access(dev, vcpu, gpa - dev->base, width, write, value);
}

/* Port I/O nobody claims reads as all ones, as on a PC bus with nothing behind the port. */
static enum vm_exit_result handle_pio(struct vcpu *vcpu, struct vm_exit_pio *pio)
{
	enum vm_exit_result result = vdev_bus_access(&vcpu->vm->pio_bus, vcpu, pio->port, pio->width, pio->write, &pio->value);
	if (result != EXIT_UNCLAIMED)
		return result;
	vm_report_unclaimed(vcpu->vm, pio->port, pio->write, "port");
	if (!pio->write)
		pio->value = pio->width >= 8 ? ~0ULL : (1ULL << (8 * pio->width)) - 1;
	return EXIT_HANDLED;
}

static enum vm_exit_result handle_cpu_on(struct vcpu *vcpu, struct vm_exit_cpu_on *on)
{
	struct vcpu *target = vcpu_find_by_guest_id(vcpu->vm, on->target);
	on->result = target ? vcpu_request_start(target, on->entry, on->context) : -EINVAL;
	return EXIT_HANDLED;
}

/* A stop or a pause (vm_suspend) for the vCPU, which the run loop acts on. */
static bool request_waiting(struct vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE) & (VCPU_REQUEST_STOP | VCPU_REQUEST_PAUSE);
}

/* WFI/HLT: wait until an interrupt is pending for the vCPU or a request arrives. When no other
 * task wants this CPU, the vCPU waits in place, still loaded: its timer stays armed in hardware
 * and wakes it directly. Otherwise the task sleeps and the CPU goes to others. */
static enum vm_exit_result handle_halt(struct vcpu *vcpu)
{
	/* A prompt waiting for input must be visible. Not when another vCPU may be in the middle of a
	 * line (a halt of the other vCPU cut the test guests' lines in two): a VM of several vCPUs has
	 * its partial line shown by the console's timer (vm_console.c). */
	if (vcpu->vm->vcpu_count == 1)
		vm_console_flush(vcpu->vm);
	if (arch_vcpu_irq_pending(vcpu) || request_waiting(vcpu))
		return EXIT_HANDLED;
	vcpu->state = VCPU_HALTED;
	for (;;) {
		arch_irq_disable();
		if (arch_vcpu_irq_pending(vcpu) || request_waiting(vcpu)) {
			arch_irq_enable();
			break;
		}
		if (sched_cpu_has_waiting_tasks()) {
			/* Still masked since the check above: an interrupt for this vCPU raised on this
			 * CPU (its own timer) cannot come between the check and the sleep, where its kick
			 * would find the vCPU's task current and do nothing (vcpu_kick), and the task would
			 * sleep with it pending, for good (a Linux guest's sleep never ended). A kick from
			 * another CPU in that window is kept by the scheduler (wake_pending). */
			task_sleep();
			arch_irq_enable();
			break;
		}
		arch_cpu_idle();
		arch_irq_enable();
	}
	vcpu->state = VCPU_RUNNING;
	return EXIT_HANDLED;
}

enum vm_exit_result vcpu_handle_exit(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vm *vm = vcpu->vm;
	switch (exit->reason) {
	case EXIT_NONE:
	case EXIT_IRQ:
		return EXIT_HANDLED;
	case EXIT_RAM:
		/* Its first touch: cleared and mapped now, the guest runs the access again. */
		return vm_ram_touch(vm, exit->ram_gpa) ? EXIT_HANDLED : EXIT_GUEST_FAULT;
	case EXIT_MMIO:
		return handle_mmio(vcpu, &exit->mmio);
	case EXIT_PIO:
		return handle_pio(vcpu, &exit->pio);
	case EXIT_HYPERCALL:
		hypercall_handle(vcpu, &exit->hypercall);
		return EXIT_HANDLED;
	case EXIT_CPU_ON:
		return handle_cpu_on(vcpu, &exit->cpu_on);
	case EXIT_CPU_OFF:
		log_debug("VM[%u] vCPU %u: off", vm->id, vcpu->id);
		return EXIT_STOP_VCPU;
	case EXIT_HALT:
		return handle_halt(vcpu);
	case EXIT_SYSTEM_OFF:
		vm_log_info(vm, "the guest powered off");
		vm_request_stop(vm);
		return EXIT_STOP_VCPU;
	case EXIT_SYSTEM_RESET:
		vm_request_guest_reset(vm, NULL);
		return EXIT_STOP_VCPU;
	case EXIT_FAULT:
		/* The guest gets the architected fault every time; the log, the first few (the count
		 * of all is in the VM's stop line). */
		if (vm_log_budget(vm, &vm->fault_log_lines, 8, "faults given to the guest"))
			vm_log_warn(vm, "vCPU %u: %s at %#llx (cause %#llx)", vcpu->id,
				    exit->fault.what ? exit->fault.what : "fault", (unsigned long long)exit->fault.address,
				    (unsigned long long)exit->fault.cause);
		return EXIT_GUEST_FAULT;
	}
	return EXIT_GUEST_FAULT;
}
