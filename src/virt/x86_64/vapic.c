/* SPDX-License-Identifier: Apache-2.0 */
/* Local APICs and the IOAPIC of an x86 VM (see vdev/x86_apic.h). Register offsets and semantics:
 * Intel SDM vol. 3, 10.4-10.8 and 10.12 (xAPIC MMIO), 10.5.4 (timer), 10.6 (ICR); the IOAPIC's
 * indirect IOREGSEL/IOWIN window and redirection entries: 82093AA datasheet, 3.2. The timer counts
 * at a 1 GHz bus clock (one tick a nanosecond, before the divider) on the host's timer events.
 * A local APIC is touched by its vCPU, by other vCPUs (IPIs), by device interrupts and by its timer
 * event: its state is under its own lock. */
#include "virt/arch_vm.h"
#include "virt_impl/vapic.h"
#include "vmm/vcpu.h"
#include "vmm/vdev.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "arch/timer.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "arch_impl/vectors.h"
#include "drivers/ioapic.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_PPR 0xa0
#define LAPIC_EOI 0xb0
#define LAPIC_LDR 0xd0
#define LAPIC_DFR 0xe0
#define LAPIC_SVR 0xf0
#define LAPIC_ISR 0x100
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LAST 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LVT_MASKED (1u << 16)
#define TIMER_MODE_SHIFT 17
#define TIMER_ONE_SHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define IOAPIC_ENTRIES 24
/* The shortest spacing of periodic timer interrupts (KVM's min_timer_period_us is 200 us too). */
#define TIMER_MIN_PERIOD_NS 200000

struct vlapic {
	struct spinlock lock;
	struct vm *vm;
	unsigned index;
	uint32_t irr[8], isr[8], tmr[8];
	/* The highest vector IRR holds, -1 with none: kept under the lock as IRR changes (set by any
	 * CPU, cleared by the vCPU's accept), read without it on every guest entry and halt. */
	int irr_top;
	/* The priority class of the highest vector in service (ISRV & F0h, 10.8.3.1), 0 with none:
	 * what the processor priority takes from ISR, kept as ISR changes (by the vCPU alone:
	 * vlapic_accept, EOI, reset) instead of searched on every entry and halt. */
	uint32_t isr_class;
	/* A vector requested again while its vCPU offered it (vcpu_arch.offered_vector), -1 with none
	 * (request_locked, vlapic_accept, under the lock): the guest may have taken the offer before
	 * that request, which must then not merge into it. */
	int requested_again;
	uint32_t tpr, ldr, dfr, svr, esr, icr_high, divide, initial_count;
	uint32_t lvt[6]; /* timer, thermal, perf, LINT0, LINT1, error */
	uint64_t timer_start_ns, timer_period_ns, deadline_tsc;
	struct timer_event timer;
};

struct vioapic {
	struct spinlock lock;
	struct vm *vm;
	uint32_t select, id;
	uint64_t redirection[IOAPIC_ENTRIES];
	bool level[IOAPIC_ENTRIES];
	uint32_t host_level;   /* pins that are the host's level-triggered IOAPIC inputs, given to this VM */
	uint32_t passed;       /* pins that are host IOAPIC inputs given to this VM (pass_pin) */
	/* The pins the guest sees (version register): the 16 ISA lines, or up to the highest GSI
	 * its devices use (ioapic_pins). Linux reads every redirection entry several times while it
	 * sets the IOAPIC up, two exits a register: a third fewer of them for most VMs. */
	unsigned pins;
};

struct x86_apics {
	struct vdev lapic_dev, ioapic_dev;
	struct vioapic ioapic;
	unsigned bad_messages_logged; /* lapic_message: vm_log_budget */
	unsigned count;
	struct vlapic lapics[];
};

static struct x86_apics *apics_of(struct vm *vm) { return (struct x86_apics *)vm->virq_priv; }

struct vlapic *vlapic_of(struct vm *vm, unsigned vcpu_index)
{
	struct x86_apics *apics = apics_of(vm);
	return apics && vcpu_index < apics->count ? &apics->lapics[vcpu_index] : NULL;
}

/* The highest of 256 vector bits (IRR, ISR: eight 32-bit registers, 10.8.4), or -1. Looked at
 * on every entry and end of interrupt, usually to find nothing or one low vector: four 64-bit
 * words, tested two at a time, instead of eight. */
