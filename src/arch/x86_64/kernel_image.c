/* Kernel image headers on x86_64: guests here are bare-metal binaries for now; the Linux bzImage
 * setup header (Linux Documentation/arch/x86/boot.rst) arrives with the Linux boot protocol. */
#include "arch/vm.h"

bool arch_kernel_layout(const void *header, size_t size, struct kernel_layout *layout)
{
	(void)header;
	(void)size;
	(void)layout;
	return false;
}
