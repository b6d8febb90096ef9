/* SPDX-License-Identifier: Apache-2.0 */
/* Calls into the SBI firmware (RISC-V SBI specification v1.0.0, chapter 3 binary encoding:
 * a7 = extension id, a6 = function id, a0..a5 arguments; a0 = error, a1 = value).
 * sbi_init() probes which extensions exist; the wrappers fall back to the legacy
 * extensions (chapter 5) where the v0.2+ one is missing. */
#ifndef ARCH_IMPL_SBI_H
#define ARCH_IMPL_SBI_H

#include "lib/types.h"

/* Extension ids (SBI v1.0.0: 4 BASE, 6 TIME, 7 IPI, 8 RFENCE, 9 HSM, 10 SRST; 5 legacy). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SEND_IPI 0x04
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_HFENCE_GVMA 4
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354

/* Standard error codes (3.2, table 1). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

struct sbi_ret {
	long error;
	long value;
};

struct sbi_info {
	unsigned long spec_version; /* major << 24 | minor */
	unsigned long impl_id;      /* 1 = OpenSBI (4.9) */
	unsigned long impl_version;
	bool has_time, has_ipi, has_rfence, has_hsm, has_srst;
};

__must_check struct sbi_ret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
				     unsigned long a2, unsigned long a3);

/* Probes the BASE extension and the extensions the hypervisor uses. Safe to call more than once;
 * needs no console. */
void sbi_init(void);
const struct sbi_info *sbi_get_info(void);
const char *sbi_impl_name(unsigned long impl_id);
/* Converts an SBI error code to a negative errno. */
int sbi_error_to_errno(long error);

/* TIME (6.1): programs this hart's next timer event; clears the pending timer interrupt. */
void sbi_set_timer(uint64_t stime_value);
/* IPI (7.1): raises a supervisor software interrupt on one hart. */
__must_check int sbi_send_ipi_to_hart(unsigned long hartid);
/* HSM (9.1): starts a stopped hart at start_addr in S-mode with a0 = hartid, a1 = opaque. */
__must_check int sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
/* HSM HART_GET_STATUS (9.3): 0 started, 1 stopped, 2 start pending, ...; or an errno. */
int sbi_hart_status(unsigned long hartid);
/* RFENCE (8.2): sfence.vma of every address on every hart, if the extension exists. */
void sbi_remote_sfence_vma_all(void);
/* HFENCE.GVMA of every guest address and VMID on every hart, done when it returns (SBI 2.0, 8.5);
 * false when the SBI has no RFENCE (then only this hart's is flushed by the caller). */
bool sbi_remote_hfence_gvma_all(void);
/* SRST (10.1) then legacy shutdown; returns only if both failed. */
void sbi_system_off(void);
void sbi_system_reboot(void);
/* Legacy console (5.2): the only output before the kernel's console exists. */
void sbi_early_puts(const char *s);

#endif