static inline __attribute__((always_inline)) int highest_bit(const uint32_t *bits)
{
	uint64_t w[4];
	__builtin_memcpy(w, bits, sizeof(w)); /* four moves: no call */
	if (w[3] | w[2]) {
		if (w[3])
			return 255 - __builtin_clzll(w[3]);
		return 191 - __builtin_clzll(w[2]);
	}
	if (w[1])
		return 127 - __builtin_clzll(w[1]);
	return w[0] ? 63 - __builtin_clzll(w[0]) : -1;
}

/* PPR's class (10.8.3.1): the higher of TPR's and the highest in-service vector's. */
static inline unsigned processor_priority(const struct vlapic *l)
{
	return MAX(l->tpr & 0xf0, l->isr_class);
}

static void set_bit(uint32_t *bits, unsigned v) { bits[v / 32] |= 1u << (v % 32); }
static void clear_bit(uint32_t *bits, unsigned v) { bits[v / 32] &= ~(1u << (v % 32)); }

void vlapic_reset(struct vlapic *l)
{
	unsigned long flags = spin_lock_irqsave(&l->lock);
	timer_cancel(&l->timer);
	memset(l->irr, 0, sizeof(l->irr));
	l->irr_top = -1;
	l->requested_again = -1;
	memset(l->isr, 0, sizeof(l->isr));
	l->isr_class = 0;
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tpr = l->ldr = l->esr = l->icr_high = l->divide = l->initial_count = 0;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	for (unsigned i = 0; i < 6; i++)
		l->lvt[i] = LVT_MASKED;
	l->deadline_tsc = 0;
	spin_unlock_irqrestore(&l->lock, flags);
}

/* The vector the APIC's vCPU offers the guest through V_IRQ (vcpu.c, offer_interrupt; set before
 * each entry and kept until the next), -1 with none. */
static int offered_by_owner(const struct vlapic *l)
{
	struct vcpu *vcpu = l->vm->vcpus ? l->vm->vcpus[l->index] : NULL;
	return vcpu ? __atomic_load_n(&vcpu->arch.offered_vector, __ATOMIC_SEQ_CST) : -1;
}

/* lapic_raise's two halves: the request, with the lock held (vectors 0-15 are reserved: none), and
 * the kick after it, which wakes the vCPU to look. */
static bool request_locked(struct vlapic *l, unsigned vector, bool level)
{
	if (vector < 16)
		return false;
	/* Requested already: one request, as IRR is one bit (10.8.4), unless it is the vector offered
	 * to the running guest, which may have taken it (the CPU clears V_IRQ) before the exit that
	 * tells us: a CPU's acceptance clears IRR at once, so this request would stand on its own. */
	if (((l->irr[vector / 32] >> (vector % 32)) & 1) && offered_by_owner(l) == (int)vector)
		l->requested_again = (int)vector;
	set_bit(l->irr, vector);
	if ((int)vector > l->irr_top)
		__atomic_store_n(&l->irr_top, (int)vector, __ATOMIC_RELEASE);
	if (level)
		set_bit(l->tmr, vector);
	else
		clear_bit(l->tmr, vector);
	return true;
}

static void kick_owner(struct vlapic *l)
{
	struct vcpu *vcpu = l->vm->vcpus ? l->vm->vcpus[l->index] : NULL;
	if (vcpu)
		vcpu_kick(vcpu);
}

static void lapic_raise(struct vlapic *l, unsigned vector, bool level)
{
	unsigned long flags = spin_lock_irqsave(&l->lock);
	bool raised = request_locked(l, vector, level);
	spin_unlock_irqrestore(&l->lock, flags);
	if (raised)
		kick_owner(l);
}

/* Called by the vCPU itself only (its halt and its entry), so without the lock: ISR, TPR and SVR
 * are its own, and the IRR bits other CPUs set (lapic_raise) are read as they stand, each bit old
 * or new. A bit set after it was read here raises irr_top and kicks the vCPU, which looks again. */
int vlapic_pending_vector(struct vlapic *l)
{
	int irr = __atomic_load_n(&l->irr_top, __ATOMIC_ACQUIRE);
	if (irr < 0 || !(l->svr & 0x100)) /* software-enabled (10.4.7.2) */
		return -1;
	return ((unsigned)irr & 0xf0) > processor_priority(l) ? irr : -1;
}

void vlapic_accept(struct vlapic *l, int vector)
{
	unsigned long flags = spin_lock_irqsave(&l->lock);
	/* Requested again since it was offered (request_locked): that request stays in IRR. At worst
	 * it came before the guest's take and the guest sees the vector once more than a CPU would
	 * show it; without this, a request after the take was lost (a 2-vCPU Linux waited for good
	 * on a call-function IPI). */
	if (l->requested_again != vector)
		clear_bit(l->irr, (unsigned)vector);
	l->requested_again = -1;
	set_bit(l->isr, (unsigned)vector);
	l->isr_class = MAX(l->isr_class, (unsigned)vector & 0xf0);
	__atomic_store_n(&l->irr_top, highest_bit(l->irr), __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&l->lock, flags);
}

