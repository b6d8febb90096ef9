/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 and riscv64 Linux: the generic system-call numbers (include/uapi/asm-generic/unistd.h). */
#define NR_ioctl 29
#define NR_write 64
#define NR_exit_group 94
#define NR_clock_gettime 113
#define NR_socket 198
#define NR_sendto 206
