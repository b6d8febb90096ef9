/* SPDX-License-Identifier: Apache-2.0 */
/* The IVC test guest, shared by every arch: three VMs run the same image and take their part by
 * their VM id (docs/hypercalls.md has the calls).
 *  - VM 1 publishes channel KEY (its IVC window lets only VM 2 subscribe) and plays three rounds of ping-pong with VM 2, each message announced by a doorbell and
 *    waited for in WFI (no polling); then sits out VM 2's doorbell storm, and unpublishes once VM 3
 *    has said (over VM 3's own channel, DONE_KEY) that its checks are over.
 *  - VM 2 subscribes, answers the pings, rings 10000 times in a row, then reads the old window
 *    until the unpublish takes it away: the read faults (aarch64, riscv64) or reads all ones (x86,
 *    what a PC bus answers where nothing is).
 *  - VM 3 publishes DONE_KEY and checks it reads as zero, makes every bad call (pointers outside its RAM, sizes of 0 and huge, a key twice, a
 *    channel it may not join, one that is not there, calls on channels that are not its own), fills
 *    its IVC mappings to the limit, and checks each answer.
 * With VM ids 11 and 12 (bench/<arch>/run.sh's configs, tests/guests/<arch>/ivc-bench-*.toml) the
 * two instead time BENCH_ROUND_TRIPS doorbell round trips: VM 11 writes a sequence number and
 * rings, VM 12's handler wakes it, it answers and rings back, VM 11's handler wakes it; VM 11
 * prints the round trip in its counter's ticks (x1000), which run.sh turns into instructions.
 * The includer (tests/guests/<arch>/ivc.c) defines, before including it: ivc_call(nr, a0..a3),
 * doorbell_setup(), wait_for_interrupt(), the volatile counter `doorbells` its interrupt handler
 * increments, load32(p) (one load instruction of fixed length), bench_ticks() (its counter) and
 * RAM_END (the first address past the VM's RAM); its fault handler asks probe_fault_taken() whether to resume past the load; its
 * guest_main calls ivc_main().
 * Every line it prints is checked by tests/e2e/test_ivc.py. */
#include <stdint.h>

#define IVC_PUBLISH 3
#define IVC_SUBSCRIBE 4
#define IVC_UNPUBLISH 5
#define IVC_UNSUBSCRIBE 6
#define IVC_DOORBELL 0x105
#define KEY 0x7e55e7a0ull
#define DONE_KEY 0xd0e0ull
#define CHANNEL_BYTES 8192
#define STORM_RINGS 10000
#define HELLO 1000
#define TRIES 2000000 /* waiting for a peer's channel to appear */
#define BENCH_ROUND_TRIPS 1000
#define BENCH_PUBLISHER 11
#define BENCH_SUBSCRIBER 12

#define E_PERM (-1)
#define E_NOENT (-2)
#define E_FAULT (-14)
#define E_EXIST (-17)
#define E_INVAL (-22)
#define E_NOSPC (-28)

struct board {
	volatile uint32_t to_sub_seq, to_pub_seq;
	volatile char to_sub[32], to_pub[32];
};

static unsigned failures;
static volatile int probing, probe_faulted;

/* For the includer's fault handler: true when the fault is probe_read's load, which is then
 * skipped (the handler resumes past it). */
__attribute__((unused)) static int probe_fault_taken(void)
{
	if (probing)
		probe_faulted = 1;
	return probing;
}

/* A read of a window that may be gone: *faulted says whether the load faulted. */
static uint32_t probe_read(volatile uint32_t *p, int *faulted)
{
	probing = 1;
	uint32_t v = load32(p);
	probing = 0;
	*faulted = probe_faulted;
	return v;
}

static void check(int ok, const char *what, long got)
{
	puts_uart(ok ? "ivc check ok: " : "ivc check FAILED: ");
	puts_uart(what);
	puts_uart(" (");
	if (got < 0) {
		putc_uart('-');
		put_dec((uint64_t)-got);
	} else {
		put_dec((uint64_t)got);
	}
	puts_uart(")\n");
	if (!ok)
		failures++;
}

