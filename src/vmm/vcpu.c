/* SPDX-License-Identifier: Apache-2.0 */
/* vCPUs (see vmm/vcpu.h). Each is a kernel task: it waits until started, runs the guest, handles
 * its exits, and goes back to waiting when the guest turns it off or the VM stops or resets.
 * The guest state that lives in CPU registers follows the task through the scheduler's switch
 * hooks, so a halted or preempted vCPU costs nothing on the exit path. */
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vm_internal.h"
#include "vmm/vcpu_exit.h"
#include "arch/cpu.h"
#include "virt/arch_vm.h"
#include "arch/boot.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "lib/errno.h"
#include "lib/format.h"

static void switch_out(void *arg)
{
	arch_vcpu_put(arg);
}

static void switch_in(void *arg)
{
	arch_vcpu_load(arg);
}

/* A suspended VM's vCPU sleeps here, its guest state saved by the switch hooks, until resumed or
 * stopped. vcpu->paused tells vm_suspend that it has left the guest. */
static void hold_while_paused(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->paused, true, __ATOMIC_RELEASE);
	for (;;) {
		unsigned requests = __atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE);
		if (!(requests & VCPU_REQUEST_PAUSE) || (requests & VCPU_REQUEST_STOP))
			break;
		task_sleep();
	}
	__atomic_store_n(&vcpu->paused, false, __ATOMIC_RELEASE);
}

/* Runs the guest until this vCPU leaves it (turned off, VM stopped or reset). */
static void run_guest(struct vcpu *vcpu)
{
	struct vm_exit exit;
	int err = arch_vcpu_init(vcpu, vcpu->start_entry, vcpu->start_arg);
	if (err < 0) {
		/* No memory for its state (x86: the VMCB, the FPU area): it stays off, as a CPU that
		 * does not come up; its VM and the others go on. */
		vm_log_error(vcpu->vm, "vCPU %u cannot start: no memory for its state (%d); it stays off", vcpu->id, err);
		return;
	}
	arch_irq_disable();
	task_set_switch_hooks(switch_out, switch_in, vcpu);
	arch_vcpu_load(vcpu);
	arch_irq_enable();
	for (;;) {
		unsigned requests = __atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE);
		if (requests & VCPU_REQUEST_STOP)
			break;
		if (requests & VCPU_REQUEST_PAUSE) {
			hold_while_paused(vcpu);
			continue;
		}
		arch_irq_disable();
		enum vm_exit_result result = arch_vcpu_run(vcpu, &exit);
		/* A host interrupt that made the guest exit is either still pending, and taken here, or
		 * was handled on the exit path; either may have asked for this task to be preempted
		 * (the switch hooks save the guest's registers). */
		arch_irq_enable();
		vcpu_account_exits(vcpu);
		sched_preempt_if_needed();
		if (result == EXIT_HANDLED)
			continue;
		vcpu_count_exit(vcpu, exit.reason);
		result = vcpu_handle_exit(vcpu, &exit);
		if (result == EXIT_HANDLED)
			arch_vcpu_finish_exit(vcpu, &exit);
		else if (result == EXIT_STOP_VCPU)
			break;
		else
			arch_vcpu_inject_fault(vcpu, &exit);
	}
	arch_irq_disable();
	arch_vcpu_put(vcpu);
	task_set_switch_hooks(NULL, NULL, NULL);
	arch_irq_enable();
}

