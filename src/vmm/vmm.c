/* The VMM entry point (see vmm/vmm.h). Guests arrive with the per-arch VM support; until then
 * the VMM reports that it has nothing to run. */
#include "vmm/vmm.h"
#include "kernel/log.h"

void vmm_run(void)
{
	log_info("No VM configured");
}
