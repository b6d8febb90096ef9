/* SPDX-License-Identifier: Apache-2.0 */
/* Legacy PC ports (see vdev/x86_pc.h). Power-off: a write to PM1a_CNT with SLP_EN set (ACPI 6.4,
 * 4.8.3.2.1; the FADT and the \_S5 package the guest reads give SLP_TYP 0 for S5, and any SLP_TYP
 * is taken as S5 since no sleep state is offered). Reset: 0xcf9 with bit 2 (RST_CPU) set, or
 * command 0xfe to the keyboard controller's command port 0x64 (its data port 0x60 reads 0; 0x61
 * between them is the PIT's, x86_pit.c). The 8259 pair reads back its mask (all set: the
 * IOAPIC delivers interrupts) and ignores initialization words. The PM1a event block, with the
 * power button, is x86_power_button.c's. */
#include "vdev/x86_pc.h"
#include "vmm/vdev.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"

struct pc_port {
	struct vdev dev;
	struct vm *vm;
	uint8_t pic_mask[2];
};

static int pm_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)dev; (void)offset; (void)width;
	*value = 1; /* SCI_EN: the machine is in ACPI mode */
	return 0;
}

static int pm_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)offset; (void)width;
	struct pc_port *p = dev->priv;
	if (value & X86_PM1_SLP_EN) {
		vm_log_info(p->vm, "the guest powered off");
		vm_request_stop(p->vm);
	}
	return 0;
}

static int reset_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)dev; (void)offset; (void)width;
	*value = 0;
	return 0;
}

static int keyboard_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	if (offset == 0 && (value & 0xff) == 0xfe)
		vm_request_guest_reset(((struct pc_port *)dev->priv)->vm, "keyboard controller");
	return 0;
}

static int post_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)dev; (void)offset; (void)width; (void)value;
	return 0; /* POST codes and I/O delays */
}

static int pic_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)width;
	struct pc_port *p = dev->priv;
	*value = offset == 1 ? p->pic_mask[dev->base == 0xa0] : 0;
	return 0;
}

static int pic_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	struct pc_port *p = dev->priv;
	if (offset == 1)
		p->pic_mask[dev->base == 0xa0] = (uint8_t)value;
	return 0;
}

static const struct vdev_ops pm_ops = { .read = pm_read, .write = pm_write };
static const struct vdev_ops keyboard_ops = { .read = reset_read, .write = keyboard_write };
static const struct vdev_ops post_ops = { .read = reset_read, .write = post_write };
static const struct vdev_ops pic_ops = { .read = pic_read, .write = pic_write };

static int add_port(struct vm *vm, const char *name, uint64_t base, uint64_t size, const struct vdev_ops *ops)
{
	struct pc_port *p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->pic_mask[0] = p->pic_mask[1] = 0xff;
	p->dev = (struct vdev){ name, base, size, ops, p };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &p->dev, &conflict);
	if (err < 0)
		kfree(p);
	return err;
}

int x86_pc_devices_create(struct vm *vm)
{
	int err = add_port(vm, "ACPI PM1a control", X86_PM1A_CONTROL_PORT, 2, &pm_ops);
	if (!err) err = x86_power_button_create(vm); /* PM1a status and enable */
	if (!err) err = x86_pci_create(vm); /* 0xcf8-0xcff, with the reset control register 0xcf9 */
	if (!err) err = add_port(vm, "keyboard data", 0x60, 1, &post_ops);
	if (!err) err = add_port(vm, "keyboard controller", 0x64, 1, &keyboard_ops);
	if (!err) err = add_port(vm, "POST", 0x80, 1, &post_ops);
	if (!err) err = add_port(vm, "i8259 master", 0x20, 2, &pic_ops);
	if (!err) err = add_port(vm, "i8259 slave", 0xa0, 2, &pic_ops);
	return err;
}
