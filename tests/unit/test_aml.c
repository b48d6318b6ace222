/* AML encoder: every expected byte sequence is written out by hand from the ACPI 6.3
 * grammar (§20.2) and resource formats (§6.4), or copied from iasl's output for the same
 * ASL, never produced by the encoder itself. */
#include "devices/aml.h"
#include "tests/unit/check.h"
#include <stdlib.h>

static uint8_t out[512];
static struct aml a;

static void start(void)
{
	memset(out, 0xcc, sizeof out);
	aml_init(&a, out, sizeof out);
}

/* The encoder finished cleanly and produced exactly `want`. */
static void expect(const uint8_t *want, size_t n)
{
	CHECK_EQ(aml_finish(&a), n);
	CHECK(memcmp(out, want, n) == 0);
	CHECK_EQ(out[n], 0xcc);
}

#define EXPECT(...)                                                                                \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		expect(want_, sizeof want_);                                                       \
	} while (0)

TEST(integers_use_the_shortest_form)
{
	static const struct {
		uint64_t v;
		uint8_t bytes[9];
		size_t n;
	} cases[] = {
	    {0, {0x00}, 1},
	    {1, {0x01}, 1},
	    {2, {0x0a, 0x02}, 2},
	    {0xff, {0x0a, 0xff}, 2},
	    {0x100, {0x0b, 0x00, 0x01}, 3},
	    {0xffff, {0x0b, 0xff, 0xff}, 3},
	    {0x10000, {0x0c, 0x00, 0x00, 0x01, 0x00}, 5},
	    {0xffffffff, {0x0c, 0xff, 0xff, 0xff, 0xff}, 5},
	    {0x100000000ull, {0x0e, 0, 0, 0, 0, 1, 0, 0, 0}, 9},
	    {0x8877665544332211ull, {0x0e, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}, 9},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		start();
		aml_integer(&a, cases[i].v);
		expect(cases[i].bytes, cases[i].n);
	}
}

TEST(name_paths_encode_prefixes_and_padding)
{
	start();
	aml_name(&a, "_HID");
	EXPECT(0x08, '_', 'H', 'I', 'D');
	start();
	aml_name(&a, "\\_S5"); /* padded to _S5_ */
	EXPECT(0x08, '\\', '_', 'S', '5', '_');
	start();
	aml_name(&a, "\\_SB.PCI0");
	EXPECT(0x08, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
	start();
	aml_name(&a, "\\_SB.PCI0.COM1");
	EXPECT(0x08, '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'C', 'O', 'M', '1');
	start();
	aml_name(&a, "^^A.B");
	EXPECT(0x08, '^', '^', 0x2e, 'A', '_', '_', '_', 'B', '_', '_', '_');
	start();
	aml_name(&a, "\\"); /* the root itself: NullName */
	EXPECT(0x08, '\\', 0x00);
}

TEST(malformed_names_fail)
{
	static const char *const bad[] = {"1ABC", "ABCDE", "A..B", "abc", "A.", "\\_SB.P-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		start();
		aml_name(&a, bad[i]);
		CHECK_EQ(aml_finish(&a), 0);
	}
}

TEST(eisaid_compresses_letters_big_endian)
{
	start();
	aml_eisaid(&a, "PNP0A03"); /* iasl: 0C 41 D0 0A 03 */
	EXPECT(0x0c, 0x41, 0xd0, 0x0a, 0x03);
	start();
	aml_eisaid(&a, "PNP0B00"); /* stays a DWord although its value fits 16 bits */
	EXPECT(0x0c, 0x41, 0xd0, 0x0b, 0x00);
	start();
	aml_eisaid(&a, "LNX0F9A"); /* L=12 N=14 X=24: 0 01100 01110 11000 */
	EXPECT(0x0c, 0x31, 0xd8, 0x0f, 0x9a);
	static const char *const bad[] = {"pnp0a03", "PNP0A0", "PNP0A0g", "PNP0A033", "P1P0A03"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		start();
		aml_eisaid(&a, bad[i]);
		CHECK_EQ(aml_finish(&a), 0);
	}
}

TEST(strings_are_nul_terminated_ascii)
{
	start();
	aml_string(&a, "ACPI0007");
	EXPECT(0x0d, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0x00);
	start();
	aml_string(&a, "");
	EXPECT(0x0d, 0x00);
	start();
	aml_string(&a, "A\tB");
	CHECK_EQ(aml_finish(&a), 0);
}

TEST(scope_device_package_take_one_byte_pkglength)
{
	start();
	aml_scope(&a, "\\_SB");
	aml_end(&a);
	EXPECT(0x10, 0x06, '\\', '_', 'S', 'B', '_');
	start();
	aml_device(&a, "COM1");
	aml_name(&a, "_UID");
	aml_integer(&a, 1);
	aml_end(&a);
	EXPECT(0x5b, 0x82, 0x0b, 'C', 'O', 'M', '1', 0x08, '_', 'U', 'I', 'D', 0x01);
	start();
	aml_name(&a, "\\_S5");
	aml_package(&a, 4);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	EXPECT(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00);
}

/* Package(n) of n Zeros: PkgLength counts itself, NumElements and the n bytes. */
TEST(pkglength_switches_to_two_bytes_past_63)
{
	start();
	aml_package(&a, 61);
	for (int i = 0; i < 61; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a), 2 + 1 + 61);
	CHECK_EQ(out[1], 63);
	CHECK_EQ(out[2], 61);
	start();
	aml_package(&a, 62);
	for (int i = 0; i < 62; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a), 3 + 1 + 62);
	CHECK_EQ(out[1], 0x41); /* total 65 = 0x41: one more byte, low nibble 1 */
	CHECK_EQ(out[2], 0x04); /* 65 >> 4 */
	CHECK_EQ(out[3], 62);
	CHECK_EQ(out[4], 0x00);
}

