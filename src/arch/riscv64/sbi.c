/* SPDX-License-Identifier: Apache-2.0 */
/* SBI calls (RISC-V SBI specification v1.0.0). Each wrapper uses the v0.2+ extension when
 * sbi_init() found it and the legacy call (chapter 5) otherwise. Holds no lock: the probe results
 * are written once on the boot hart before any other hart runs. */
#include "arch_impl/sbi.h"
#include "lib/errno.h"

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_SRST_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0

static struct sbi_info info;
static bool probed;

struct sbi_ret sbi_call(unsigned long ext, unsigned long fid, unsigned long arg0,
			unsigned long arg1, unsigned long arg2, unsigned long arg3)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;
	__asm__ __volatile__("ecall"
			     : "+r"(a0), "+r"(a1)
			     : "r"(a2), "r"(a3), "r"(a6), "r"(a7)
			     : "memory");
	return (struct sbi_ret){ .error = (long)a0, .value = (long)a1 };
}

/* Legacy calls (chapter 5) return only a0 and may clobber a1. */
static long sbi_legacy_call(unsigned long ext, unsigned long arg0)
{
	return sbi_call(ext, 0, arg0, 0, 0, 0).error;
}

int sbi_error_to_errno(long error)
{
	switch (error) {
	case SBI_SUCCESS:
		return 0;
	case SBI_ERR_NOT_SUPPORTED:
		return -ENOTSUP;
	case SBI_ERR_INVALID_PARAM:
	case SBI_ERR_INVALID_ADDRESS:
		return -EINVAL;
	case SBI_ERR_ALREADY_AVAILABLE:
		return -EBUSY;
	default:
		return -EIO;
	}
}

static bool probe_extension(unsigned long ext)
{
	struct sbi_ret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0, 0);
	return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_init(void)
{
	if (probed)
		return;
	/* A v0.1 firmware has no BASE extension and returns an error (4.1: v0.1 is 0.1). */
	struct sbi_ret r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0);
	if (r.error == SBI_SUCCESS && r.value > 0) {
		info.spec_version = (unsigned long)r.value;
		info.impl_id = (unsigned long)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0).value;
		info.impl_version =
			(unsigned long)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0).value;
		info.has_time = probe_extension(SBI_EXT_TIME);
		info.has_ipi = probe_extension(SBI_EXT_IPI);
		info.has_rfence = probe_extension(SBI_EXT_RFENCE);
		info.has_hsm = probe_extension(SBI_EXT_HSM);
		info.has_srst = probe_extension(SBI_EXT_SRST);
	} else {
		info.spec_version = 1; /* 0.1 */
	}
	probed = true;
}

const struct sbi_info *sbi_get_info(void)
{
	sbi_init();
	return &info;
}

const char *sbi_impl_name(unsigned long impl_id)
{
	/* 4.9, SBI Implementation IDs. */
	static const char *const names[] = { "BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix",
					     "Coffer", "Xen", "PolarFire HSS" };
	return impl_id < ARRAY_SIZE(names) ? names[impl_id] : "unknown";
}

void sbi_set_timer(uint64_t stime_value)
{
	if (info.has_time)
		(void)sbi_call(SBI_EXT_TIME, 0, stime_value, 0, 0, 0); /* 6.1: always SBI_SUCCESS */
	else
		sbi_legacy_call(SBI_EXT_LEGACY_SET_TIMER, stime_value);
}

int sbi_send_ipi_to_hart(unsigned long hartid)
{
	if (info.has_ipi) {
		/* 7.1: hart_mask bit 0 stands for hart hart_mask_base. */
		return sbi_error_to_errno(sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0, 0).error);
	}
	/* 5.5: the legacy call takes the address of a hart mask (one word covers harts 0..63). */
	if (hartid >= 64)
		return -EINVAL;
	unsigned long mask = 1UL << hartid;
	return sbi_legacy_call(SBI_EXT_LEGACY_SEND_IPI, (unsigned long)&mask) ? -EIO : 0;
}

int sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	if (!info.has_hsm)
		return -ENOTSUP;
	struct sbi_ret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_addr, opaque, 0);
	return sbi_error_to_errno(r.error);
}

int sbi_hart_status(unsigned long hartid)
{
	if (!info.has_hsm)
		return -ENOTSUP;
	struct sbi_ret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0, 0);
	return r.error ? sbi_error_to_errno(r.error) : (int)r.value;
}

static void system_reset(unsigned long type)
{
	/* 10.1: returns only when the reset failed; the callers fall back and say so. */
	if (info.has_srst)
		(void)sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, type, SBI_SRST_REASON_NONE, 0, 0);
}

void sbi_system_off(void)
{
	system_reset(SBI_SRST_TYPE_SHUTDOWN);
	sbi_legacy_call(SBI_EXT_LEGACY_SHUTDOWN, 0);
}

void sbi_system_reboot(void)
{
	system_reset(SBI_SRST_TYPE_COLD_REBOOT);
}

void sbi_early_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			sbi_legacy_call(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, '\r');
		sbi_legacy_call(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, (unsigned char)*s);
	}
}

bool sbi_remote_hfence_gvma_all(void)
{
	if (!info.has_rfence)
		return false;
	return sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA, 0, (unsigned long)-1, 0, 0).error == 0;
}

void sbi_remote_sfence_vma_all(void)
{
	/* 8.2: start 0 and size 0 flush everything; hart_mask_base -1 means every hart (chapter 3). Its
	 * errors are for a bad hart mask or range, which these are not. */
	if (info.has_rfence)
		(void)sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0, (unsigned long)-1, 0, 0);
}
