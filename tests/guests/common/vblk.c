/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-blk test guest, shared by every arch: included by tests/guests/<arch>/vblk.c, which
 * finds its devices (virtio-mmio windows: vblk_mmio(); virtio-pci functions, their capabilities
 * parsed: x86_64/vblk.c fills a struct vblk_dev) and defines RAM_END (the first address past the
 * VM's RAM). It drives the devices as a driver should
 * (Virtio 1.2, 3.1.1, 2.7, 5.2), checks every answer, then breaks the rules one way at a time (a
 * buffer outside its RAM, a read past the disk's end, a descriptor loop, an indirect table too long
 * or inside another, a queue size that is not a power of two, a notify for a queue never set up, an
 * available index run ahead, a head past the queue) and checks that the device answers with
 * IOERR or DEVICE_NEEDS_RESET and works again after a reset. Polls: no interrupts needed. */
#include <stdint.h>

#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INTERRUPT_STATUS 0x060
#define MMIO_INTERRUPT_ACK 0x064
#define MMIO_CONFIG 0x100

/* A device's registers, whatever the transport: the same fields at the MMIO layout's offsets
 * (4.2.2) or in the PCI common configuration (4.1.4.3), with their widths. */
enum reg { R_STATUS, R_DEVICE_FEATURES_SEL, R_DEVICE_FEATURES, R_DRIVER_FEATURES_SEL, R_DRIVER_FEATURES,
	   R_QUEUE_SEL, R_QUEUE_NUM, R_QUEUE_READY, R_QUEUE_DESC, R_QUEUE_DRIVER, R_QUEUE_DEVICE, R_COUNT };
static const struct { uint16_t offset; uint8_t width; } reg_map[2][R_COUNT] = {
	{ /* MMIO */ { 0x70, 4 }, { 0x14, 4 }, { 0x10, 4 }, { 0x24, 4 }, { 0x20, 4 }, { 0x30, 4 }, { 0x38, 4 },
	  { 0x44, 4 }, { 0x80, 4 }, { 0x90, 4 }, { 0xa0, 4 } },
	{ /* PCI */ { 0x14, 1 }, { 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x16, 2 }, { 0x18, 2 },
	  { 0x1c, 2 }, { 0x20, 4 }, { 0x28, 4 }, { 0x30, 4 } },
};

struct vblk_dev {
	int pci;                 /* 0: virtio-mmio at common; 1: virtio-pci, the structures below */
	uintptr_t common;        /* MMIO: the window */
	uintptr_t isr, device, notify;
	uint32_t notify_multiplier;
	int identified;          /* PCI: the includer found a modern block device's ids in config space */
};

__attribute__((unused)) static struct vblk_dev vblk_mmio(uintptr_t base)
{
	return (struct vblk_dev){ 0, base, 0, base + MMIO_CONFIG, base + MMIO_QUEUE_NOTIFY, 0, 0 };
}

#define S_ACK 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u
#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)
#define F_BLK_RO (1ull << 5)
#define F_BLK_FLUSH (1ull << 9)
#define D_NEXT 1u
#define D_WRITE 2u
#define D_INDIRECT 4u
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define QSIZE 16

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct desc table[QSIZE] __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx;
	struct { uint32_t id, len; } ring[QSIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4096)));
static struct desc indirect[2 * QSIZE] __attribute__((aligned(16)));
static struct header header;
static uint8_t data[1024] __attribute__((aligned(512)));
static uint8_t status;
static uint16_t last_used;
static unsigned passed, failed;

static uint32_t load(uintptr_t at, unsigned width)
{
	return width == 1 ? *(volatile uint8_t *)at : width == 2 ? *(volatile uint16_t *)at : *(volatile uint32_t *)at;
}

static void store(uintptr_t at, unsigned width, uint32_t v)
{
	if (width == 1)
		*(volatile uint8_t *)at = (uint8_t)v;
	else if (width == 2)
		*(volatile uint16_t *)at = (uint16_t)v;
	else
		*(volatile uint32_t *)at = v;
}

static uint32_t rd(const struct vblk_dev *d, enum reg r)
{
	return load(d->common + reg_map[d->pci][r].offset, reg_map[d->pci][r].width);
}