/* --- timer --- */

static uint64_t timer_divisor(const struct vlapic *l)
{
	unsigned code = ((l->divide >> 1) & 4) | (l->divide & 3); /* 10.5.4 figure 10-10 */
	return code == 7 ? 1 : 2ULL << code;
}

static void timer_fired(struct timer_event *event, void *arg)
{
	(void)event;
	struct vlapic *l = arg;
	unsigned long flags = spin_lock_irqsave(&l->lock);
	uint32_t lvt = l->lvt[0];
	unsigned mode = (lvt >> TIMER_MODE_SHIFT) & 3;
	if (mode == TIMER_PERIODIC && l->timer_period_ns) {
		/* The next period counts from the end of this one (10.5.4: the count reloads when it
		 * reaches zero), not from when the host got round to it: else the host's latency would
		 * lengthen every period, and a guest clocked by it would run slow. Periods the host
		 * missed whole are skipped rather than delivered in a burst, and none is shorter than
		 * TIMER_MIN_PERIOD_NS, so no guest can keep its host CPU in this handler. */
		uint64_t period = l->timer_period_ns < TIMER_MIN_PERIOD_NS ? TIMER_MIN_PERIOD_NS : l->timer_period_ns;
		uint64_t now = timer_uptime_ns();
		l->timer_start_ns += period;
		if (l->timer_start_ns + period <= now)
			l->timer_start_ns += (now - l->timer_start_ns) / period * period;
		timer_arm(&l->timer, timer_ns_to_ticks(l->timer_start_ns + period), timer_fired, l);
	} else if (mode == TIMER_TSC_DEADLINE) {
		l->deadline_tsc = 0;
	}
	bool raised = !(lvt & LVT_MASKED) && request_locked(l, lvt & 0xff, false); /* one lock for both */
	spin_unlock_irqrestore(&l->lock, flags);
	if (raised)
		kick_owner(l);
}

/* Starts the count-down timer from the initial count; with the lock held. */
static void timer_start(struct vlapic *l)
{
	timer_cancel(&l->timer);
	unsigned mode = (l->lvt[0] >> TIMER_MODE_SHIFT) & 3;
	if (mode == TIMER_TSC_DEADLINE || !l->initial_count)
		return;
	l->timer_period_ns = (uint64_t)l->initial_count * timer_divisor(l);
	l->timer_start_ns = timer_uptime_ns();
	timer_arm(&l->timer, arch_timer_now() + timer_ns_to_ticks(l->timer_period_ns), timer_fired, l);
}

static uint32_t timer_current(struct vlapic *l)
{
	if (!l->initial_count || !l->timer.armed)
		return 0;
	uint64_t elapsed = timer_uptime_ns() - l->timer_start_ns;
	if (elapsed >= l->timer_period_ns)
		return 0;
	return (uint32_t)((l->timer_period_ns - elapsed) / timer_divisor(l));
}

uint64_t vlapic_tsc_deadline(struct vlapic *l)
{
	return l->deadline_tsc;
}

void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t host_tsc)
{
	unsigned long flags = spin_lock_irqsave(&l->lock);
	timer_cancel(&l->timer);
	l->deadline_tsc = host_tsc;
	if (host_tsc && ((l->lvt[0] >> TIMER_MODE_SHIFT) & 3) == TIMER_TSC_DEADLINE)
		timer_arm(&l->timer, host_tsc, timer_fired, l); /* the host's timer ticks are the TSC */
	spin_unlock_irqrestore(&l->lock, flags);
}

/* --- IPIs --- */

static void ioapic_eoi(struct vioapic *io, unsigned vector);

/* Whether a local APIC is among an interrupt's destinations (SDM vol. 3, 10.6.2): physical mode
 * names an APIC id (0xff: all); logical mode matches the LDR against the destination, as a bit
 * mask in the flat model (DFR 0xffffffff) or cluster (high nibble) plus mask in the cluster model.
 * Linux uses logical flat mode for its IPIs and IOAPIC entries with up to 8 CPUs. */
static bool lapic_matches(const struct vlapic *l, unsigned destination, bool logical)
{
	if (!logical)
		return destination == 0xff || destination == l->index;
	unsigned ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xf)
		return (ldr & destination) != 0;
	return destination == 0xff || ((ldr >> 4) == (destination >> 4) && (ldr & destination & 0xf));
}

