/* SPDX-License-Identifier: Apache-2.0 */
/* x86_64 Linux: system-call numbers (arch/x86/entry/syscalls/syscall_64.tbl), the SYSCALL
 * convention (rax, then rdi rsi rdx r10 r8 r9) and _start (rsp at argc, argv after it). */
#define NR_write 1
#define NR_ioctl 16
#define NR_socket 41
#define NR_sendto 44
#define NR_clock_gettime 228
#define NR_exit_group 231

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
static long sys3(long n, long a, long b, long c) { return sys6(n, a, b, c, 0, 0, 0); }

void flood_main(long argc, char **argv);
__asm__(".globl _start\n_start:\n\tmov (%rsp), %rdi\n\tlea 8(%rsp), %rsi\n\tand $-16, %rsp\n\tcall flood_main\n\thlt\n");
