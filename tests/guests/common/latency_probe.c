/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt latency of a device interrupt a guest raises itself (the passed-through interrupt
 * guests: aarch64 spilat.c, riscv64 plicirqlat.c, x86_64 gsilat.c), on latency.c's distribution. */
#include "latency.c"
/* A device interrupt the guest raises itself and waits for (the passed-through interrupt guests):
 * latency_raise just before the write that raises it, latency_taken in its handler. The
 * hypervisor shares the UART these guests use as its console, so its output may raise the same
 * interrupt while none is awaited: that one is a stray, counted apart and not a sample. */
struct latency_probe {
	struct latency latency;
	volatile uint64_t raised_at, samples, strays;
	volatile int waiting;
};

static void latency_raise(struct latency_probe *p, uint64_t now)
{
	p->waiting = 1;
	p->raised_at = now;
}

static void latency_taken(struct latency_probe *p, uint64_t now)
{
	if (!p->waiting) {
		p->strays++;
		return;
	}
	latency_add(&p->latency, now - p->raised_at);
	p->waiting = 0;
	p->samples++;
}

static void latency_probe_report(const char *name, const struct latency_probe *p)
{
	latency_report(name, &p->latency, 1);
	puts_uart("bench: strays ");
	put_dec(p->strays);
	puts_uart("\n");
}