static void put_message(volatile char *to, const char *word, unsigned n)
{
	unsigned i = 0;
	for (; word[i]; i++)
		to[i] = word[i];
	to[i++] = ' ';
	to[i++] = (char)('0' + n);
	to[i] = 0;
}

static int message_is(const volatile char *m, const char *word, unsigned n)
{
	unsigned i = 0;
	for (; word[i]; i++)
		if (m[i] != word[i])
			return 0;
	return m[i] == ' ' && m[i + 1] == (char)('0' + n) && m[i + 2] == 0;
}

static long publish(uint64_t key, uint64_t *base, uint64_t *size)
{
	return ivc_call(IVC_PUBLISH, key, (uint64_t)(uintptr_t)base, (uint64_t)(uintptr_t)size, 0);
}

static long subscribe(uint64_t vm, uint64_t key, uint64_t *base, uint64_t *size)
{
	return ivc_call(IVC_SUBSCRIBE, vm, key, (uint64_t)(uintptr_t)base, (uint64_t)(uintptr_t)size);
}

static long ring(uint64_t vm, uint64_t key)
{
	return ivc_call(IVC_DOORBELL, vm, key, 0, 0);
}

/* Subscribes, waiting while the channel is not there yet. */
static long subscribe_when_there(uint64_t vm, uint64_t key, uint64_t *base, uint64_t *size)
{
	long r = E_NOENT;
	for (unsigned i = 0; i < TRIES && r == E_NOENT; i++) {
		*size = 0;
		r = subscribe(vm, key, base, size);
	}
	return r;
}

/* Waits that found their condition false and slept: each can end only after a doorbell's
 * interrupt was taken in its WFI (the one place the interrupt is unmasked), so there are at least
 * as many interrupts as these. Not more waits than interrupts is all that holds: a wait whose
 * condition is already true when it starts (its peer answered while this VM was not running)
 * leaves the doorbell pending, and pending doorbells are one interrupt (GIC, PLIC and APIC alike
 * keep one pending bit), so how many are taken depends on the schedule. */
static unsigned waits_slept;

/* Sleeps until the condition holds; every wake-up is an interrupt (the doorbell). */
#define WAIT_UNTIL(cond)                               \
	do {                                           \
		if (!(cond))                           \
			waits_slept++;                 \
		while (!(cond))                        \
			wait_for_interrupt();          \
	} while (0)

static void publisher(void)
{
	uint64_t base = 0, size = CHANNEL_BYTES - 100; /* rounded up to pages */
	long r = publish(KEY, &base, &size);
	check(r == 0 && size == CHANNEL_BYTES, "publisher: published 8 KiB", r);
	uint64_t done_base = 0, done_size = 0;
	r = subscribe_when_there(3, DONE_KEY, &done_base, &done_size);
	check(r == 0, "publisher: subscribed to VM 3's channel", r);
	struct board *b = (struct board *)(uintptr_t)base;
	WAIT_UNTIL(b->to_pub_seq == HELLO); /* VM 2 has subscribed */
	for (unsigned i = 1; i <= 3; i++) {
		put_message(b->to_sub, "ping", i);
		b->to_sub_seq = i;
		r = ring(1, KEY);
		check(r == 1, "publisher: rang VM 2", r);
		WAIT_UNTIL(b->to_pub_seq == i);
		check(message_is(b->to_pub, "pong", i), "publisher: VM 2 answered", i);
	}
	WAIT_UNTIL(b->to_pub_seq == 100); /* after VM 2's storm */
	unsigned slept = waits_slept, taken = doorbells;
	puts_uart("publisher: the storm is over; doorbell interrupts taken: ");
	put_dec(taken);
	puts_uart(", waits that slept: ");
	put_dec(slept);
	putc_uart('\n');
	check(slept >= 1 && taken >= slept, "publisher: each wait that slept was woken by a doorbell", taken);
	volatile uint32_t *done = (volatile uint32_t *)(uintptr_t)done_base;
	WAIT_UNTIL(*done == 1);
	r = ivc_call(IVC_UNSUBSCRIBE, 3, DONE_KEY, 0, 0);
	check(r == 0, "publisher: left VM 3's channel", r);
	r = ivc_call(IVC_UNPUBLISH, KEY, 0, 0, 0);
	check(r == 0, "publisher: unpublished", r);
	r = ivc_call(IVC_UNPUBLISH, KEY, 0, 0, 0);
	check(r == E_NOENT, "publisher: unpublishing again finds nothing", r);
	r = ring(1, KEY);
	check(r == E_NOENT, "publisher: no doorbell on a channel that is gone", r);
}

