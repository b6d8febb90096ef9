/* SPDX-License-Identifier: Apache-2.0 */
/* SBI DBCN (debug console) extension for guests (SBI v2.0, chapter 12): write and write_byte go
 * to the VM's tagged console; read has no input to give yet (0 bytes). Buffers are guest-physical
 * (base_lo + base_hi << 32) and must lie in the VM's RAM. */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define DBCN_WRITE 0
#define DBCN_READ 1
#define DBCN_WRITE_BYTE 2

enum vm_exit_result guest_sbi_dbcn(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	struct vm *vm = vcpu->vm;
	const uint64_t *arg = call->args;
	switch (call->fid) {
	case DBCN_WRITE: {
		gpa_t base = arg[1] | (arg[2] << 32); /* on RV64 base_hi is zero, but honour it */
		uint64_t written = 0;
		char chunk[64];
		while (written < arg[0]) {
			size_t n = (size_t)MIN(arg[0] - written, sizeof(chunk));
			if (vm_copy_from_guest(vm, chunk, base + written, n) < 0)
				break;
			for (size_t i = 0; i < n; i++)
				vm_console_putc(vm, chunk[i]);
			written += n;
		}
		if (!written && arg[0])
			return guest_sbi_answer(vcpu, SBI_ERR_INVALID_PARAM, 0);
		else
			return guest_sbi_answer(vcpu, SBI_SUCCESS, (long)written);
	}
	case DBCN_READ:
		return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
	case DBCN_WRITE_BYTE:
		vm_console_putc(vm, (char)arg[0]);
		return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
	default:
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
}
