/* SPDX-License-Identifier: Apache-2.0 */
/* The PM1a event block of an x86 VM (ACPI 6.4, 4.8.3.1) with the one event it has: the fixed
 * power button (4.8.2.2.1), which `vm stop` presses (vmm/power_button.h). The FADT says the
 * button is a fixed feature (PWR_BUTTON clear, guest_acpi.c), so an ACPI OS enables PWRBTN_EN
 * in PM1_EN when its button driver loads (Linux: drivers/acpi/button.c, through ACPICA's fixed
 * event handlers). A press sets PWRBTN_STS; while a status bit and its enable bit are both set,
 * the SCI (ISA IRQ 9, level-triggered, guest_acpi.c's MADT) is raised; the OS clears the status
 * by writing 1 to it (write-one-to-clear), which lowers the SCI.
 *
 * The registers: PM1_STS at offset 0, PM1_EN at offset 2, 16 bits each, read and written in any
 * width the block allows (the FADT's PM1_EVT_LEN 4; Linux reads each half on its own). */
#include "vdev/x86_pc.h"
#include "vmm/power_button.h"
#include "vmm/vdev.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

#define PM1_PWRBTN (1u << 8)   /* PWRBTN_STS in PM1_STS, PWRBTN_EN in PM1_EN (tables 4.16, 4.17) */
#define SCI_IRQ 9

struct power_button {
	struct vdev dev;
	struct vm *vm;
	struct spinlock lock;  /* the registers: written by vCPUs and by the shell's press */
	uint16_t status, enable;
	bool sci;              /* the SCI's level, as last set */
	uint64_t presses;
};

/* Under the lock: the SCI follows status & enable. */
static void update_sci(struct power_button *b)
{
	bool level = (b->status & b->enable) != 0;
	if (level != b->sci) {
		b->sci = level;
		vm_irq_set(b->vm, SCI_IRQ, level);
	}
}

static uint32_t width_mask(unsigned width)
{
	return width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
}

static int event_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)vcpu;
	struct power_button *b = dev->priv;
	unsigned long flags = spin_lock_irqsave(&b->lock);
	uint32_t block = b->status | (uint32_t)b->enable << 16;
	spin_unlock_irqrestore(&b->lock, flags);
	*value = (block >> (8 * offset)) & width_mask(width);
	return 0;
}

static int event_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)vcpu;
	struct power_button *b = dev->priv;
	uint32_t mask = width_mask(width) << (8 * offset);
	uint32_t written = ((uint32_t)value << (8 * offset)) & mask;
	unsigned long flags = spin_lock_irqsave(&b->lock);
	b->status &= (uint16_t)~(written & 0xffffu);       /* status: a 1 clears */
	uint32_t enable = ((uint32_t)b->enable << 16 & ~mask) | (written & 0xffff0000u);
	b->enable = (uint16_t)(enable >> 16);
	update_sci(b);
	spin_unlock_irqrestore(&b->lock, flags);
	return 0;
}

static void event_reset(struct vdev *dev)
{
	struct power_button *b = dev->priv;
	unsigned long flags = spin_lock_irqsave(&b->lock);
	b->status = b->enable = 0;
	update_sci(b);
	spin_unlock_irqrestore(&b->lock, flags);
}

static void event_report(struct vdev *dev)
{
	struct power_button *b = dev->priv;
	if (b->presses)
		vm_log_info(b->vm, "ACPI power button: pressed %llu times", (unsigned long long)b->presses);
}

static int press(void *device, const char **why)
{
	struct power_button *b = device;
	unsigned long flags = spin_lock_irqsave(&b->lock);
	bool listening = b->enable & PM1_PWRBTN;
	if (listening) {
		b->status |= PM1_PWRBTN;
		b->presses++;
		update_sci(b);
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (!listening) {
		*why = "it has not enabled the ACPI power button (PWRBTN_EN)";
		return -ENOTCONN;
	}
	return 0;
}

static const struct vdev_ops event_ops = {
	.read = event_read, .write = event_write, .reset = event_reset, .report = event_report,
};

int x86_power_button_create(struct vm *vm)
{
	struct power_button *b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->vm = vm;
	b->dev = (struct vdev){ "ACPI PM1a event", X86_PM1A_EVENT_PORT, 4, &event_ops, b };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &b->dev, &conflict);
	if (err < 0) {
		kfree(b);
		return err;
	}
	vm_set_power_button(vm, press, b, "ACPI power button");
	return 0;
}
