/* SPDX-License-Identifier: Apache-2.0 */
/* Transport-neutral virtio device initialization (Virtio spec 1.1, 3.1.1 "Driver Requirements:
 * Device Initialization"). */
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "lib/errno.h"

int virtio_negotiate(struct virtio_device *dev, uint64_t wanted, uint64_t *accepted)
{
	const struct virtio_transport_ops *ops = dev->ops;
	ops->set_status(dev, 0); /* reset; a modern device reads back 0 when the reset is done */
	for (int i = 0; i < 1000000 && ops->get_status(dev) != 0; i++)
		;
	ops->set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE);
	ops->set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t offered = ops->get_features(dev);
	if (!(offered & VIRTIO_F_VERSION_1)) {
		log_error("%s: device offers no VIRTIO_F_VERSION_1 (features %#llx): only modern virtio is driven",
			  dev->name, (unsigned long long)offered);
		ops->set_status(dev, VIRTIO_STATUS_FAILED);
		return -ENOTSUP;
	}
	ops->set_features(dev, (wanted & offered) | VIRTIO_F_VERSION_1);
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	ops->set_status(dev, status);
	if (!(ops->get_status(dev) & VIRTIO_STATUS_FEATURES_OK)) {
		log_error("%s: device refused features %#llx", dev->name,
			  (unsigned long long)((wanted & offered) | VIRTIO_F_VERSION_1));
		ops->set_status(dev, VIRTIO_STATUS_FAILED);
		return -ENOTSUP;
	}
	*accepted = (wanted & offered) | VIRTIO_F_VERSION_1;
	return 0;
}