static void send_ipi(struct vlapic *from, uint32_t icr_low)
{
	struct x86_apics *apics = apics_of(from->vm);
	unsigned vector = icr_low & 0xff, mode = (icr_low >> 8) & 7, shorthand = (icr_low >> 18) & 3;
	unsigned destination = from->icr_high >> 24;
	for (unsigned i = 0; i < apics->count; i++) {
		struct vlapic *to = &apics->lapics[i];
		bool hit = shorthand == 1 ? to == from : shorthand == 2 ? true : shorthand == 3 ? to != from
			 : lapic_matches(to, destination, icr_low & (1u << 11));
		if (!hit)
			continue;
		struct vcpu *vcpu = from->vm->vcpus[i];
		switch (mode) {
		case 0: /* fixed */
		case 1: /* lowest priority: the first match */
			lapic_raise(to, vector, false);
			break;
		case 5: /* INIT: a vCPU that is off waits for its STARTUP; a running one is left alone */
			if ((icr_low & (1u << 14)) && vcpu->state != VCPU_OFF)
				log_debug("VM[%u]: INIT to running vCPU %u ignored", from->vm->id, i);
			break;
		case 6: /* STARTUP: real mode at vector << 12 */
			if (vcpu_request_start(vcpu, (gpa_t)vector << 12, 0) == 0)
				log_debug("VM[%u]: vCPU %u started by SIPI at %#x", from->vm->id, i, vector << 12);
			break;
		default:
			log_debug("VM[%u]: IPI delivery mode %u not emulated", from->vm->id, mode);
			break;
		}
	}
}

/* --- local APIC registers --- */

/* A register read needs no lock but the current count's: only the vCPU itself writes its APIC's
 * registers (the window is per vCPU), and what other CPUs change, IRR and TMR bits
 * (lapic_raise), is read a word at a time, single-copy atomic, the value it had at some instant
 * during the access as on the hardware. The current count is computed from the timer's state,
 * which its event, on this CPU, changes: under the lock. */
static int lapic_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)width;
	struct x86_apics *apics = dev->priv;
	/* The window is per vCPU: whoever reads sees its own APIC. */
	struct vlapic *l = &apics->lapics[vcpu->id];
	uint32_t v = 0;
	unsigned reg = (unsigned)offset & 0xff0;
	switch (reg) {
	case LAPIC_ID: v = l->index << 24; break;
	case LAPIC_VERSION: v = 0x00050014; break; /* 6 LVT entries, integrated APIC */
	case LAPIC_TPR: v = l->tpr; break;
	case LAPIC_PPR: v = processor_priority(l); break;
	case LAPIC_LDR: v = l->ldr; break;
	case LAPIC_DFR: v = l->dfr; break;
	case LAPIC_SVR: v = l->svr; break;
	case LAPIC_ESR: v = l->esr; break;
	case LAPIC_ICR_LOW: v = 0; break; /* delivered at once: never busy */
	case LAPIC_ICR_HIGH: v = l->icr_high; break;
	case LAPIC_TIMER_INITIAL: v = l->initial_count; break;
	case LAPIC_TIMER_CURRENT: {
		unsigned long flags = spin_lock_irqsave(&l->lock);
		v = timer_current(l);
		spin_unlock_irqrestore(&l->lock, flags);
		break;
	}
	case LAPIC_TIMER_DIVIDE: v = l->divide; break;
	default:
		if (reg >= LAPIC_ISR && reg < LAPIC_ISR + 0x80) v = l->isr[(reg - LAPIC_ISR) / 16];
		else if (reg >= LAPIC_TMR && reg < LAPIC_TMR + 0x80) v = __atomic_load_n(&l->tmr[(reg - LAPIC_TMR) / 16], __ATOMIC_RELAXED);
		else if (reg >= LAPIC_IRR && reg < LAPIC_IRR + 0x80) v = __atomic_load_n(&l->irr[(reg - LAPIC_IRR) / 16], __ATOMIC_RELAXED);
		else if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_LAST) v = l->lvt[(reg - LAPIC_LVT_TIMER) / 16];
		break;
	}
	*value = v;
	return 0;
}

/* The EOI register's write with the lock held: the vector that left ISR, or -1; *level when the
 * IOAPIC must hear of it (ioapic_eoi, after the lock). */