static void subscriber(void)
{
	uint64_t base = 0, size = 0;
	long r = subscribe_when_there(1, KEY, &base, &size);
	check(r == 0 && size == CHANNEL_BYTES, "subscriber: subscribed to VM 1's channel", r);
	struct board *b = (struct board *)(uintptr_t)base;
	b->to_pub_seq = HELLO;
	r = ring(1, KEY);
	check(r == 1, "subscriber: rang VM 1", r);
	for (unsigned i = 1; i <= 3; i++) {
		WAIT_UNTIL(b->to_sub_seq == i);
		check(message_is(b->to_sub, "ping", i), "subscriber: VM 1 sent its ping", i);
		put_message(b->to_pub, "pong", i);
		b->to_pub_seq = i;
		ring(1, KEY);
	}
	unsigned rung = 0;
	for (unsigned i = 0; i < STORM_RINGS; i++)
		rung += ring(1, KEY) == 1;
	b->to_pub_seq = 100;
	rung += ring(1, KEY) == 1;
	check(rung == STORM_RINGS + 1, "subscriber: every ring of the storm answered", rung);
	/* Until VM 1 unpublishes: then the window goes from under this loop. */
	int faulted = 0;
	uint32_t value = 0;
	for (unsigned long i = 0; i < 4000000000ul && !faulted && value != 0xffffffffu; i++)
		value = probe_read(&b->to_pub_seq, &faulted);
	check(faulted || value == 0xffffffffu, "subscriber: the old window is gone after the unpublish", faulted);
}

static void bad_caller(void)
{
	uint64_t base = 0, size = CHANNEL_BYTES;
	long r = publish(DONE_KEY, &base, &size);
	check(r == 0, "bad caller: published its own channel", r);
	/* Nobody else writes this one: what it holds now is what the hypervisor gave. */
	const volatile uint8_t *bytes = (const volatile uint8_t *)(uintptr_t)base;
	unsigned nonzero = 0;
	for (unsigned i = 0; i < CHANNEL_BYTES; i++)
		nonzero += bytes[i] != 0;
	check(nonzero == 0, "bad caller: its new channel reads as zero", nonzero);
	uint64_t b2 = 0, s2 = 0;
	r = subscribe_when_there(1, KEY, &b2, &s2);
	check(r == E_PERM, "bad caller: VM 1's window does not let it subscribe", r);
	check(b2 == 0 && s2 == 0, "bad caller: nothing written back", (long)b2);
	s2 = 4096;
	r = publish(0x100, (uint64_t *)(uintptr_t)RAM_END, &s2);
	check(r == E_FAULT, "bad caller: a GPA slot outside its RAM", r);
	r = publish(0x100, &b2, (uint64_t *)(uintptr_t)(RAM_END - 4));
	check(r == E_FAULT, "bad caller: a size slot running past its RAM", r);
	r = publish(0x100, &b2, (uint64_t *)(uintptr_t)0xffffffffffff0000ull);
	check(r == E_FAULT, "bad caller: a size slot in no VM's memory", r);
	s2 = 0;
	r = publish(0x100, &b2, &s2);
	check(r == E_INVAL, "bad caller: a size of 0", r);
	s2 = 1ull << 40;
	r = publish(0x100, &b2, &s2);
	check(r == E_INVAL, "bad caller: a size of 1 TiB", r);
	s2 = 4096;
	r = publish(DONE_KEY, &b2, &s2);
	check(r == E_EXIST, "bad caller: a key it has published", r);
	r = subscribe(3, DONE_KEY, &b2, &s2);
	check(r == E_INVAL, "bad caller: its own channel", r);
	r = subscribe(99, 1, &b2, &s2);
	check(r == E_NOENT, "bad caller: a VM that publishes nothing", r);
	r = ivc_call(IVC_UNPUBLISH, KEY, 0, 0, 0);
	check(r == E_NOENT, "bad caller: unpublish VM 1's key", r);
	r = ivc_call(IVC_UNSUBSCRIBE, 1, KEY, 0, 0);
	check(r == E_NOENT, "bad caller: unsubscribe where it is not subscribed", r);
	r = ring(1, KEY);
	check(r == E_NOENT, "bad caller: ring a channel it is not on", r);
	r = ivc_call(7, 0, 0, 0, 0);
	check(r == -1, "bad caller: hypercall 7, which does not exist", r);
	/* Its IVC mappings to the limit (8, DONE_KEY included), then one more. */
	unsigned published = 0;
	for (uint64_t key = 0x200; key < 0x220; key++) {
		s2 = 4096;
		r = publish(key, &b2, &s2);
		if (r != 0)
			break;
		published++;
	}
	check(published == 7 && r == E_NOSPC, "bad caller: 7 more channels, then no room", (long)published);
	unsigned gone = 0;
	for (uint64_t key = 0x200; key < 0x200 + published; key++)
		gone += ivc_call(IVC_UNPUBLISH, key, 0, 0, 0) == 0;
	check(gone == published, "bad caller: unpublished them", gone);
	/* Tell VM 1 (once it has joined DONE_KEY), then wait until it has left before powering off. */
	while (ring(3, DONE_KEY) != 1)
		;
	*(volatile uint32_t *)(uintptr_t)base = 1;
	ring(3, DONE_KEY);
	while (ring(3, DONE_KEY) != 0)
		;
}

