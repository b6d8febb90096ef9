/* SPDX-License-Identifier: Apache-2.0 */
/* A virtual CPU: a kernel task that runs the guest and handles its exits (the run loop). */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "lib/types.h"
#include "kernel/sched.h"
#include "kernel/percpu.h"
#include "vmm/exit.h"
#include "virt_impl/vm.h"

struct vm;

enum vcpu_state {
	VCPU_OFF,       /* waits for CPU_ON (or the VM's start) */
	VCPU_RUNNING,   /* runs the guest or handles an exit */
	VCPU_HALTED,    /* waits for an interrupt */
	VCPU_STOPPED,   /* the VM is gone or resetting: the task parks */
};

/* Requests other contexts make of a vCPU, acted on at the top of its run loop. */
#define VCPU_REQUEST_STOP (1u << 0)
#define VCPU_REQUEST_START (1u << 1)
#define VCPU_REQUEST_PAUSE (1u << 2) /* the VM is suspended: hold still until it is cleared */
#define VCPU_REQUEST_EXIT (1u << 3)  /* the VM is deleted: an off vCPU's task ends */

struct vcpu {
	struct vm *vm;
	unsigned id;
	enum vcpu_state state;
	struct task *task;
	cpumask_t affinity;
	uint64_t guest_id;       /* MPIDR / hart id / APIC id the guest uses to name it */
	unsigned requests;       /* VCPU_REQUEST_*, set atomically */
	gpa_t start_entry;       /* for VCPU_REQUEST_START */
	uint64_t start_arg;
	uint64_t exits[EXIT_FAULT + 1]; /* by reason; only vcpu_count_exit (and its copy in aarch64's guest.S) changes them */
	uint64_t exits_total;      /* their sum */
	uint64_t exits_accounted;  /* of it, what vcpu_account_exits gave the CPUs' counts */
	bool paused;             /* holds still for VCPU_REQUEST_PAUSE (vm_suspend waits for it) */
	struct vcpu_arch arch;
};

/* Counts one exit of the vCPU, once, where it is finished: on the arch's exit path for an exit it
 * finishes there (arch_vcpu_run then does not return it, or returns EXIT_HANDLED), in the run loop
 * for one arch_vcpu_run hands on. The only place vcpu->exits is counted. */
static inline void vcpu_count_exit(struct vcpu *vcpu, enum vm_exit_reason reason)
{
	vcpu->exits[reason]++;
	vcpu->exits_total++;
}

/* Adds the vCPU's exits since its last call to this CPU's count (stats). In the run loop, in task
 * context: vcpu_count_exit may run where the CPU's own pointer is not yet the host's (x86's hot
 * exit path runs with the guest's GS base). */
static inline void vcpu_account_exits(struct vcpu *vcpu)
{
	this_cpu()->vm_exits += vcpu->exits_total - vcpu->exits_accounted;
	vcpu->exits_accounted = vcpu->exits_total;
}

/* Creates the vCPU's task (not yet running the guest). */
__must_check struct vcpu *vcpu_create(struct vm *vm, unsigned id, cpumask_t affinity);
/* Asks an OFF vCPU to start at entry with arg; -EBUSY if it is already on. */
__must_check int vcpu_request_start(struct vcpu *vcpu, gpa_t entry, uint64_t arg);
void vcpu_request_stop(struct vcpu *vcpu);
/* Sets or clears VCPU_REQUEST_PAUSE and kicks the vCPU to look at it. */
void vcpu_request_pause(struct vcpu *vcpu, bool pause);
/* Ends an off vCPU's task (the VM is being deleted); vm_vcpu_task_ended is its last word. */
void vcpu_request_exit(struct vcpu *vcpu);
/* Frees what vcpu_create and the arch gave the vCPU, once its task has ended. */
void vcpu_free(struct vcpu *vcpu);
/* Wakes a halted vCPU (an interrupt became pending for it). */
void vcpu_kick(struct vcpu *vcpu);
struct vcpu *vcpu_find_by_guest_id(struct vm *vm, uint64_t guest_id);

#endif