static int eoi_locked(struct vlapic *l, bool *level)
{
	int vector = highest_bit(l->isr);
	*level = false;
	if (vector >= 0) {
		clear_bit(l->isr, (unsigned)vector);
		int next = highest_bit(l->isr);
		l->isr_class = next >= 0 ? (unsigned)next & 0xf0 : 0;
		*level = (l->tmr[vector / 32] >> (vector % 32)) & 1;
	}
	return vector;
}

void vlapic_eoi(struct vlapic *l)
{
	bool level;
	unsigned long flags = spin_lock_irqsave(&l->lock);
	int vector = eoi_locked(l, &level);
	spin_unlock_irqrestore(&l->lock, flags);
	if (vector >= 0 && level)
		ioapic_eoi(&apics_of(l->vm)->ioapic, (unsigned)vector);
}

static unsigned bits_set(const uint32_t *bits)
{
	unsigned n = 0;
	for (unsigned i = 0; i < 8; i++)
		n += (unsigned)__builtin_popcount(bits[i]);
	return n;
}

bool vlapic_pv_eoi_allowed(const struct vlapic *l, int offered)
{
	int irr = __atomic_load_n(&l->irr_top, __ATOMIC_ACQUIRE);
	int vector;
	if (offered >= 0) {
		/* In service once taken: only what is offered (still in IRR until vlapic_accept, and the
		 * only vector there); requested: nothing else. */
		if (l->isr_class || irr != offered || bits_set(l->irr) != 1)
			return false;
		vector = offered;
	} else {
		vector = highest_bit(l->isr);
		if (irr >= 0 || vector < 0 || bits_set(l->isr) != 1)
			return false;
	}
	return !((l->tmr[vector / 32] >> (vector % 32)) & 1);
}

static int lapic_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	struct x86_apics *apics = dev->priv;
	struct vlapic *l = &apics->lapics[vcpu->id];
	uint32_t v = (uint32_t)value;
	unsigned reg = (unsigned)offset & 0xff0;
	unsigned long flags = spin_lock_irqsave(&l->lock);
	int eoi_vector = -1;
	bool eoi_level = false;
	switch (reg) {
	case LAPIC_TPR: l->tpr = v & 0xff; break;
	case LAPIC_EOI:
		eoi_vector = eoi_locked(l, &eoi_level);
		break;
	case LAPIC_LDR: l->ldr = v & 0xff000000; break;
	case LAPIC_DFR: l->dfr = v | 0x0fffffff; break;
	case LAPIC_SVR: l->svr = v & 0x13ff; break;
	case LAPIC_ESR: l->esr = 0; break;
	case LAPIC_ICR_HIGH: l->icr_high = v & 0xff000000; break;
	case LAPIC_ICR_LOW:
		spin_unlock_irqrestore(&l->lock, flags);
		send_ipi(l, v);
		return 0;
	case LAPIC_TIMER_INITIAL:
		l->initial_count = v;
		timer_start(l);
		break;
	case LAPIC_TIMER_DIVIDE: l->divide = v & 0xb; break;
	case LAPIC_LVT_TIMER: {
		unsigned old_mode = (l->lvt[0] >> TIMER_MODE_SHIFT) & 3;
		l->lvt[0] = v & 0x710ff;
		if (((v >> TIMER_MODE_SHIFT) & 3) != old_mode) { /* a mode change stops the timer (10.5.4.1) */
			timer_cancel(&l->timer);
			l->initial_count = 0;
			l->deadline_tsc = 0;
		}
		break;
	}
	default:
		if (reg > LAPIC_LVT_TIMER && reg <= LAPIC_LVT_LAST)
			l->lvt[(reg - LAPIC_LVT_TIMER) / 16] = v & 0x1f7ff;
		break;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (eoi_vector >= 0 && eoi_level)
		ioapic_eoi(&apics->ioapic, (unsigned)eoi_vector);
	return 0;
}

/* The local APICs' window owns the whole block: their timers stop before it is freed. */
static void apics_destroy(struct vdev *dev)
{
	struct x86_apics *apics = dev->priv;
	for (unsigned i = 0; i < apics->count; i++)
		timer_cancel(&apics->lapics[i].timer);
	/* The host inputs the VM had go back to nobody: masked, and their handler, whose argument is
	 * this VM, gone (one of them firing after the VM is freed would reach freed memory). */
	for (unsigned pin = 0; pin < IOAPIC_ENTRIES; pin++)
		if (apics->ioapic.passed & (1u << pin))
			irq_unregister(VECTOR_GSI_BASE + pin);
	kfree(apics);
}

