/* SPDX-License-Identifier: Apache-2.0 */
/* The host's wall-clock time (src/arch/x86_64/host_rtc.c), for the guests' RTC and paravirtual
 * wall clock. */
#ifndef ARCH_IMPL_HOST_RTC_H
#define ARCH_IMPL_HOST_RTC_H

#include "lib/types.h"

/* Nanoseconds since the Unix epoch, from the CMOS RTC read once when first asked. */
uint64_t x86_host_unix_time_ns(void);

#endif
