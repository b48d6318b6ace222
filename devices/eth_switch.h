/* The hypervisor's internal Ethernet switch: one port per virtual NIC. Frames are whole
 * Ethernet frames without FCS, handed over synchronously: eth_switch_send() delivers to the
 * receivers before it returns, and a receiver that cannot take a frame (no posted buffer big
 * enough) loses it; the sender never waits.
 *
 * Ports: a NIC port has its own MAC and may only send frames with that source MAC. An open
 * port (no MAC: an uplink or a bridge to elsewhere) may carry many source MACs, but none that
 * belongs to a NIC port or is a group address. Frames breaking these rules are dropped and
 * counted as spoofed.
 *
 * Forwarding: source MACs are learned into a table of ETH_SWITCH_FDB_SIZE entries; group
 * (multicast, broadcast) and unknown unicast destinations are flooded to every other port; a
 * destination learned on the sending port itself is dropped.
 * Table policy: there is no clock, so entries do not age by time. An entry lives until its
 * port is removed or the MAC is heard on another port (open ports only: NIC MACs cannot
 * move); when the table is full, a new MAC replaces the entry heard from least recently. Only
 * open ports can fill the table; a NIC whose entry was replaced is flooded to, so it still
 * receives, until its next frame teaches the switch again.
 *
 * Not thread-safe: the caller serialises all calls on one switch (and with them all queue
 * work of the NICs attached to it, since a send runs the receivers' delivery). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define ETH_ALEN	     6	  /* MAC address bytes */
#define ETH_HLEN	     14	  /* destination, source, EtherType */
#define ETH_FRAME_MAX	     9018 /* 9000-byte MTU + header + one VLAN tag, no FCS */
#define ETH_MAC_GROUP	     0x01 /* first MAC byte, I/G bit: multicast or broadcast */
#define ETH_MAC_LOCAL	     0x02 /* first MAC byte, U/L bit: locally administered */
#define ETH_SWITCH_MAX_PORTS 16
#define ETH_SWITCH_FDB_SIZE  64

enum eth_drop {
	ETH_DROP_MALFORMED, /* from the port: no complete header, or above ETH_FRAME_MAX */
	ETH_DROP_SPOOFED,   /* from the port: source MAC it may not use */
	ETH_DROP_LOOPBACK,  /* from the port: destination is on the sending port */
	ETH_DROP_NO_BUFFER, /* to the port: the receiver had no buffer for it */
	ETH_DROP_REASONS
};

/* "tx" is what the port's NIC sent into the switch, "rx" what the switch delivered to it. */
struct eth_port_stats {
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t drops[ETH_DROP_REASONS];
};

/* Delivery to a NIC: true if it took the frame (len <= ETH_FRAME_MAX). */
typedef bool eth_deliver_fn(void *ctx, const uint8_t *frame, uint32_t len);

struct eth_port {
	bool used;
	bool nic; /* sends only from `mac`; otherwise an open port */
	uint8_t mac[ETH_ALEN];
	eth_deliver_fn *deliver;
	void *ctx;
	struct eth_port_stats stats;
};

struct eth_fdb_entry {
	bool valid;
	uint8_t mac[ETH_ALEN];
	uint8_t port;
	uint64_t heard; /* switch clock at the MAC's last frame */
};

struct eth_switch {
	struct eth_port port[ETH_SWITCH_MAX_PORTS];
	struct eth_fdb_entry fdb[ETH_SWITCH_FDB_SIZE];
	uint64_t clock; /* frames accepted so far: orders the table entries */
};

void eth_switch_init(struct eth_switch *sw);
/* A new port: a NIC port with source MAC `mac`, or an open port if `mac` is NULL. Returns its
 * index, or -1 when all ports are taken, `mac` is a group address or another NIC's. A MAC
 * an open port used before is forgotten: frames for it now go to the NIC. */
int eth_switch_add_port(struct eth_switch *sw, const uint8_t mac[ETH_ALEN], eth_deliver_fn *deliver,
			void *ctx);
/* Detaches the port (its NIC goes away) and forgets the MACs learned on it. */
void eth_switch_remove_port(struct eth_switch *sw, unsigned port);
/* The port's NIC sends a frame; it is forwarded, flooded or dropped before this returns. */
void eth_switch_send(struct eth_switch *sw, unsigned port, const uint8_t *frame, uint32_t len);
/* A NIC dropped a frame before it could reach the switch: count it on its port. */
void eth_switch_drop(struct eth_switch *sw, unsigned port, enum eth_drop why);
const struct eth_port_stats *eth_switch_stats(const struct eth_switch *sw, unsigned port);

/* A MAC derived from `name` alone (the same every run): locally administered unicast. */
void eth_mac_from_name(const char *name, uint8_t mac[ETH_ALEN]);