/* Scope(TEST) { Name(X, "A...A") } with a string of `len` bytes: the scope's body is
 * 4 (name) + 5 (Name X) + len + 2 (prefix and NUL). Returns the scope's PkgLength size. */
static size_t big_scope(uint8_t *buf, size_t size, size_t len, size_t *total)
{
	char *s = malloc(len + 1);
	memset(s, 'A', len);
	s[len] = '\0';
	struct aml big;
	aml_init(&big, buf, size);
	aml_scope(&big, "TEST");
	aml_name(&big, "X");
	aml_string(&big, s);
	aml_end(&big);
	free(s);
	*total = aml_finish(&big);
	size_t n = (buf[1] >> 6) + 1u;
	/* The body slid up intact behind the PkgLength. */
	CHECK(memcmp(buf + 1 + n,
		     "TEST\x08X___\x0d"
		     "AAA",
		     13) == 0);
	CHECK_EQ(buf[*total - 1], 0x00);
	CHECK_EQ(buf[*total - 2], 'A');
	return n;
}

TEST(pkglength_three_and_four_byte_forms)
{
	size_t size = 2u << 20, total;
	uint8_t *buf = malloc(size);
	CHECK_EQ(big_scope(buf, size, 4082, &total), 2); /* PkgLength 4095, the 2-byte max */
	CHECK_EQ(total, 1 + 4095);
	CHECK_EQ(buf[1], 0x4f);
	CHECK_EQ(buf[2], 0xff);
	CHECK_EQ(big_scope(buf, size, 4083, &total), 3); /* 4097 = 0x1001 */
	CHECK_EQ(total, 1 + 4097);
	CHECK_EQ(buf[1], 0x81);
	CHECK_EQ(buf[2], 0x00);
	CHECK_EQ(buf[3], 0x01);
	CHECK_EQ(big_scope(buf, size, 1048561, &total), 3); /* 0xfffff, the 3-byte max */
	CHECK_EQ(total, 1 + 0xfffff);
	CHECK_EQ(buf[1], 0x8f);
	CHECK_EQ(buf[2], 0xff);
	CHECK_EQ(buf[3], 0xff);
	CHECK_EQ(big_scope(buf, size, 1048562, &total), 4); /* 0x100001 */
	CHECK_EQ(total, 1 + 0x100001);
	CHECK_EQ(buf[1], 0xc1);
	CHECK_EQ(buf[2], 0x00);
	CHECK_EQ(buf[3], 0x00);
	CHECK_EQ(buf[4], 0x01);
	free(buf);
}

