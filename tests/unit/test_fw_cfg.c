/* fw_cfg (QEMU's traditional port interface): selector, items, widths and unknown keys. */
#include "devices/fw_cfg.h"
#include "tests/unit/check.h"

#define MIB (1ull << 20)

static void out(struct fw_cfg *f, uint16_t port, uint8_t size, uint32_t v)
{
	struct io_access a = {.port = port, .size = size, .write = true, .value = v};
	fw_cfg_io(f, &a);
}

static uint32_t in(struct fw_cfg *f, uint16_t port, uint8_t size)
{
	struct io_access a = {.port = port, .size = size, .value = 0x5a5a5a5a};
	fw_cfg_io(f, &a);
	if (size < 4)
		CHECK_EQ(a.value >> (8 * size), 0);
	return a.value;
}

static void select_key(struct fw_cfg *f, uint16_t key)
{
	out(f, 0x510, 2, key);
}

/* The next n data bytes as a little-endian number. */
static uint64_t read_le(struct fw_cfg *f, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)in(f, 0x511, 1) << (8 * i);
	return v;
}

static uint64_t item_le(struct fw_cfg *f, uint16_t key, unsigned n)
{
	select_key(f, key);
	return read_le(f, n);
}

TEST(signature_is_qemu)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	char sig[5] = {0};
	select_key(&f, 0x0000);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)in(&f, 0x511, 1);
	CHECK_STR(sig, "QEMU");
	CHECK_EQ(in(&f, 0x511, 1), 0); /* past the end */
	CHECK_EQ(in(&f, 0x511, 1), 0);
}

TEST(signature_selected_at_power_on)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	CHECK_EQ(read_le(&f, 4), 0x554d4551); /* "QEMU" */
}

TEST(id_is_traditional_interface_only)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	CHECK_EQ(item_le(&f, 0x0001, 4), 1);
	CHECK_EQ(read_le(&f, 4), 0);
}

TEST(ram_size_64_bit)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 3072 * MIB, 1);
	CHECK_EQ(item_le(&f, 0x0003, 8), 3072 * MIB);
	CHECK_EQ(read_le(&f, 1), 0);
	fw_cfg_init(&f, 5ull << 32 | 0x1234000, 1); /* every byte counts */
	CHECK_EQ(item_le(&f, 0x0003, 8), 5ull << 32 | 0x1234000);
}

TEST(cpu_counts_16_bit)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 3);
	CHECK_EQ(item_le(&f, 0x0005, 2), 3);
	CHECK_EQ(read_le(&f, 2), 0);
	CHECK_EQ(item_le(&f, 0x000f, 2), 3);
	fw_cfg_init(&f, 16 * MIB, 300);
	CHECK_EQ(item_le(&f, 0x0005, 2), 300);
}

TEST(kvm_unit_tests_max_ram_keys)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 128 * MIB, 1);
	CHECK_EQ(item_le(&f, 0x0010, 8), 128 * MIB);
	CHECK_EQ(item_le(&f, 0x0011, 8), 128 * MIB);
}

TEST(unknown_keys_read_zeros)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	static const uint16_t keys[] = {0x0002, 0x0004, 0x0012, 0x0019, 0x00ff,
					0x8000, 0x8003, 0xbfff, 0xffff};
	for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK_EQ(item_le(&f, keys[i], 8), 0);
}

TEST(write_flag_ignored)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 32 * MIB, 1);
	CHECK_EQ(item_le(&f, 0x4003, 8), 32 * MIB);
	CHECK_EQ(item_le(&f, 0x4000, 4), 0x554d4551);
}

TEST(select_rewinds)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	select_key(&f, 0x0000);
	CHECK_EQ(in(&f, 0x511, 1), 'Q');
	CHECK_EQ(in(&f, 0x511, 1), 'E');
	select_key(&f, 0x0000);
	CHECK_EQ(in(&f, 0x511, 1), 'Q');
	select_key(&f, 0x0003);
	CHECK_EQ(in(&f, 0x511, 1), 0x00);
	CHECK_EQ(in(&f, 0x511, 1), 0x00);
	CHECK_EQ(in(&f, 0x511, 1), 0x00);
	CHECK_EQ(in(&f, 0x511, 1), 0x01); /* 16 MiB = 0x01000000 */
}

TEST(selector_widths)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 2);
	out(&f, 0x510, 4, 0xffff0005); /* the high half is for ports 0x512-0x513 */
	CHECK_EQ(read_le(&f, 2), 2);
	select_key(&f, 0x0005);
	CHECK_EQ(in(&f, 0x511, 1), 2);
	out(&f, 0x510, 1, 0x00); /* half a selector: nothing changes */
	CHECK_EQ(in(&f, 0x511, 1), 0);
	CHECK_EQ(in(&f, 0x511, 1), 0);
	select_key(&f, 0x0005);
	out(&f, 0x511, 1, 0x03); /* read-only data port */
	out(&f, 0x511, 2, 0x0003);
	CHECK_EQ(read_le(&f, 2), 2);
}

TEST(wide_reads_are_byte_cycles)
{
	struct fw_cfg f;
	fw_cfg_init(&f, 16 * MIB, 1);
	select_key(&f, 0x0000);
	CHECK_EQ(in(&f, 0x511, 2), 0xff51); /* 'Q', then port 0x512 */
	CHECK_EQ(in(&f, 0x511, 4), 0xffffff45);
	CHECK_EQ(in(&f, 0x510, 2), 0x4dff); /* the selector reads 0xff, then 'M' */
	CHECK_EQ(in(&f, 0x510, 1), 0xff);
	CHECK_EQ(in(&f, 0x510, 4), 0xffff55ff);
	CHECK_EQ(in(&f, 0x511, 1), 0);
}

CHECK_MAIN("fw_cfg", CASE(signature_is_qemu), CASE(signature_selected_at_power_on),
	   CASE(id_is_traditional_interface_only), CASE(ram_size_64_bit), CASE(cpu_counts_16_bit),
	   CASE(kvm_unit_tests_max_ram_keys), CASE(unknown_keys_read_zeros),
	   CASE(write_flag_ignored), CASE(select_rewinds), CASE(selector_widths),
	   CASE(wide_reads_are_byte_cycles))
