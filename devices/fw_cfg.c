#include "devices/fw_cfg.h"

#define FW_CFG_ID_TRADITIONAL 0x1 /* port interface; bit 1 (DMA) stays clear */
#define ITEM_MAX	      8	  /* bytes of the longest item */

static const uint8_t signature[4] = {'Q', 'E', 'M', 'U'};

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_bytes, unsigned cpus)
{
	*f = (struct fw_cfg){.ram_bytes = ram_bytes, .cpus = (uint16_t)cpus};
	f->key = FW_CFG_SIGNATURE;
}

static unsigned put_le(uint8_t *buf, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
	return bytes;
}

/* The selected item's bytes into buf; returns its length (0: an empty item). */
static unsigned item(const struct fw_cfg *f, uint8_t buf[ITEM_MAX])
{
	switch (f->key) {
	case FW_CFG_SIGNATURE:
		for (unsigned i = 0; i < sizeof signature; i++)
			buf[i] = signature[i];
		return sizeof signature;
	case FW_CFG_ID:
		return put_le(buf, FW_CFG_ID_TRADITIONAL, 4);
	case FW_CFG_RAM_SIZE:
	case FW_CFG_MAX_RAM:
	case FW_CFG_MAX_RAM_V1:
		return put_le(buf, f->ram_bytes, 8);
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		return put_le(buf, f->cpus, 2);
	default:
		return 0;
	}
}

static uint8_t read_data(struct fw_cfg *f)
{
	uint8_t buf[ITEM_MAX];
	if (f->offset >= item(f, buf))
		return 0;
	return buf[f->offset++];
}

void fw_cfg_io(void *fw_cfg, struct io_access *a)
{
	struct fw_cfg *f = fw_cfg;
	bool at_selector = a->port == FW_CFG_PORT_SELECTOR;
	if (a->write) {
		if (at_selector && a->size >= 2) {
			f->key = (uint16_t)a->value & (uint16_t)~FW_CFG_WRITE_FLAG;
			f->offset = 0;
		}
		return;
	}
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		unsigned port = a->port + i;
		uint8_t byte = port == FW_CFG_PORT_DATA ? read_data(f) : 0xff;
		value |= (uint32_t)byte << (8 * i);
	}
	a->value = value;
}
