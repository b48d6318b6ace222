#include "devices/eth_switch.h"
#include "tests/unit/check.h"

#define MAX_GOT 8

/* A receiving NIC: records what it got, or refuses when full. */
struct nic {
	bool full;
	unsigned got;
	uint32_t len[MAX_GOT];
	uint8_t frame[MAX_GOT][64];
};

static struct eth_switch sw;
static struct nic nics[ETH_SWITCH_MAX_PORTS + 1];

static const uint8_t MAC_A[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xa};
static const uint8_t MAC_B[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xb};
static const uint8_t MAC_C[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xc};
static const uint8_t BCAST[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MCAST[ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

static bool take(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct nic *n = ctx;
	CHECK(len <= ETH_FRAME_MAX);
	if (n->full)
		return false;
	if (n->got < MAX_GOT) {
		n->len[n->got] = len;
		memcpy(n->frame[n->got], frame, len < 64 ? len : 64);
	}
	n->got++;
	return true;
}

/* Ports 0, 1, 2 are NICs A, B, C. */
static void setup(void)
{
	memset(&sw, 0x5a, sizeof sw);
	eth_switch_init(&sw);
	memset(nics, 0, sizeof nics);
	CHECK_EQ(eth_switch_add_port(&sw, MAC_A, take, &nics[0]), 0);
	CHECK_EQ(eth_switch_add_port(&sw, MAC_B, take, &nics[1]), 1);
	CHECK_EQ(eth_switch_add_port(&sw, MAC_C, take, &nics[2]), 2);
}

static uint8_t buf[ETH_FRAME_MAX + 1];

/* A frame of `len` bytes from port `port`: dst, src, EtherType 0x0800, payload byte `tag`. */
static void send(unsigned port, const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t tag)
{
	memset(buf, tag, sizeof buf);
	memcpy(buf, dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, src, ETH_ALEN);
	buf[12] = 0x08;
	buf[13] = 0x00;
	eth_switch_send(&sw, port, buf, len);
}

static void expect_got(unsigned a, unsigned b, unsigned c)
{
	CHECK_EQ(nics[0].got, a);
	CHECK_EQ(nics[1].got, b);
	CHECK_EQ(nics[2].got, c);
}

TEST(unknown_unicast_floods_then_learning_narrows)
{
	setup();
	send(0, MAC_B, MAC_A, 60, 1); /* B unknown: everyone but A */
	expect_got(0, 1, 1);
	CHECK_EQ(nics[1].len[0], 60);
	CHECK(memcmp(nics[1].frame[0], buf, 60) == 0);
	send(1, MAC_A, MAC_B, 64, 2); /* A was learned */
	expect_got(1, 1, 1);
	CHECK_EQ(nics[0].frame[0][20], 2);
	send(0, MAC_B, MAC_A, 60, 3); /* now B is known too */
	expect_got(1, 2, 1);
	CHECK_EQ(nics[1].frame[1][20], 3);
}

TEST(group_destinations_flood_but_never_back)
{
	setup();
	send(1, MAC_A, MAC_B, 60, 0); /* learn B */
	send(0, MAC_A, MAC_A, 60, 0); /* learn A (dropped: to itself) */
	memset(nics, 0, sizeof nics);
	send(0, BCAST, MAC_A, 60, 0);
	expect_got(0, 1, 1);
	send(2, MCAST, MAC_C, 60, 0);
	expect_got(1, 2, 1);
}

TEST(frames_to_the_senders_own_port_are_dropped)
{
	setup();
	send(0, BCAST, MAC_A, 60, 0);
	send(0, MAC_A, MAC_A, 60, 0);
	expect_got(0, 1, 1);
	CHECK_EQ(eth_switch_stats(&sw, 0)->drops[ETH_DROP_LOOPBACK], 1);
	CHECK_EQ(eth_switch_stats(&sw, 0)->tx_frames, 2);
}

TEST(spoofed_sources_are_dropped_and_not_learned)
{
	setup();
	send(1, BCAST, MAC_B, 60, 0); /* B learned on port 1 */
	memset(nics, 0, sizeof nics);
	send(0, BCAST, MAC_B, 60, 0); /* A pretends to be B */
	send(0, MAC_C, MAC_C, 60, 0);
	static const uint8_t other[ETH_ALEN] = {0x02, 9, 9, 9, 9, 9};
	send(0, MAC_C, other, 60, 0);
	expect_got(0, 0, 0);
	CHECK_EQ(eth_switch_stats(&sw, 0)->drops[ETH_DROP_SPOOFED], 3);
	CHECK_EQ(eth_switch_stats(&sw, 0)->tx_frames, 0);
	CHECK_EQ(eth_switch_stats(&sw, 0)->tx_bytes, 0);
	send(2, MAC_B, MAC_C, 60, 0); /* B still lives on port 1 */
	expect_got(0, 1, 0);
	send(2, other, MAC_C, 60, 0); /* `other` was never learned: flooded */
	expect_got(1, 2, 0);
}

TEST(receiver_without_buffers_drops_and_counts)
{
	setup();
	nics[1].full = true;
	send(0, BCAST, MAC_A, 100, 0);
	expect_got(0, 0, 1);
	const struct eth_port_stats *a = eth_switch_stats(&sw, 0);
	const struct eth_port_stats *b = eth_switch_stats(&sw, 1);
	const struct eth_port_stats *c = eth_switch_stats(&sw, 2);
	CHECK_EQ(a->tx_frames, 1);
	CHECK_EQ(a->tx_bytes, 100);
	CHECK_EQ(b->drops[ETH_DROP_NO_BUFFER], 1);
	CHECK_EQ(b->rx_frames, 0);
	CHECK_EQ(c->rx_frames, 1);
	CHECK_EQ(c->rx_bytes, 100);
	CHECK_EQ(a->drops[ETH_DROP_NO_BUFFER], 0);
}

TEST(counters_add_up)
{
	setup();
	send(0, BCAST, MAC_A, 60, 0);
	send(1, MAC_A, MAC_B, 1514, 0);
	send(1, MAC_C, MAC_B, 70, 0);
	send(2, MAC_B, MAC_C, 80, 0);
	const struct eth_port_stats *a = eth_switch_stats(&sw, 0);
	const struct eth_port_stats *b = eth_switch_stats(&sw, 1);
	const struct eth_port_stats *c = eth_switch_stats(&sw, 2);
	CHECK_EQ(a->tx_frames, 1);
	CHECK_EQ(a->tx_bytes, 60);
	CHECK_EQ(a->rx_frames, 2); /* B's frame to it and B's frame to unknown C */
	CHECK_EQ(a->rx_bytes, 1584);
	CHECK_EQ(b->tx_frames, 2);
	CHECK_EQ(b->tx_bytes, 1584);
	CHECK_EQ(b->rx_frames, 2); /* the broadcast and C's frame */
	CHECK_EQ(b->rx_bytes, 140);
	CHECK_EQ(c->tx_frames, 1);
	CHECK_EQ(c->rx_frames, 2); /* the broadcast and B's frame to unknown C */
	CHECK_EQ(c->rx_bytes, 130);
	for (unsigned p = 0; p < 3; p++)
		for (unsigned why = 0; why < ETH_DROP_REASONS; why++)
			CHECK_EQ(eth_switch_stats(&sw, p)->drops[why], 0);
	CHECK(eth_switch_stats(&sw, ETH_SWITCH_MAX_PORTS) == NULL);
}

TEST(malformed_lengths)
{
	setup();
	send(0, BCAST, MAC_A, ETH_HLEN - 1, 0);
	send(0, BCAST, MAC_A, ETH_FRAME_MAX + 1, 0);
	expect_got(0, 0, 0);
	CHECK_EQ(eth_switch_stats(&sw, 0)->drops[ETH_DROP_MALFORMED], 2);
	send(0, BCAST, MAC_A, ETH_HLEN, 0);
	send(0, BCAST, MAC_A, ETH_FRAME_MAX, 0);
	expect_got(0, 2, 2);
	CHECK_EQ(nics[1].len[1], ETH_FRAME_MAX);
	eth_switch_drop(&sw, 2, ETH_DROP_MALFORMED);
	eth_switch_drop(&sw, ETH_SWITCH_MAX_PORTS, ETH_DROP_MALFORMED);
	CHECK_EQ(eth_switch_stats(&sw, 2)->drops[ETH_DROP_MALFORMED], 1);
}

TEST(open_port_carries_many_macs_but_not_a_nics)
{
	setup();
	CHECK_EQ(eth_switch_add_port(&sw, NULL, take, &nics[3]), 3);
	uint8_t m1[ETH_ALEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x01};
	uint8_t m2[ETH_ALEN] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x02};
	send(3, BCAST, m1, 60, 0);
	send(3, BCAST, m2, 60, 0);
	CHECK_EQ(nics[0].got, 2);
	send(0, m2, MAC_A, 60, 0); /* learned on the open port */
	CHECK_EQ(nics[3].got, 1);
	CHECK_EQ(nics[1].got, 2);
	send(3, BCAST, MAC_B, 60, 0); /* a NIC's MAC */
	send(3, BCAST, MCAST, 60, 0); /* a group source */
	CHECK_EQ(eth_switch_stats(&sw, 3)->drops[ETH_DROP_SPOOFED], 2);
	CHECK_EQ(nics[0].got, 2);
}

/* Found by fuzz_eth_switch: a second NIC with the same MAC took the first one's unicast. */
TEST(a_mac_belongs_to_one_nic)
{
	setup();
	CHECK_EQ(eth_switch_add_port(&sw, MAC_B, take, &nics[3]), -1);
	send(0, MAC_B, MAC_A, 60, 1);
	CHECK_EQ(nics[1].got, 1);
	CHECK_EQ(nics[3].got, 0);
}

/* Found by fuzz_eth_switch: an open port's frames taught the switch a MAC that a NIC added
 * later has; unicast to the new NIC went to the open port until the NIC sent something. */
TEST(a_new_nic_takes_its_mac_back_from_an_open_port)
{
	setup();
	uint8_t m[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xd};
	CHECK_EQ(eth_switch_add_port(&sw, NULL, take, &nics[3]), 3);
	send(3, BCAST, m, 60, 0); /* m learned on the open port */
	CHECK_EQ(eth_switch_add_port(&sw, m, take, &nics[4]), 4);
	send(0, m, MAC_A, 60, 1); /* flooded until the NIC is heard, but it gets there */
	CHECK_EQ(nics[4].got, 1);
}

TEST(full_table_replaces_the_least_recently_heard)
{
	setup();
	CHECK_EQ(eth_switch_add_port(&sw, NULL, take, &nics[3]), 3);
	send(0, BCAST, MAC_A, 60, 0);
	send(1, BCAST, MAC_B, 60, 0);
	uint8_t m[ETH_ALEN] = {0x00, 0x11, 0x22, 0x33, 0, 0};
	for (unsigned i = 1; i < ETH_SWITCH_FDB_SIZE - 1; i++) { /* fills the table */
		m[5] = (uint8_t)i;
		send(3, BCAST, m, 60, 0);
	}
	/* A and B are heard again: m[5] = 1 is now the oldest. */
	send(0, BCAST, MAC_A, 60, 0);
	send(1, BCAST, MAC_B, 60, 0);
	m[5] = 0xff;
	send(3, BCAST, m, 60, 0);
	unsigned valid = 0;
	for (unsigned i = 0; i < ETH_SWITCH_FDB_SIZE; i++)
		valid += sw.fdb[i].valid;
	CHECK_EQ(valid, ETH_SWITCH_FDB_SIZE);
	memset(nics, 0, sizeof nics);
	m[5] = 1; /* forgotten: flooded */
	send(1, m, MAC_B, 60, 0);
	CHECK_EQ(nics[0].got, 1);
	CHECK_EQ(nics[3].got, 1);
	m[5] = 2; /* still known */
	send(1, m, MAC_B, 60, 0);
	CHECK_EQ(nics[0].got, 1);
	CHECK_EQ(nics[3].got, 2);
	send(1, MAC_A, MAC_B, 60, 0); /* A survived */
	CHECK_EQ(nics[0].got, 2);
	CHECK_EQ(nics[3].got, 2);
}

TEST(removed_port_gets_nothing_and_is_forgotten)
{
	setup();
	send(1, BCAST, MAC_B, 60, 0);
	eth_switch_remove_port(&sw, 1);
	memset(nics, 0, sizeof nics);
	send(0, MAC_B, MAC_A, 60, 0); /* flooded, but not to the removed port */
	expect_got(0, 0, 1);
	send(1, BCAST, MAC_B, 60, 0); /* a removed port cannot send */
	expect_got(0, 0, 1);
	/* Its slot is reused, and the new NIC there may use the old MAC. */
	CHECK_EQ(eth_switch_add_port(&sw, MAC_B, take, &nics[4]), 1);
	send(0, MAC_B, MAC_A, 60, 0);
	CHECK_EQ(nics[4].got, 1);
	CHECK_EQ(eth_switch_stats(&sw, 1)->rx_frames, 1); /* counters start afresh */
}

TEST(ports_run_out)
{
	setup();
	for (unsigned i = 3; i < ETH_SWITCH_MAX_PORTS; i++) {
		uint8_t mac[ETH_ALEN] = {0x02, 1, 2, 3, 4, (uint8_t)i};
		CHECK_EQ(eth_switch_add_port(&sw, mac, take, &nics[i]), i);
	}
	CHECK_EQ(eth_switch_add_port(&sw, MAC_A, take, &nics[ETH_SWITCH_MAX_PORTS]), -1);
	eth_switch_remove_port(&sw, 5);
	CHECK_EQ(eth_switch_add_port(&sw, MCAST, take, &nics[5]), -1); /* not a NIC's MAC */
	CHECK_EQ(eth_switch_add_port(&sw, BCAST, take, &nics[5]), -1);
	send(0, BCAST, MAC_A, 60, 0);
	for (unsigned i = 1; i < ETH_SWITCH_MAX_PORTS; i++)
		CHECK_EQ(nics[i].got, i == 5 ? 0 : 1);
	CHECK_EQ(nics[ETH_SWITCH_MAX_PORTS].got, 0);
}

TEST(mac_from_name_is_stable_local_unicast)
{
	uint8_t a[ETH_ALEN], b[ETH_ALEN];
	eth_mac_from_name("vm0", a);
	/* Pinned: a change of hash would change every guest's MAC between releases. */
	static const uint8_t vm0[ETH_ALEN] = {0xd6, 0x96, 0xc5, 0x4e, 0x19, 0x5e};
	CHECK(memcmp(a, vm0, ETH_ALEN) == 0);
	eth_mac_from_name("vm0", b);
	CHECK(memcmp(a, b, ETH_ALEN) == 0);
	static const char *const names[] = {"", "vm1", "web", "a-much-longer-name.elf"};
	for (unsigned i = 0; i < 4; i++) {
		eth_mac_from_name(names[i], b);
		CHECK_EQ(b[0] & ETH_MAC_GROUP, 0);
		CHECK_EQ(b[0] & ETH_MAC_LOCAL, ETH_MAC_LOCAL);
		CHECK(memcmp(a, b, ETH_ALEN) != 0);
	}
}

CHECK_MAIN("eth_switch", CASE(unknown_unicast_floods_then_learning_narrows),
	   CASE(group_destinations_flood_but_never_back),
	   CASE(frames_to_the_senders_own_port_are_dropped),
	   CASE(spoofed_sources_are_dropped_and_not_learned),
	   CASE(receiver_without_buffers_drops_and_counts), CASE(counters_add_up),
	   CASE(malformed_lengths), CASE(open_port_carries_many_macs_but_not_a_nics),
	   CASE(a_mac_belongs_to_one_nic), CASE(a_new_nic_takes_its_mac_back_from_an_open_port),
	   CASE(full_table_replaces_the_least_recently_heard),
	   CASE(removed_port_gets_nothing_and_is_forgotten), CASE(ports_run_out),
	   CASE(mac_from_name_is_stable_local_unicast))
