/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU blocks (see kernel/percpu.h). */
#include "kernel/percpu.h"

struct percpu percpus[MAX_CPUS];
unsigned cpus_possible = 1;