/* The bench's two sides (see the top). Round trips only, once both are ready: the first (VM 12's
 * hello) is not timed. */
static void bench_publisher(void)
{
	uint64_t base = 0, size = CHANNEL_BYTES;
	long r = publish(KEY, &base, &size);
	check(r == 0, "bench publisher: published", r);
	struct board *b = (struct board *)(uintptr_t)base;
	WAIT_UNTIL(b->to_pub_seq == HELLO);
	uint64_t start = bench_ticks();
	for (uint32_t i = 1; i <= BENCH_ROUND_TRIPS; i++) {
		b->to_sub_seq = i;
		ring(BENCH_PUBLISHER, KEY);
		WAIT_UNTIL(b->to_pub_seq == i);
	}
	uint64_t ticks = bench_ticks() - start;
	puts_uart("bench: ivc_doorbell_round_trip ticks_x1000_per_op=");
	put_dec(ticks * 1000 / BENCH_ROUND_TRIPS);
	puts_uart(" doorbells=");
	put_dec(doorbells);
	putc_uart('\n');
	b->to_sub_seq = BENCH_ROUND_TRIPS + 1; /* the peer may stop */
	ring(BENCH_PUBLISHER, KEY);
}

static void bench_subscriber(void)
{
	uint64_t base = 0, size = 0;
	long r = subscribe_when_there(BENCH_PUBLISHER, KEY, &base, &size);
	check(r == 0, "bench subscriber: subscribed", r);
	struct board *b = (struct board *)(uintptr_t)base;
	b->to_pub_seq = HELLO;
	ring(BENCH_PUBLISHER, KEY);
	for (uint32_t i = 1; i <= BENCH_ROUND_TRIPS + 1; i++) {
		WAIT_UNTIL(b->to_sub_seq == i);
		b->to_pub_seq = i;
		ring(BENCH_PUBLISHER, KEY);
	}
}

static void ivc_main(void)
{
	long vm = ivc_call(0x101, 0, 0, 0, 0); /* HYPERCALL_TESSERA_VM_ID */
	doorbell_setup();
	if (vm == BENCH_PUBLISHER)
		bench_publisher();
	else if (vm == BENCH_SUBSCRIBER)
		bench_subscriber();
	else if (vm == 1)
		publisher();
	else if (vm == 2)
		subscriber();
	else
		bad_caller();
	puts_uart("ivc guest: VM ");
	put_dec((uint64_t)vm);
	puts_uart(failures ? ": FAILED\n" : ": all checks passed\n");
}
