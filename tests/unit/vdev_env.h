/* SPDX-License-Identifier: Apache-2.0 */
/* A VM for host tests of device models (tests/unit/test_virtio_blk.c, test_virtio_console.c,
 * tests/fuzz/fuzz_virtio_blk.c): its RAM is one host buffer at VDEV_ENV_RAM_BASE, its interrupt
 * lines and log lines are counted, its console output is kept, and the kernel's allocators are the
 * C library's. Link vdev_env.c with the model. */
#ifndef TESTS_VDEV_ENV_H
#define TESTS_VDEV_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VDEV_ENV_RAM_BASE 0x40000000ull

struct vdev_env {
	uint8_t *ram;
	uint64_t ram_size;
	bool irq_level;          /* the last level set on any line */
	unsigned irq_raises;     /* times a line went up */
	unsigned log_lines;
	char last_log[256];
	char console[4096];      /* what the VM printed (vm_console_putc), NUL-terminated */
	unsigned console_length; /* bytes of it, dropped ones included */
};

extern struct vdev_env vdev_env;

/* Fresh RAM of `size` bytes (zeroed), counters cleared. */
void vdev_env_reset(uint64_t size);
/* The host address of guest-physical `gpa` (which must be in RAM). */
void *vdev_env_at(uint64_t gpa);

/* The driver's side of a virtio device's start (Virtio 1.2, 3.1.1), for the tests of the types. */
struct virtio_vdev;
struct vdev_env_queue {
	uint16_t num;
	uint64_t desc, avail, used; /* guest-physical */
};
/* Writes the driver's features, both 32-bit halves. */
void vdev_env_set_features(struct virtio_vdev *dev, uint64_t features);
/* Resets the device, clears RAM, negotiates `features`, sets up queues 0..count-1 as given and
 * sets DRIVER_OK. Whether the device runs: FEATURES_OK stuck, every queue went live, and it asks
 * for no reset. */
bool vdev_env_driver_init(struct virtio_vdev *dev, uint64_t features, const struct vdev_env_queue *queues,
			  unsigned count);

#endif
