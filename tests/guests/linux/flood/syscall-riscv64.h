/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 Linux: ECALL with the number in a7, arguments in a0-a5; _start (sp at argc). */
#include "syscall-generic.h"

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n, a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c,
			  a3 __asm__("a3") = d, a4 __asm__("a4") = e, a5 __asm__("a5") = f;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5) : "memory");
	return a0;
}
static long sys3(long n, long a, long b, long c) { return sys6(n, a, b, c, 0, 0, 0); }

void flood_main(long argc, char **argv);
__asm__(".globl _start\n_start:\n\tld a0, 0(sp)\n\taddi a1, sp, 8\n\tcall flood_main\n\tj .\n");
