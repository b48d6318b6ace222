/* The Ethernet switch (devices/eth_switch.c) between NIC ports and open ports that come and
 * go, sending frames of any length and addresses (the input favours the MACs in play, so
 * learning, moves and table eviction happen). Checked on every send: a frame reaches no port
 * twice and never its sender, arrives unchanged, only from a sender allowed to use its
 * source MAC; a unicast to a NIC's own MAC always reaches that NIC; the sender's counters
 * account for every frame (sent, or dropped for exactly one reason), and a receiver's for
 * every delivery it refused. */
#include "devices/eth_switch.h"
#include "tests/fuzz/fuzz.h"

#define OPS_MAX 1024

struct port_sink {
	bool present, nic;
	uint8_t mac[ETH_ALEN];
	bool accept;  /* has a receive buffer */
	unsigned got; /* deliveries during the current send */
};

static struct eth_switch sw;
static struct port_sink sink[ETH_SWITCH_MAX_PORTS];
/* A port's delivery context: the index the switch gave it, known only once it is added. */
static int cell[ETH_SWITCH_MAX_PORTS + 1];
static const uint8_t *sent_frame;
static uint32_t sent_len;

static bool rx(void *ctx, const uint8_t *frame, uint32_t len)
{
	int p = *(const int *)ctx;
	FUZZ_CHECK(p >= 0 && p < ETH_SWITCH_MAX_PORTS);
	struct port_sink *s = &sink[p];
	FUZZ_CHECK(s->present);
	FUZZ_CHECK(len == sent_len && memcmp(frame, sent_frame, len) == 0);
	s->got++;
	return s->accept;
}

static void mac_pick(struct fuzz_input *in, uint8_t mac[ETH_ALEN])
{
	unsigned k = fuzz_below(in, 4);
	if (k < 2) { /* a MAC some port has or had */
		const struct port_sink *s = &sink[fuzz_below(in, ETH_SWITCH_MAX_PORTS)];
		memcpy(mac, s->mac, ETH_ALEN);
	} else if (k == 2) {
		memset(mac, 0xff, ETH_ALEN);
	} else {
		for (unsigned i = 0; i < ETH_ALEN; i++)
			mac[i] = fuzz_u8(in);
	}
}

static bool is_nic_mac(const uint8_t mac[ETH_ALEN], unsigned *port)
{
	for (unsigned p = 0; p < ETH_SWITCH_MAX_PORTS; p++)
		if (sink[p].present && sink[p].nic && memcmp(sink[p].mac, mac, ETH_ALEN) == 0) {
			*port = p;
			return true;
		}
	return false;
}

