/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt latency as a distribution (issue 19), shared by the bench guests of every arch: each
 * interrupt adds one sample, in the arch's own unit (counter ticks or instructions under
 * -icount), and the report gives the count, min, median, p99, max and mean. A histogram of one
 * bucket per unit, not a sorted array: one add per sample in the handler and one pass for the
 * percentiles, where sorting 10 000 samples in the guest would cost more than taking them. A
 * sample beyond the last bucket counts there (max keeps its value): the percentiles below it are
 * exact. Included by the arch's bench.c (it needs the arch's puts_uart and put_dec). */
#include <stdint.h>

#define LATENCY_BUCKETS 8192
#define LATENCY_SHOWN 256

struct latency {
	uint32_t bucket[LATENCY_BUCKETS];
	uint64_t samples, sum, min, max;
};

static void latency_add(struct latency *l, uint64_t value)
{
	l->bucket[value < LATENCY_BUCKETS ? value : LATENCY_BUCKETS - 1]++;
	if (l->samples == 0 || value < l->min)
		l->min = value;
	if (value > l->max)
		l->max = value;
	l->sum += value;
	l->samples++;
}

/* The smallest value that at least per_mille / 1000 of the samples do not exceed. */
static uint64_t latency_quantile(const struct latency *l, uint64_t per_mille)
{
	uint64_t wanted = (l->samples * per_mille + 999) / 1000, seen = 0;
	if (wanted == 0)
		wanted = 1;
	for (uint64_t v = 0; v < LATENCY_BUCKETS; v++) {
		seen += l->bucket[v];
		if (seen >= wanted)
			return v == LATENCY_BUCKETS - 1 ? l->max : v;
	}
	return l->max;
}

/* One line for bench/<arch>/run.sh: "bench: latency NAME samples=N min=A median=B p99=C max=D
 * mean=E", each value times scale (an arch whose samples are counter ticks gives instructions). */
static void latency_report(const char *name, const struct latency *l, uint64_t scale)
{
	puts_uart("bench: latency ");
	puts_uart(name);
	puts_uart(" samples=");
	put_dec(l->samples);
	puts_uart(" min=");
	put_dec(l->min * scale);
	puts_uart(" median=");
	put_dec(latency_quantile(l, 500) * scale);
	puts_uart(" p99=");
	put_dec(latency_quantile(l, 990) * scale);
	puts_uart(" max=");
	put_dec(l->max * scale);
	puts_uart(" mean=");
	put_dec(l->samples ? l->sum * scale / l->samples : 0);
	puts_uart("\n");
	/* The histogram, for the bench's picture: "bench: histogram NAME value:count ...", the
	 * values present only, at most LATENCY_SHOWN of them (the rest are counted at the end). */
	puts_uart("bench: histogram ");
	puts_uart(name);
	unsigned shown = 0;
	uint64_t rest = 0;
	for (uint64_t v = 0; v < LATENCY_BUCKETS; v++) {
		if (!l->bucket[v])
			continue;
		if (shown++ == LATENCY_SHOWN) {
			rest += l->bucket[v];
			continue;
		}
		putc_uart(' ');
		put_dec(v * scale);
		putc_uart(':');
		put_dec(l->bucket[v]);
	}
	puts_uart(" more:");
	put_dec(rest);
	puts_uart("\n");
}