TEST(resource_template_adds_size_and_end_tag)
{
	start();
	aml_resources(&a);
	aml_end(&a);
	EXPECT(0x11, 0x05, 0x0a, 0x02, 0x79, 0x00);
	start(); /* iasl: ResourceTemplate() { IO(Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags() {4} }
		  */
	aml_resources(&a);
	aml_res_io(&a, 0x3f8, 8);
	aml_res_irq(&a, 4);
	aml_end(&a);
	EXPECT(0x11, 0x10, 0x0a, 0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10,
	       0x00, 0x79, 0x00);
	start();
	aml_res_irq(&a, 15);
	EXPECT(0x22, 0x00, 0x80);
}

TEST(address_space_windows)
{
	start(); /* WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0, 0, 1) */
	aml_res_bus_numbers(&a, 0, 0);
	EXPECT(0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00);
	start(); /* WordIO(..., EntireRange, 0, 0x0D00, 0xFFFF, 0, 0xF300) */
	aml_res_io_window(&a, 0x0d00, 0xffff);
	EXPECT(0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0x0d, 0xff, 0xff, 0, 0, 0x00, 0xf3);
	start(); /* DWordMemory(..., NonCacheable, ReadWrite, 0, 0xC0000000, 0xFEBFFFFF, 0, ...) */
	aml_res_mem32_window(&a, 0xc0000000, 0xfebfffff);
	EXPECT(0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff,
	       0xbf, 0xfe, 0, 0, 0, 0, 0x00, 0x00, 0xc0, 0x3e);
}

TEST(bad_resources_fail)
{
	start();
	aml_res_irq(&a, 16);
	CHECK_EQ(aml_finish(&a), 0);
	start();
	aml_res_io_window(&a, 0x100, 0xff);
	CHECK_EQ(aml_finish(&a), 0);
	start(); /* 0x10000 ports: the length does not fit the Word field */
	aml_res_io_window(&a, 0, 0xffff);
	CHECK_EQ(aml_finish(&a), 0);
	start();
	aml_res_mem32_window(&a, 0, 0xffffffff);
	CHECK_EQ(aml_finish(&a), 0);
	start();
	aml_res_mem32_window(&a, 0, 0xfffffffe);
	CHECK_EQ(aml_finish(&a), 26);
}

TEST(unbalanced_nesting_fails)
{
	start();
	aml_end(&a);
	CHECK_EQ(aml_finish(&a), 0);
	start();
	aml_scope(&a, "A");
	CHECK_EQ(aml_finish(&a), 0);
	start();
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml_scope(&a, "A");
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml_end(&a);
	CHECK_EQ(aml_finish(&a), 0);
	start();
	for (int i = 0; i < AML_MAX_DEPTH; i++)
		aml_scope(&a, "A");
	for (int i = 0; i < AML_MAX_DEPTH; i++)
		aml_end(&a);
	CHECK_EQ(aml_finish(&a), 8 * 6);
	CHECK_EQ(out[1], 8 * 6 - 1); /* the outer scope's PkgLength */
	CHECK_EQ(out[8 * 6 - 5], 5); /* the innermost: PkgLength and its name */
}

/* Running out of room fails and never writes past the buffer, also when the overflow comes
 * from the PkgLength that aml_end inserts. */
TEST(no_room_fails_without_overrun)
{
	/* 10 0D \_SB_ { 5B 82 05 COM1 }: 14 bytes. */
	for (size_t size = 0; size <= 14; size++) {
		memset(out, 0xcc, sizeof out);
		aml_init(&a, out, size);
		aml_scope(&a, "\\_SB");
		aml_device(&a, "COM1");
		aml_end(&a);
		aml_end(&a);
		CHECK_EQ(aml_finish(&a), size == 14 ? 14 : 0);
		CHECK_EQ(out[size], 0xcc);
	}
}

CHECK_MAIN("aml", CASE(integers_use_the_shortest_form),
	   CASE(name_paths_encode_prefixes_and_padding), CASE(malformed_names_fail),
	   CASE(eisaid_compresses_letters_big_endian), CASE(strings_are_nul_terminated_ascii),
	   CASE(scope_device_package_take_one_byte_pkglength),
	   CASE(pkglength_switches_to_two_bytes_past_63), CASE(pkglength_three_and_four_byte_forms),
	   CASE(resource_template_adds_size_and_end_tag), CASE(address_space_windows),
	   CASE(bad_resources_fail), CASE(unbalanced_nesting_fails),
	   CASE(no_room_fails_without_overrun))