static void vcpu_main(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&vm->lock);
		unsigned requests = vcpu->requests;
		if (requests & VCPU_REQUEST_START) {
			bool cancelled = requests & VCPU_REQUEST_STOP;
			__atomic_and_fetch(&vcpu->requests, ~(VCPU_REQUEST_START | VCPU_REQUEST_STOP), __ATOMIC_ACQ_REL);
			vcpu->state = cancelled ? VCPU_OFF : VCPU_RUNNING;
			spin_unlock_irqrestore(&vm->lock, flags);
			if (!cancelled) {
				log_debug("VM[%u] vCPU %u: starting at %#llx on CPU %u", vm->id, vcpu->id,
					  (unsigned long long)vcpu->start_entry, this_cpu()->id);
				run_guest(vcpu);
				flags = spin_lock_irqsave(&vm->lock);
				vcpu->state = VCPU_OFF;
				__atomic_and_fetch(&vcpu->requests, ~VCPU_REQUEST_STOP, __ATOMIC_ACQ_REL);
				spin_unlock_irqrestore(&vm->lock, flags);
			}
			vm_vcpu_left(vm);
			continue;
		}
		if (requests & VCPU_REQUEST_EXIT) {
			spin_unlock_irqrestore(&vm->lock, flags);
			vm_vcpu_task_ended(vm);
			task_exit();
		}
		/* A stop for a vCPU that is already off means nothing. */
		__atomic_and_fetch(&vcpu->requests, ~VCPU_REQUEST_STOP, __ATOMIC_ACQ_REL);
		spin_unlock_irqrestore(&vm->lock, flags);
		task_sleep();
	}
}

struct vcpu *vcpu_create(struct vm *vm, unsigned id, cpumask_t affinity)
{
	struct vcpu *vcpu = kzalloc(sizeof(*vcpu));
	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->state = VCPU_OFF;
	vcpu->affinity = affinity;
	vcpu->guest_id = arch_vcpu_guest_id(id);
	char name[TASK_NAME_MAX];
	format_snprintf(name, sizeof(name), "vm%u/vcpu%u", vm->id, id);
	vcpu->task = task_create(name, vcpu_main, vcpu, affinity);
	if (!vcpu->task) {
		vm_log_error(vm, "cannot create vCPU %u (affinity %#llx)", id,
			     (unsigned long long)affinity);
		kfree(vcpu);
		return NULL;
	}
	return vcpu;
}

int vcpu_request_start(struct vcpu *vcpu, gpa_t entry, uint64_t arg)
{
	struct vm *vm = vcpu->vm;
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->state != VM_RUNNING) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return -EINVAL;
	}
	if (vcpu->state != VCPU_OFF || (vcpu->requests & VCPU_REQUEST_START)) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return -EBUSY;
	}
	vcpu->start_entry = entry;
	vcpu->start_arg = arg;
	vm->vcpus_active++;
	__atomic_or_fetch(&vcpu->requests, VCPU_REQUEST_START, __ATOMIC_ACQ_REL);
	spin_unlock_irqrestore(&vm->lock, flags);
	task_wake(vcpu->task);
	return 0;
}

void vcpu_request_stop(struct vcpu *vcpu)
{
	__atomic_or_fetch(&vcpu->requests, VCPU_REQUEST_STOP, __ATOMIC_ACQ_REL);
	vcpu_kick(vcpu);
}

void vcpu_request_pause(struct vcpu *vcpu, bool pause)
{
	if (pause)
		__atomic_or_fetch(&vcpu->requests, VCPU_REQUEST_PAUSE, __ATOMIC_ACQ_REL);
	else
		__atomic_and_fetch(&vcpu->requests, ~VCPU_REQUEST_PAUSE, __ATOMIC_ACQ_REL);
	vcpu_kick(vcpu);
}

void vcpu_request_exit(struct vcpu *vcpu)
{
	__atomic_or_fetch(&vcpu->requests, VCPU_REQUEST_EXIT, __ATOMIC_ACQ_REL);
	task_wake(vcpu->task);
}

void vcpu_free(struct vcpu *vcpu)
{
	arch_vcpu_free(vcpu);
	kfree(vcpu);
}

void vcpu_kick(struct vcpu *vcpu)
{
	/* The vCPU asking for itself (its own timer, its own SGI) looks again before re-entry. */
	if (vcpu->task == task_current())
		return;
	task_wake(vcpu->task);
	/* A vCPU in the guest, or waiting in place, on another CPU wakes at the IPI. */
	if (vcpu->task->state == TASK_RUNNING && vcpu->task->cpu != this_cpu()->id)
		arch_send_ipi(vcpu->task->cpu);
}

struct vcpu *vcpu_find_by_guest_id(struct vm *vm, uint64_t guest_id)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i]->guest_id == guest_id)
			return vm->vcpus[i];
	return NULL;
}
