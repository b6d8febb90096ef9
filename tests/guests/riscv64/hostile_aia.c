/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile guest (hostile.c) with the AIA's controllers instead of the vPLIC (hostile-aia.toml):
 * its random accesses also reach its vAPLIC and its IMSIC page (a guest interrupt file of the real
 * IMSIC), and its random CSRs the AIA's (siselect, sireg, stopei), on the AIA machine. */
#define HOSTILE_INTERRUPT_CONTROLLERS \
	{ 0x0d000000, 0x8000 },   /* vAPLIC */ \
	{ 0x28000000, 0x1000 }    /* its IMSIC page */
#include "hostile.c"