static void wr(const struct vblk_dev *d, enum reg r, uint32_t v)
{
	store(d->common + reg_map[d->pci][r].offset, reg_map[d->pci][r].width, v);
}

static void notify(const struct vblk_dev *d, unsigned queue)
{
	if (d->pci)
		store(d->notify + queue * d->notify_multiplier, 2, queue);
	else
		store(d->notify, 4, queue);
}

/* Acknowledges what interrupted: MMIO's InterruptACK, or reading PCI's ISR (4.1.4.5). */
static void ack_interrupt(const struct vblk_dev *d)
{
	if (d->pci)
		(void)load(d->isr, 1);
	else
		store(d->common + MMIO_INTERRUPT_ACK, 4, load(d->common + MMIO_INTERRUPT_STATUS, 4));
}
static void barrier(void) { __sync_synchronize(); }

static void check(const char *what, int ok)
{
	puts_uart("vblk guest: ");
	puts_uart(what);
	puts_uart(ok ? ": ok\n" : ": FAILED\n");
	if (ok)
		passed++;
	else
		failed++;
}

static void clear(void *p, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		((volatile uint8_t *)p)[i] = 0;
}

static uint64_t device_features(const struct vblk_dev *d)
{
	wr(d, R_DEVICE_FEATURES_SEL, 1);
	uint64_t high = rd(d, R_DEVICE_FEATURES);
	wr(d, R_DEVICE_FEATURES_SEL, 0);
	return high << 32 | rd(d, R_DEVICE_FEATURES);
}

static void set_queue_address(const struct vblk_dev *d, enum reg r, uint64_t address)
{
	store(d->common + reg_map[d->pci][r].offset, 4, (uint32_t)address);
	store(d->common + reg_map[d->pci][r].offset + 4, 4, (uint32_t)(address >> 32));
}

/* Reset, negotiate VERSION_1 and INDIRECT_DESC, give queue 0 `num` entries; whether it went live. */
static int init(const struct vblk_dev *d, uint32_t num)
{
	wr(d, R_STATUS, 0);
	if (rd(d, R_STATUS) != 0)
		return 0;
	clear(table, sizeof(table));
	clear(&avail, sizeof(avail));
	clear(&used, sizeof(used));
	last_used = 0;
	wr(d, R_STATUS, S_ACK);
	wr(d, R_STATUS, S_ACK | S_DRIVER);
	uint64_t features = F_VERSION_1 | F_INDIRECT;
	wr(d, R_DRIVER_FEATURES_SEL, 0);
	wr(d, R_DRIVER_FEATURES, (uint32_t)features);
	wr(d, R_DRIVER_FEATURES_SEL, 1);
	wr(d, R_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK))
		return 0;
	wr(d, R_QUEUE_SEL, 0);
	wr(d, R_QUEUE_NUM, num);
	set_queue_address(d, R_QUEUE_DESC, (uintptr_t)table);
	set_queue_address(d, R_QUEUE_DRIVER, (uintptr_t)&avail);
	set_queue_address(d, R_QUEUE_DEVICE, (uintptr_t)&used);
	wr(d, R_QUEUE_READY, 1);
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(d, R_QUEUE_READY) == 1 && !(rd(d, R_STATUS) & S_NEEDS_RESET);
}

/* Publishes head 0 and notifies; returns the used length, or -1 when nothing came back. */
static long submit(const struct vblk_dev *d, uint16_t head)
{
	avail.ring[avail.idx % QSIZE] = head;
	barrier();
	avail.idx++;
	barrier();
	notify(d, 0);
	for (int spin = 0; spin < 1000000; spin++) {
		barrier();
		if (*(volatile uint16_t *)&used.idx != last_used) {
			long len = used.ring[last_used % QSIZE].len;
			last_used++;
			ack_interrupt(d);
			return len;
		}
		if (rd(d, R_STATUS) & S_NEEDS_RESET)
			return -1;
	}
	return -1;
}

/* A three-descriptor request: header, `len` data bytes at `buffer` (device-written for reads and
 * GET_ID), status. Returns the status byte, 0xff if it was not written. */
