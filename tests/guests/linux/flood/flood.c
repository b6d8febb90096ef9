/* SPDX-License-Identifier: Apache-2.0 */
/* A Linux program that floods a link with broadcast Ethernet frames, for the switch's storm test
 * (tests/e2e/test_linux_virtio_net.py): `flood IFACE SECONDS` sends 1514-byte frames to
 * ff:ff:ff:ff:ff:ff through an AF_PACKET socket (packet(7)) as fast as the kernel takes them, for
 * SECONDS of the monotonic clock, then prints how many it sent. No C library: the arch's header
 * (syscall-<arch>.h, given with -include) has _start and the system-call instruction. */
#define AF_PACKET 17
#define SOCK_RAW 3
#define SIOCGIFINDEX 0x8933
#define CLOCK_MONOTONIC 1
#define ETHERTYPE_LOCAL_EXPERIMENTAL 0x88b5 /* IEEE 802 local experimental ethertype 1 */
#define FRAME 1514

struct sockaddr_ll { /* linux/if_packet.h */
	unsigned short family;
	unsigned short protocol;
	int ifindex;
	unsigned short hatype;
	unsigned char pkttype;
	unsigned char halen;
	unsigned char addr[8];
};

struct ifreq { /* linux/if.h: the name, then a union of which SIOCGIFINDEX fills an int */
	char name[16];
	int ifindex;
	char pad[20];
};

struct timespec {
	long sec, nsec;
};

static unsigned short htons(unsigned short v) { return (unsigned short)(v << 8 | v >> 8); }

static unsigned long length(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s) { sys3(NR_write, 1, (long)s, (long)length(s)); }

/* Decimal, into the end of buf; returns where it starts. */
static char *decimal(unsigned long v, char *end)
{
	*--end = 0;
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

static long seconds_now(void)
{
	struct timespec t;
	sys3(NR_clock_gettime, CLOCK_MONOTONIC, (long)&t, 0);
	return t.sec;
}

void flood_main(long argc, char **argv)
{
	if (argc != 3) {
		say("usage: flood IFACE SECONDS\n");
		sys3(NR_exit_group, 2, 0, 0);
	}
	long seconds = 0;
	for (const char *p = argv[2]; *p >= '0' && *p <= '9'; p++)
		seconds = seconds * 10 + (*p - '0');
	long fd = sys3(NR_socket, AF_PACKET, SOCK_RAW, htons(ETHERTYPE_LOCAL_EXPERIMENTAL));
	struct ifreq ifr = { 0 };
	for (unsigned i = 0; argv[1][i] && i < sizeof(ifr.name) - 1; i++)
		ifr.name[i] = argv[1][i];
	if (fd < 0 || sys3(NR_ioctl, fd, SIOCGIFINDEX, (long)&ifr) < 0) {
		say("tessera-flood: no AF_PACKET socket on that interface\n");
		sys3(NR_exit_group, 1, 0, 0);
	}
	static unsigned char frame[FRAME];
	for (int i = 0; i < 6; i++)
		frame[i] = 0xff; /* destination: broadcast; the source is left zero, a station's */
	frame[12] = ETHERTYPE_LOCAL_EXPERIMENTAL >> 8;
	frame[13] = ETHERTYPE_LOCAL_EXPERIMENTAL & 0xff;
	struct sockaddr_ll to = { AF_PACKET, htons(ETHERTYPE_LOCAL_EXPERIMENTAL), ifr.ifindex, 0, 0, 6,
				  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	unsigned long sent = 0, refused = 0;
	long end = seconds_now() + seconds;
	while (seconds_now() < end) {
		for (int i = 0; i < 64; i++) { /* the clock read costs a system call: look every 64 */
			if (sys6(NR_sendto, fd, (long)frame, FRAME, 0, (long)&to, sizeof(to)) == FRAME)
				sent++;
			else
				refused++; /* the transmit queue full (ENOBUFS): the NIC is behind */
		}
	}
	char a[24], b[24];
	say("tessera-flood: sent ");
	say(decimal(sent, a + sizeof(a)));
	say(" broadcast frames of 1514 bytes in ");
	say(decimal((unsigned long)seconds, b + sizeof(b)));
	say(" s\n");
	(void)refused;
	sys3(NR_exit_group, 0, 0, 0);
}