static void send(struct fuzz_input *in)
{
	static uint8_t frame[ETH_FRAME_MAX + 16];
	unsigned from = fuzz_below(in, ETH_SWITCH_MAX_PORTS);
	if (!sink[from].present)
		return;
	uint32_t len = fuzz_bool(in) ? ETH_HLEN + fuzz_below(in, 64) : fuzz_u16(in) % sizeof frame;
	memset(frame, 0, sizeof frame);
	if (len >= ETH_HLEN) {
		mac_pick(in, frame);
		if (sink[from].nic && fuzz_below(in, 4))
			memcpy(frame + ETH_ALEN, sink[from].mac, ETH_ALEN);
		else
			mac_pick(in, frame + ETH_ALEN);
		frame[12] = 0x08;
	}
	for (unsigned p = 0; p < ETH_SWITCH_MAX_PORTS; p++)
		sink[p].got = 0;
	struct eth_port_stats before[ETH_SWITCH_MAX_PORTS];
	for (unsigned p = 0; p < ETH_SWITCH_MAX_PORTS; p++)
		if (sink[p].present)
			before[p] = *eth_switch_stats(&sw, p);
	sent_frame = frame;
	sent_len = len;
	eth_switch_send(&sw, from, frame, len);

	const struct eth_port_stats *st = eth_switch_stats(&sw, from);
	/* Refused (malformed, spoofed) or sent; a sent frame may still be a loopback. */
	uint64_t tx = st->tx_frames - before[from].tx_frames;
	uint64_t loop = st->drops[ETH_DROP_LOOPBACK] - before[from].drops[ETH_DROP_LOOPBACK];
	FUZZ_CHECK(tx + st->drops[ETH_DROP_MALFORMED] - before[from].drops[ETH_DROP_MALFORMED] +
		       st->drops[ETH_DROP_SPOOFED] - before[from].drops[ETH_DROP_SPOOFED] ==
		   1);
	FUZZ_CHECK(loop <= tx);
	FUZZ_CHECK(sink[from].got == 0);
	unsigned reached = 0, nic_port;
	for (unsigned p = 0; p < ETH_SWITCH_MAX_PORTS; p++) {
		FUZZ_CHECK(sink[p].got <= 1);
		reached += sink[p].got;
		if (!sink[p].present || p == from)
			continue;
		const struct eth_port_stats *ps = eth_switch_stats(&sw, p);
		FUZZ_CHECK(ps->rx_frames - before[p].rx_frames ==
			   (sink[p].got && sink[p].accept ? 1u : 0u));
		FUZZ_CHECK(ps->drops[ETH_DROP_NO_BUFFER] - before[p].drops[ETH_DROP_NO_BUFFER] ==
			   (sink[p].got && !sink[p].accept ? 1u : 0u));
	}
	if (loop)
		FUZZ_CHECK(!reached);
	if (!reached)
		return;
	FUZZ_CHECK(len >= ETH_HLEN && len <= ETH_FRAME_MAX);
	const uint8_t *src = frame + ETH_ALEN;
	FUZZ_CHECK(!(src[0] & ETH_MAC_GROUP));
	if (sink[from].nic)
		FUZZ_CHECK(memcmp(src, sink[from].mac, ETH_ALEN) == 0);
	else
		FUZZ_CHECK(!is_nic_mac(src, &nic_port));
	if (is_nic_mac(frame, &nic_port) && nic_port != from)
		FUZZ_CHECK(sink[nic_port].got == 1); /* flooded while not learned */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	eth_switch_init(&sw);
	memset(sink, 0, sizeof sink);
	for (unsigned c = 0; c <= ETH_SWITCH_MAX_PORTS; c++)
		cell[c] = -1;
	for (unsigned op = 0; op < OPS_MAX && fuzz_more(&in); op++) {
		switch (fuzz_below(&in, 6)) {
		case 0: { /* a port comes: a NIC with a MAC, or an open port */
			uint8_t mac[ETH_ALEN];
			bool nic = fuzz_bool(&in);
			for (unsigned i = 0; i < ETH_ALEN; i++)
				mac[i] = fuzz_u8(&in);
			int *c = cell;
			while (*c >= 0)
				c++; /* a free one: there is one more cell than ports */
			int p = eth_switch_add_port(&sw, nic ? mac : NULL, rx, c);
			if (p < 0)
				break;
			FUZZ_CHECK(p < ETH_SWITCH_MAX_PORTS && !sink[p].present);
			FUZZ_CHECK(!nic || !(mac[0] & ETH_MAC_GROUP));
			*c = p;
			sink[p] = (struct port_sink){.present = true, .nic = nic, .accept = true};
			memcpy(sink[p].mac, mac, ETH_ALEN);
			break;
		}
		case 1: { /* a port goes */
			unsigned p = fuzz_below(&in, ETH_SWITCH_MAX_PORTS);
			if (sink[p].present) {
				eth_switch_remove_port(&sw, p);
				sink[p].present = false;
				for (unsigned c = 0; c <= ETH_SWITCH_MAX_PORTS; c++)
					if (cell[c] == (int)p)
						cell[c] = -1;
			}
			break;
		}
		case 2: /* a receiver runs out of buffers, or posts some */
			sink[fuzz_below(&in, ETH_SWITCH_MAX_PORTS)].accept ^= true;
			break;
		default:
			send(&in);
			break;
		}
	}
	return 0;
}
