/* What every arch's generated guest device tree says the same way (vmm/vm_dtb.h). */
#include "vmm/vm_dtb.h"

void vm_dtb_write_chosen(struct fdt_writer *w, const struct vm_boot_params *params, const char *stdout_path)
{
	fdt_begin_node(w, "chosen");
	if (params->cmdline)
		fdt_property_string(w, "bootargs", params->cmdline);
	if (stdout_path)
		fdt_property_string(w, "stdout-path", stdout_path);
	if (params->initrd_start) {
		fdt_property_u64(w, "linux,initrd-start", params->initrd_start);
		fdt_property_u64(w, "linux,initrd-end", params->initrd_end);
	}
	/* Linux credits these bytes to its random-number generator at once (random.trust_bootloader,
	 * on by default): without them it spends its first second or so unseeded, and every
	 * kmem_cache it creates meanwhile waits on jitter entropy. */
	if (params->has_rng_seed)
		fdt_property(w, "rng-seed", params->rng_seed, sizeof(params->rng_seed));
	fdt_end_node(w);
}
