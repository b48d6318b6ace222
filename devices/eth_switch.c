#include "devices/eth_switch.h"
#include "kernel/kstring.h"

#define FNV64_OFFSET 0xcbf29ce484222325ull /* FNV-1a 64-bit offset basis */
#define FNV64_PRIME  0x00000100000001b3ull /* FNV-1a 64-bit prime */

void eth_switch_init(struct eth_switch *sw)
{
	memset(sw, 0, sizeof *sw);
}

int eth_switch_add_port(struct eth_switch *sw, const uint8_t mac[ETH_ALEN], eth_deliver_fn *deliver,
			void *ctx)
{
	if (mac && (mac[0] & ETH_MAC_GROUP))
		return -1;
	/* A NIC owns its MAC: no other NIC may have it, and where an open port used it before,
	 * frames for it now go to the NIC. */
	for (unsigned i = 0; mac && i < ETH_SWITCH_MAX_PORTS; i++)
		if (sw->port[i].used && sw->port[i].nic && memcmp(sw->port[i].mac, mac, ETH_ALEN) == 0)
			return -1;
	for (unsigned i = 0; mac && i < ETH_SWITCH_FDB_SIZE; i++)
		if (sw->fdb[i].valid && memcmp(sw->fdb[i].mac, mac, ETH_ALEN) == 0)
			sw->fdb[i].valid = false;
	for (unsigned i = 0; i < ETH_SWITCH_MAX_PORTS; i++) {
		struct eth_port *p = &sw->port[i];
		if (p->used)
			continue;
		*p = (struct eth_port){
		    .used = true, .nic = mac != NULL, .deliver = deliver, .ctx = ctx};
		if (mac)
			memcpy(p->mac, mac, ETH_ALEN);
		return (int)i;
	}
	return -1;
}

void eth_switch_remove_port(struct eth_switch *sw, unsigned port)
{
	if (port >= ETH_SWITCH_MAX_PORTS)
		return;
	sw->port[port].used = false;
	for (unsigned i = 0; i < ETH_SWITCH_FDB_SIZE; i++)
		if (sw->fdb[i].port == port)
			sw->fdb[i].valid = false;
}

static struct eth_fdb_entry *fdb_find(struct eth_switch *sw, const uint8_t *mac)
{
	for (unsigned i = 0; i < ETH_SWITCH_FDB_SIZE; i++)
		if (sw->fdb[i].valid && memcmp(sw->fdb[i].mac, mac, ETH_ALEN) == 0)
			return &sw->fdb[i];
	return NULL;
}

/* A free entry, else the one heard from least recently. */
static struct eth_fdb_entry *fdb_victim(struct eth_switch *sw)
{
	struct eth_fdb_entry *oldest = &sw->fdb[0];
	for (unsigned i = 0; i < ETH_SWITCH_FDB_SIZE; i++) {
		if (!sw->fdb[i].valid)
			return &sw->fdb[i];
		if (sw->fdb[i].heard < oldest->heard)
			oldest = &sw->fdb[i];
	}
	return oldest;
}

static void learn(struct eth_switch *sw, const uint8_t *mac, unsigned port)
{
	struct eth_fdb_entry *e = fdb_find(sw, mac);
	if (!e) {
		e = fdb_victim(sw);
		e->valid = true;
		memcpy(e->mac, mac, ETH_ALEN);
	}
	e->port = (uint8_t)port;
	e->heard = sw->clock;
}

/* Whether port `from` may send with source MAC `src`. */
static bool source_allowed(const struct eth_switch *sw, unsigned from, const uint8_t *src)
{
	const struct eth_port *p = &sw->port[from];
	if (p->nic)
		return memcmp(src, p->mac, ETH_ALEN) == 0;
	if (src[0] & ETH_MAC_GROUP)
		return false;
	for (unsigned i = 0; i < ETH_SWITCH_MAX_PORTS; i++)
		if (sw->port[i].used && sw->port[i].nic &&
		    memcmp(src, sw->port[i].mac, ETH_ALEN) == 0)
			return false;
	return true;
}

static void deliver(struct eth_switch *sw, unsigned to, const uint8_t *frame, uint32_t len)
{
	struct eth_port *p = &sw->port[to];
	if (!p->deliver(p->ctx, frame, len)) {
		p->stats.drops[ETH_DROP_NO_BUFFER]++;
		return;
	}
	p->stats.rx_frames++;
	p->stats.rx_bytes += len;
}

void eth_switch_send(struct eth_switch *sw, unsigned port, const uint8_t *frame, uint32_t len)
{
	if (port >= ETH_SWITCH_MAX_PORTS || !sw->port[port].used)
		return;
	struct eth_port *from = &sw->port[port];
	if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
		from->stats.drops[ETH_DROP_MALFORMED]++;
		return;
	}
	const uint8_t *dst = frame, *src = frame + ETH_ALEN;
	if (!source_allowed(sw, port, src)) {
		from->stats.drops[ETH_DROP_SPOOFED]++;
		return;
	}
	from->stats.tx_frames++;
	from->stats.tx_bytes += len;
	sw->clock++;
	learn(sw, src, port);

	/* No port may send from a group address, so those are never learned: always flooded. */
	const struct eth_fdb_entry *e = fdb_find(sw, dst);
	if (e && e->port == port) {
		from->stats.drops[ETH_DROP_LOOPBACK]++;
	} else if (e) {
		deliver(sw, e->port, frame, len);
	} else {
		for (unsigned i = 0; i < ETH_SWITCH_MAX_PORTS; i++)
			if (i != port && sw->port[i].used)
				deliver(sw, i, frame, len);
	}
}

void eth_switch_drop(struct eth_switch *sw, unsigned port, enum eth_drop why)
{
	if (port < ETH_SWITCH_MAX_PORTS)
		sw->port[port].stats.drops[why]++;
}

const struct eth_port_stats *eth_switch_stats(const struct eth_switch *sw, unsigned port)
{
	return port < ETH_SWITCH_MAX_PORTS ? &sw->port[port].stats : NULL;
}

void eth_mac_from_name(const char *name, uint8_t mac[ETH_ALEN])
{
	uint64_t h = FNV64_OFFSET;
	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * FNV64_PRIME;
	for (unsigned i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & ~ETH_MAC_GROUP) | ETH_MAC_LOCAL);
}
