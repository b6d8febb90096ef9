/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile guest's body, shared by the arches (included by tests/guests/<arch>/hostile.c). It
 * does, at random from a seed, what a guest may do to its hypervisor, for a number of rounds:
 *   - loads and stores of every width at addresses across its guest-physical space: its own RAM
 *     (stores only to a scratch area), just below and above it, the emulated devices' windows,
 *     and anywhere;
 *   - the arch's privileged accesses (system registers, CSRs, MSRs, ports) and its calls to the
 *     hypervisor (hypercalls, PSCI, SBI, VMMCALL) with random numbers and arguments, pointers into
 *     the hypervisor's memory among them;
 *   - load/store instruction words of random encodings, executed from a page of its own.
 * Every fault it takes is counted and skipped. Before it starts, it scans its RAM for bytes it did
 * not write (the hypervisor must hand it zeroed memory). At the end it prints its counts and powers
 * off: "hostile: done ...". The arch file defines what differs (HOSTILE_* and arch_* below).
 * The seed is the 8 bytes at HOSTILE_SEED_ADDRESS (the config's ramdisk: the test writes it), 1 if
 * they are 0; the number of rounds the 8 after them, HOSTILE_DEFAULT_ROUNDS if 0. */

#define HOSTILE_DEFAULT_ROUNDS 20000

/* What each arch's file defines, after including this one. */
static void arch_access(uint64_t address, unsigned width, int store, uint64_t value);
static void arch_privileged(uint64_t r, uint64_t argument);
static void arch_call(uint64_t r, uint64_t a1, uint64_t a2, uint64_t a3);
static void arch_word(uint64_t r, uint64_t address, uint64_t offset);
static uint64_t arch_own_range_end(uint64_t address);

struct hostile_counts {
	uint64_t accesses, faults, privileged, calls, words, stray_bytes;
};
static struct hostile_counts counts;
static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* (Vigna): small, and the same sequence for the same seed on every arch. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rng() % n : 0;
}

/* Where in its RAM stores may land: HOSTILE_SCRATCH_BASE/SIZE, away from its image, stack,
 * device tree and seed by more than an instruction's largest offset. */
#define SCRATCH_BASE HOSTILE_SCRATCH_BASE
#define SCRATCH_SIZE HOSTILE_SCRATCH_SIZE

static const uint64_t device_windows[][2] = { HOSTILE_DEVICE_WINDOWS };

/* An address for a load (store: a store may not hit its own image or stack). */
static uint64_t pick_address(int store)
{
	switch (below(6)) {
	case 0: /* its RAM */
		return store ? SCRATCH_BASE + below(SCRATCH_SIZE) : HOSTILE_RAM_BASE + below(HOSTILE_RAM_SIZE);
	case 1: /* just outside it */
		return below(2) ? HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE + below(0x10000) : HOSTILE_RAM_BASE - 1 - below(0x10000);
	case 2:
	case 3: { /* an emulated device */
		const uint64_t *w = device_windows[below(sizeof(device_windows) / sizeof(device_windows[0]))];
		return w[0] + below(w[1] + 16);
	}
	case 4: /* the hypervisor's own addresses, as the guest would guess them */
		return HOSTILE_HYPERVISOR_GUESS + below(0x200000);
	default: /* anywhere the arch can name */
		return rng() & HOSTILE_ADDRESS_MASK;
	}
}

static void do_access(void)
{
	int store = (int)below(2);
	uint64_t address = pick_address(store);
	unsigned width = 1u << below(4);
	if (below(4) == 0)
		address &= ~(uint64_t)(width - 1); /* aligned, as drivers do; else any alignment */
	/* A store into its RAM goes to the scratch area, whatever chose it: the guess at the
	 * hypervisor's address falls in its own image where the two load at the same place
	 * (aarch64's 0x40080000), and it would overwrite its own code (seen: a guard zeroed). */
	if (store && address >= HOSTILE_RAM_BASE && address < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE)
		address = SCRATCH_BASE + (address - HOSTILE_RAM_BASE) % SCRATCH_SIZE;
	counts.accesses++;
	arch_access(address, width, store, rng());
}

static uint64_t pick_argument(void)
{
	switch (below(4)) {
	case 0:
		return pick_address(0);
	case 1:
		return below(64);
	case 2:
		return HOSTILE_HYPERVISOR_GUESS + below(0x200000);
	default:
		return rng();
	}
}

/* Scans its RAM for bytes it did not write; returns how many (each range the arch says is its
 * own is skipped). */
static uint64_t scan_ram(void)
{
	uint64_t stray = 0, first = 0;
	for (uint64_t a = HOSTILE_RAM_BASE; a < HOSTILE_RAM_BASE + HOSTILE_RAM_SIZE; a += 8) {
		uint64_t skip_to = arch_own_range_end(a);
		if (skip_to) {
			a = (skip_to & ~7ull) - 8;
			continue;
		}
		if (*(volatile uint64_t *)a) {
			if (!stray)
				first = a;
			stray++;
		}
	}
	if (stray) {
		puts_uart("hostile: RAM not zeroed from ");
		put_hex(first);
		putc_uart('\n');
	}
	return stray;
}

static void hostile_run(void)
{
	rng_state = *(volatile uint64_t *)HOSTILE_SEED_ADDRESS;
	if (!rng_state)
		rng_state = 1;
	uint64_t rounds = *(volatile uint64_t *)(HOSTILE_SEED_ADDRESS + 8);
	if (!rounds)
		rounds = HOSTILE_DEFAULT_ROUNDS;
	puts_uart("hostile: seed ");
	put_dec(rng_state);
	puts_uart(", ");
	put_dec(rounds);
	puts_uart(" rounds\n");
	counts.stray_bytes = scan_ram() * 8;
	for (uint64_t i = 0; i < rounds; i++) {
		switch (below(8)) {
		case 0:
		case 1:
		case 2:
			do_access();
			break;
		case 3:
		case 4:
			counts.privileged++;
			arch_privileged(rng(), pick_argument());
			break;
		case 5:
			counts.calls++;
			arch_call(rng(), pick_argument(), pick_argument(), pick_argument());
			break;
		default:
			counts.words++;
			arch_word(rng(), pick_address(below(2)), below(256));
			break;
		}
	}
	puts_uart("\nhostile: done: "); /* on a line of its own, whatever its calls printed */
	put_dec(counts.accesses);
	puts_uart(" accesses, ");
	put_dec(counts.privileged);
	puts_uart(" privileged, ");
	put_dec(counts.calls);
	puts_uart(" calls, ");
	put_dec(counts.words);
	puts_uart(" words; ");
	put_dec(counts.faults);
	puts_uart(" faults taken; ");
	put_dec(counts.stray_bytes);
	puts_uart(" stray RAM bytes\n");
}