static void ioapic_destroy(struct vdev *dev)
{
	(void)dev; /* part of the block the local APICs' window frees */
}

static const struct vdev_ops lapic_ops = { .read = lapic_read, .write = lapic_write, .destroy = apics_destroy };

/* --- IOAPIC --- */

/* Delivers entry 'pin' if it is unmasked (and, level-triggered, not awaiting its EOI). */
static void ioapic_deliver(struct vioapic *io, unsigned pin)
{
	uint64_t entry = io->redirection[pin];
	bool level_triggered = entry & (1u << 15);
	if (entry & (1u << 16))
		return;
	if (level_triggered) {
		if (entry & (1u << 14)) /* remote IRR */
			return;
		io->redirection[pin] |= 1u << 14;
	}
	struct x86_apics *apics = apics_of(io->vm);
	unsigned destination = (unsigned)(entry >> 56);
	bool lowest_priority = ((entry >> 8) & 7) == 1;
	for (unsigned i = 0; i < apics->count; i++) {
		if (lapic_matches(&apics->lapics[i], destination, entry & (1u << 11))) {
			lapic_raise(&apics->lapics[i], entry & 0xff, level_triggered);
			if (lowest_priority || level_triggered)
				break; /* one destination: the first that matches */
		}
	}
}

static void ioapic_set_level(struct vm *vm, unsigned irq, bool level)
{
	struct vioapic *io = &apics_of(vm)->ioapic;
	if (irq >= IOAPIC_ENTRIES)
		return;
	unsigned long flags = spin_lock_irqsave(&io->lock);
	bool rising = level && !io->level[irq];
	io->level[irq] = level;
	if (rising || (level && (io->redirection[irq] & (1u << 15))))
		ioapic_deliver(io, irq);
	spin_unlock_irqrestore(&io->lock, flags);
}

static void ioapic_eoi(struct vioapic *io, unsigned vector)
{
	unsigned long flags = spin_lock_irqsave(&io->lock);
	for (unsigned pin = 0; pin < IOAPIC_ENTRIES; pin++) {
		if ((io->redirection[pin] & 0xff) == vector && (io->redirection[pin] & (1u << 14))) {
			io->redirection[pin] &= ~(1ULL << 14);
			if (io->host_level & (1u << pin)) {
				/* The device speaks for itself again: its line is the host input's. */
				io->level[pin] = false;
				irq_enable(VECTOR_GSI_BASE + pin);
			}
			if (io->level[pin])
				ioapic_deliver(io, pin);
		}
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

static int ioapic_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)width;
	struct vioapic *io = &container_of(dev, struct x86_apics, ioapic_dev)->ioapic;
	unsigned long flags = spin_lock_irqsave(&io->lock);
	uint32_t v = 0;
	if (offset == 0) {
		v = io->select;
	} else if (offset == 0x10) {
		unsigned r = io->select;
		if (r == 0) v = io->id;
		else if (r == 1) v = ((io->pins - 1) << 16) | 0x11;
		else if (r >= 0x10 && r < 0x10 + 2 * io->pins)
			v = (uint32_t)(io->redirection[(r - 0x10) / 2] >> ((r & 1) ? 32 : 0));
	}
	spin_unlock_irqrestore(&io->lock, flags);
	*value = v;
	return 0;
}

static int ioapic_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	struct vioapic *io = &container_of(dev, struct x86_apics, ioapic_dev)->ioapic;
	unsigned long flags = spin_lock_irqsave(&io->lock);
	if (offset == 0) {
		io->select = (uint32_t)value & 0xff;
	} else if (offset == 0x10) {
		unsigned r = io->select;
		if (r == 0) {
			io->id = (uint32_t)value & 0x0f000000;
		} else if (r >= 0x10 && r < 0x10 + 2 * io->pins) {
			unsigned pin = (r - 0x10) / 2;
			uint64_t *e = &io->redirection[pin];
			if (r & 1)
				*e = (*e & 0xffffffffULL) | ((uint64_t)(uint32_t)value << 32);
			else
				*e = (*e & ~0xffffffffULL) | (*e & (1u << 14)) | ((uint32_t)value & ~(1u << 14) & ~(1u << 12));
			if (!(*e & (1u << 16)) && io->level[pin] && (*e & (1u << 15)))
				ioapic_deliver(io, pin);
		}
	}
	spin_unlock_irqrestore(&io->lock, flags);
	return 0;
}

/* The VM resets (its vCPUs stopped): every pin masked as at power-on (82093AA 3.2.4), the index
 * and ID zero. A passed-through level input the guest had not ended yet is unmasked at the host
 * again (it was masked at delivery, ioapic_eoi would have unmasked it): otherwise its device could
 * never interrupt the next boot. The pins' input levels are the devices' and stay. */