static uint8_t request(const struct vblk_dev *d, uint32_t type, uint64_t sector, uint64_t buffer, uint32_t len)
{
	header = (struct header){ type, 0, sector };
	status = 0xff;
	int device_writes = type == T_IN || type == T_GET_ID;
	table[0] = (struct desc){ (uintptr_t)&header, sizeof(header), D_NEXT, 1 };
	table[1] = (struct desc){ buffer, len, (uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)), 2 };
	table[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
	if (len == 0)
		table[0].next = 2;
	long got = submit(d, 0);
	return got < 0 ? 0xff : status;
}

static int needs_reset(const struct vblk_dev *d)
{
	return (rd(d, R_STATUS) & S_NEEDS_RESET) != 0;
}

/* After a broken rule: the device asked for a reset, and after one it reads and writes again. */
static void check_recovers(const struct vblk_dev *d, const char *what)
{
	check(what, needs_reset(d));
	check("  and works again after a reset", init(d, QSIZE) && request(d, T_IN, 0, (uintptr_t)data, 512) == 0);
}

static void good_requests(const struct vblk_dev *d)
{
	for (unsigned i = 0; i < 512; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	check("write sector 1", request(d, T_OUT, 1, (uintptr_t)data, 512) == 0);
	check("flush", request(d, T_FLUSH, 0, 0, 0) == 0);
	clear(data, 512);
	int same = request(d, T_IN, 1, (uintptr_t)data, 512) == 0;
	for (unsigned i = 0; i < 512; i++)
		same = same && data[i] == (uint8_t)(i * 7 + 1);
	check("read sector 1 back", same);
	clear(data, 32);
	check("GET_ID", request(d, T_GET_ID, 0, (uintptr_t)data, 20) == 0 && data[0] == 'v' && data[1] == 'm');
	/* Two sectors through an indirect table of four descriptors. */
	header = (struct header){ T_IN, 0, 0 };
	status = 0xff;
	indirect[0] = (struct desc){ (uintptr_t)&header, sizeof(header), D_NEXT, 1 };
	indirect[1] = (struct desc){ (uintptr_t)data, 512, D_NEXT | D_WRITE, 2 };
	indirect[2] = (struct desc){ (uintptr_t)data + 512, 512, D_NEXT | D_WRITE, 3 };
	indirect[3] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
	table[0] = (struct desc){ (uintptr_t)indirect, 4 * sizeof(struct desc), D_INDIRECT, 0 };
	check("indirect read of two sectors", submit(d, 0) == 1025 && status == 0);
}

static void bad_requests(const struct vblk_dev *d, uint64_t capacity)
{
	check("a buffer outside RAM: IOERR", request(d, T_IN, 0, RAM_END, 512) == 1 && !needs_reset(d));
	check("a read past the end: IOERR", request(d, T_IN, capacity, (uintptr_t)data, 512) == 1);
	check("a read of half a sector: IOERR", request(d, T_IN, 0, (uintptr_t)data, 100) == 1);

	table[0] = (struct desc){ (uintptr_t)&header, sizeof(header), D_NEXT, 1 };
	table[1] = (struct desc){ (uintptr_t)data, 512, D_NEXT | D_WRITE, 1 };
	submit(d, 0);
	check_recovers(d, "a descriptor loop: NEEDS_RESET");

	for (unsigned i = 0; i < QSIZE + 1; i++)
		indirect[i] = (struct desc){ (uintptr_t)data, 16, D_NEXT | D_WRITE, (uint16_t)(i + 1) };
	table[0] = (struct desc){ (uintptr_t)indirect, (QSIZE + 1) * sizeof(struct desc), D_INDIRECT, 0 };
	submit(d, 0);
	check_recovers(d, "an indirect table longer than the queue: NEEDS_RESET");

	indirect[0] = (struct desc){ (uintptr_t)&indirect[4], 2 * sizeof(struct desc), D_INDIRECT, 0 };
	table[0] = (struct desc){ (uintptr_t)indirect, sizeof(struct desc), D_INDIRECT, 0 };
	submit(d, 0);
	check_recovers(d, "an indirect table inside an indirect table: NEEDS_RESET");

	table[0] = (struct desc){ (uintptr_t)&header, sizeof(header), D_NEXT, 1 };
	table[1] = (struct desc){ (uintptr_t)data, 512, D_NEXT | D_WRITE, QSIZE + 3 };
	submit(d, 0);
	check_recovers(d, "a next index past the queue: NEEDS_RESET");

	submit(d, QSIZE + 5);
	check_recovers(d, "a head past the queue: NEEDS_RESET");

	avail.idx += 40;
	barrier();
	notify(d, 0);
	check_recovers(d, "an available index run ahead: NEEDS_RESET");

	notify(d, 1);
	check_recovers(d, "a notify for a queue never set up: NEEDS_RESET");

	check("a queue size of 15 is refused", !init(d, 15));
	check_recovers(d, "a queue size that is not a power of two: NEEDS_RESET");
}

static void test_device(const struct vblk_dev *d, int writable)
{
	puts_uart(writable ? "vblk guest: writable device at " : "vblk guest: read-only device at ");
	put_hex(d->common);
	putc_uart('\n');
	uint64_t features = device_features(d);
	check("identifies as a virtio block device",
	      d->pci ? d->identified
		     : load(d->common + MMIO_MAGIC, 4) == 0x74726976 && load(d->common + MMIO_VERSION, 4) == 2 &&
			       load(d->common + MMIO_DEVICE_ID, 4) == 2);
	check("offers VERSION_1, INDIRECT_DESC, EVENT_IDX, FLUSH",
	      (features & (F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_BLK_FLUSH)) ==
		      (F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_BLK_FLUSH));
	check(writable ? "not read-only" : "read-only (VIRTIO_BLK_F_RO)", (!(features & F_BLK_RO)) == writable);
	check("queue 0 up", init(d, QSIZE));
	uint64_t capacity = load(d->device, 4) | (uint64_t)load(d->device + 4, 4) << 32;
	puts_uart("vblk guest: capacity ");
	put_dec(capacity);
	puts_uart(" sectors\n");
	if (writable) {
		good_requests(d);
		bad_requests(d, capacity);
	} else {
		check("a write: IOERR", request(d, T_OUT, 1, (uintptr_t)data, 512) == 1);
		check("a read", request(d, T_IN, 1, (uintptr_t)data, 512) == 0);
	}
	wr(d, R_STATUS, 0);
}

/* The devices, writable ones first. */
__attribute__((unused)) static void run_vblk_checks(const struct vblk_dev *devices, unsigned count, unsigned writable)
{
	for (unsigned i = 0; i < count; i++)
		test_device(&devices[i], i < writable);
	puts_uart("vblk guest: ");
	put_dec(passed);
	puts_uart(" checks passed, ");
	put_dec(failed);
	puts_uart(" failed\n");
}

/* Two VMs at once, each on its own partition of one host disk (vblkpair.c): `rounds` times, write
 * `sectors` sectors of this VM's pattern (its id and the sector number in every byte pair) one
 * request each, then read them all back and compare. Returns the sectors that came back wrong. */
__attribute__((unused)) static unsigned run_vblk_pair(const struct vblk_dev *d, unsigned vm_id, unsigned rounds, unsigned sectors)
{
	unsigned wrong = 0;
	if (!init(d, QSIZE))
		return sectors * rounds;
	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned s = 0; s < sectors; s++) {
			for (unsigned i = 0; i < 512; i += 2) {
				data[i] = (uint8_t)vm_id;
				data[i + 1] = (uint8_t)(s + round);
			}
			if (request(d, T_OUT, s, (uintptr_t)data, 512) != 0)
				wrong++;
		}
		request(d, T_FLUSH, 0, 0, 0);
		for (unsigned s = 0; s < sectors; s++) {
			clear(data, 512);
			int same = request(d, T_IN, s, (uintptr_t)data, 512) == 0;
			for (unsigned i = 0; i < 512; i += 2)
				same = same && data[i] == (uint8_t)vm_id && data[i + 1] == (uint8_t)(s + round);
			wrong += !same;
		}
	}
	return wrong;
}

/* vblkpair.c's whole run: the pair test on the device (none found: every sector wrong), reported. */
__attribute__((unused)) static void run_and_report_pair(const struct vblk_dev *d, unsigned vm_id)
{
	unsigned wrong = d ? run_vblk_pair(d, vm_id, 20, 64) : 20 * 64;
	puts_uart("vblkpair guest: VM ");
	put_dec(vm_id);
	puts_uart(wrong ? ": sectors came back wrong: " : ": all 1280 writes read back\n");
	if (wrong) {
		put_dec(wrong);
		putc_uart('\n');
	}
}