static void ioapic_reset(struct vdev *dev)
{
	struct vioapic *io = &container_of(dev, struct x86_apics, ioapic_dev)->ioapic;
	unsigned long flags = spin_lock_irqsave(&io->lock);
	for (unsigned pin = 0; pin < IOAPIC_ENTRIES; pin++) {
		if ((io->redirection[pin] & (1u << 14)) && (io->host_level & (1u << pin))) {
			io->level[pin] = false;
			irq_enable(VECTOR_GSI_BASE + pin);
		}
		io->redirection[pin] = 1u << 16;
	}
	io->select = 0;
	io->id = 0;
	spin_unlock_irqrestore(&io->lock, flags);
}

static const struct vdev_ops ioapic_ops = { .read = ioapic_read, .write = ioapic_write, .reset = ioapic_reset,
					    .destroy = ioapic_destroy };
/* An edge on a pin whatever its line's level (an IVC doorbell): delivered as its redirection
 * entry says, once; a level-triggered entry takes no other until the EOI. */
static void ioapic_pulse(struct vm *vm, unsigned irq)
{
	struct vioapic *io = &apics_of(vm)->ioapic;
	if (irq >= IOAPIC_ENTRIES)
		return;
	unsigned long flags = spin_lock_irqsave(&io->lock);
	ioapic_deliver(io, irq);
	spin_unlock_irqrestore(&io->lock, flags);
}

/* A message-signalled interrupt (SDM vol. 3, 10.11): the address names the destination (bits 19:12,
 * an APIC id or logical mask; bit 2 logical mode) in the local APICs' window 0xfeexxxxx, the data
 * the vector (7:0) and delivery mode (10:8). Fixed and lowest priority are delivered as the IOAPIC
 * delivers them (ioapic_deliver: lowest priority to the first match), always as edges (10.11.2: a
 * device's message has no EOI to wait for). A message elsewhere, or of another mode (SMI, NMI,
 * INIT, ExtINT), is dropped with a line: the driver programmed its device wrongly. */
static void lapic_message(struct vm *vm, uint64_t address, uint32_t data)
{
	struct x86_apics *apics = apics_of(vm);
	unsigned mode = (data >> 8) & 7, vector = data & 0xff;
	if ((address >> 20) != (X86_LAPIC_BASE >> 20) || (mode != 0 && mode != 1) || vector < 16) {
		if (vm_log_budget(vm, &apics->bad_messages_logged, 4, "dropped interrupt messages"))
			vm_log_warn(vm, "an interrupt message to %#llx with data %#x is not one the local APICs take: dropped",
				    (unsigned long long)address, data);
		return;
	}
	unsigned destination = (unsigned)(address >> 12) & 0xff;
	for (unsigned i = 0; i < apics->count; i++) {
		if (lapic_matches(&apics->lapics[i], destination, address & (1u << 2))) {
			lapic_raise(&apics->lapics[i], vector, false);
			if (mode == 1)
				break; /* lowest priority: one destination, the first that matches */
		}
	}
}

static const struct virq_ops x86_virq_ops = { .set_level = ioapic_set_level, .pulse = ioapic_pulse,
					      .message = lapic_message };

/* A host IOAPIC input given to the VM fired: an edge becomes an edge on the VM's pin of the same
 * number; a level-triggered input is masked at the host and held high at the VM's pin until the
 * guest's EOI (ioapic_eoi), when the host input is unmasked and, if the device still asserts it,
 * fires again (as vgic_passthrough.c on aarch64). */
static void passthrough_pin(unsigned irq, void *arg)
{
	struct vm *vm = arg;
	struct vioapic *io = &((struct x86_apics *)vm->virq_priv)->ioapic;
	unsigned pin = irq - VECTOR_GSI_BASE;
	if (io->host_level & (1u << pin)) {
		irq_disable(irq);
		ioapic_set_level(vm, pin, true);
	} else {
		ioapic_set_level(vm, pin, true);
		ioapic_set_level(vm, pin, false);
	}
}

/* The GSI of a passthrough device (interrupt_mode = "passthrough"): the host's IOAPIC input of that
 * number is the VM's, on its own IOAPIC's pin of the same number. */
static int pass_pin(struct vm *vm, struct vioapic *io, unsigned gsi)
{
	if (gsi >= IOAPIC_ENTRIES) {
		vm_log_error(vm, "GSI %u is beyond the VM's IOAPIC (%u pins)", gsi, IOAPIC_ENTRIES);
		return -EINVAL;
	}
	char what[24];
	format_snprintf(what, sizeof(what), "GSI %u", gsi);
	/* Claimed by the host's number for it, the vector, as the hypervisor's own claims are. */
	int err = vm_claim_host_resource(vm, HOST_IRQ, VECTOR_GSI_BASE + gsi, 1, what);
	if (err == 0 && (err = irq_register(VECTOR_GSI_BASE + gsi, passthrough_pin, vm)) < 0)
		vm_log_error(vm, "GSI %u is the hypervisor's own", gsi);
	if (err < 0)
		return err;
	bool level, active_low;
	ioapic_gsi_signalling(gsi, &level, &active_low);
	if (level)
		io->host_level |= 1u << gsi;
	io->passed |= 1u << gsi;
	irq_enable(VECTOR_GSI_BASE + gsi);
	vm_log_info(vm, "physical GSI %u (%s-triggered) passed through", gsi, level ? "level" : "edge");
	return 0;
}

/* The IOAPIC's pins for a VM (82093AA 3.2.2, the version register's maximum redirection entry):
 * the 16 ISA lines (the PC devices, ACPI's SCI, the overrides in the MADT), or up to the highest
 * GSI its config gives a device, up to IOAPIC_ENTRIES (the config's checker refuses more). */
static unsigned ioapic_pins(const struct vm_config *config)
{
	unsigned pins = 16;
	for (size_t i = 0; i < config->devices.emu_device_count; i++)
		if (config->devices.emu_devices[i].irq < IOAPIC_ENTRIES)
			pins = MAX(pins, (unsigned)config->devices.emu_devices[i].irq + 1);
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++)
		if (config->devices.passthrough_devices[i].irq < IOAPIC_ENTRIES)
			pins = MAX(pins, (unsigned)config->devices.passthrough_devices[i].irq + 1);
	return pins;
}

/* The VM's interrupt controller (virt/arch_vm.h): its local APICs and IOAPIC on its MMIO bus, the
 * IOAPIC registered as the irqchip; freed with the VM's devices (vm_release_devices). */
int arch_vm_create_irqchip(struct vm *vm)
{
	unsigned count = (unsigned)vm->config->base.cpu_num.value;
	struct x86_apics *apics = kzalloc(sizeof(*apics) + count * sizeof(struct vlapic));
	if (!apics)
		return -ENOMEM;
	apics->count = count;
	apics->ioapic.vm = vm;
	apics->ioapic.pins = ioapic_pins(vm->config);
	for (unsigned pin = 0; pin < IOAPIC_ENTRIES; pin++)
		apics->ioapic.redirection[pin] = 1u << 16; /* masked at reset */
	for (unsigned i = 0; i < count; i++) {
		apics->lapics[i].vm = vm;
		apics->lapics[i].index = i;
		vlapic_reset(&apics->lapics[i]);
	}
	apics->lapic_dev = (struct vdev){ "local APIC", X86_LAPIC_BASE, 0x1000, &lapic_ops, apics };
	apics->ioapic_dev = (struct vdev){ "IOAPIC", X86_IOAPIC_BASE, 0x1000, &ioapic_ops, NULL };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->mmio_bus, &apics->lapic_dev, &conflict);
	if (err == 0)
		err = vdev_bus_add(&vm->mmio_bus, &apics->ioapic_dev, &conflict);
	if (err < 0) {
		kfree(apics);
		return err;
	}
	vm_set_irqchip(vm, &x86_virq_ops, apics);
	if (vm->config->devices.interrupt_mode.value != VM_INTERRUPTS_PASSTHROUGH)
		return 0;
	/* Each pin once, however many windows name it; a window the VM's own APICs serve
	 * (arch_vm_irqchip_window) has no device interrupt of its own to pass. */
	uint64_t passed = 0;
	for (size_t i = 0; i < vm->config->devices.passthrough_device_count && err == 0; i++) {
		const struct vm_passthrough_device *pt = &vm->config->devices.passthrough_devices[i];
		if (pt->is_device_tree_path || !pt->irq || (pt->irq < 64 && (passed & (1ULL << pt->irq))) ||
		    (pt->base_gpa == pt->base_hpa && arch_vm_irqchip_window(pt->base_gpa, pt->length)))
			continue;
		err = pass_pin(vm, &apics->ioapic, (unsigned)pt->irq);
		if (pt->irq < 64)
			passed |= 1ULL << pt->irq;
	}
	return err;
}

