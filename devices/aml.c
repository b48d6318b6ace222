#include "devices/aml.h"
#include "kernel/kstring.h"

/* Opcodes and prefixes (ACPI 6.3 §20.2). */
#define AML_ZERO	  0x00 /* ZeroOp; also NullName, an empty name path */
#define AML_ONE		  0x01 /* OneOp */
#define AML_NAME_OP	  0x08 /* DefName := NameOp NameString DataRefObject */
#define AML_BYTE_PREFIX	  0x0a
#define AML_WORD_PREFIX	  0x0b
#define AML_DWORD_PREFIX  0x0c
#define AML_STRING_PREFIX 0x0d /* ASCII characters 0x01-0x7f, then NUL */
#define AML_QWORD_PREFIX  0x0e
#define AML_SCOPE_OP	  0x10 /* ScopeOp PkgLength NameString TermList */
#define AML_BUFFER_OP	  0x11 /* BufferOp PkgLength BufferSize ByteList */
#define AML_PACKAGE_OP	  0x12 /* PackageOp PkgLength NumElements PackageElementList */
#define AML_DUAL_NAME	  0x2e /* DualNamePrefix: two NameSegs follow */
#define AML_MULTI_NAME	  0x2f /* MultiNamePrefix SegCount: SegCount NameSegs follow */
#define AML_EXT_PREFIX	  0x5b
#define AML_DEVICE_OP	  0x82 /* after ExtOpPrefix: PkgLength NameString TermList */
#define AML_ROOT_CHAR	  '\\'
#define AML_PARENT_CHAR	  '^'
#define AML_NAMESEG	  4 /* NameSeg: a lead character (A-Z, _) and three name characters */

/* PkgLength (§20.2.4): the count includes the PkgLength bytes. One byte holds up to 63 in
 * bits 5:0; longer forms put the count of following bytes in bits 7:6 of the lead byte,
 * the low nibble in bits 3:0, then 8 more bits per following byte. */
#define PKGLEN_1BYTE_MAX 0x3f

/* Small resource descriptors (§6.4.2): tag byte = type << 3 | length. */
#define RES_IRQ_NOFLAGS 0x22 /* IRQ descriptor, 2 bytes: IRQ mask (§6.4.2.1) */
#define RES_IO		0x47 /* I/O port descriptor, 7 bytes (§6.4.2.5) */
#define RES_IO_DECODE16 0x01 /* information byte: full 16-bit decode */
#define RES_END_TAG	0x79 /* end tag, 1 byte: checksum, 0 = none (§6.4.2.9) */
/* Large resource descriptors (§6.4.3): tag byte, then a 16-bit length of what follows. */
#define RES_DWORD_SPACE 0x87 /* DWord Address Space Descriptor (§6.4.3.5.2) */
#define RES_DWORD_LEN	23
#define RES_WORD_SPACE	0x88 /* Word Address Space Descriptor (§6.4.3.5.3) */
#define RES_WORD_LEN	13
#define SPACE_MEMORY	0 /* resource type byte */
#define SPACE_IO	1
#define SPACE_BUS	2
/* General flags: consumer (bit 0) clear = producer, a window passed on to children;
 * subtractive decode (bit 1) clear; min (bit 2) and max (bit 3) addresses fixed. */
#define SPACE_PRODUCER_FIXED 0x0c
#define IO_RANGE_ENTIRE	     0x03 /* I/O flags _RNG: ISA and non-ISA ranges (§6.4.3.5.5) */
#define MEM_UNCACHED_RW	     0x01 /* memory flags: _RW read-write, _MEM non-cacheable */

/* What aml_end() closes. */
enum { KIND_PACKAGE, KIND_RESOURCES };

void aml_init(struct aml *a, uint8_t *buf, size_t size)
{
	memset(a, 0, sizeof *a);
	a->buf = buf;
	a->size = size;
}

size_t aml_finish(const struct aml *a)
{
	return a->error || a->depth ? 0 : a->len;
}

static bool room(struct aml *a, size_t n)
{
	if (a->error || a->size - a->len < n) {
		a->error = true;
		return false;
	}
	return true;
}

static void emit(struct aml *a, const uint8_t *bytes, size_t n)
{
	if (!room(a, n))
		return;
	memcpy(a->buf + a->len, bytes, n);
	a->len += n;
}

static void emit8(struct aml *a, uint8_t v)
{
	emit(a, &v, 1);
}

/* Little-endian, as all multi-byte AML and resource fields are. */
static void emit_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	emit(a, b, n);
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

/* One NameSeg of `n` characters, padded to four with '_'. */
static void name_seg(struct aml *a, const char *s, size_t n)
{
	if (n == 0 || n > AML_NAMESEG || !lead_char(s[0])) {
		a->error = true;
		return;
	}
	uint8_t seg[AML_NAMESEG];
	for (size_t i = 0; i < AML_NAMESEG; i++) {
		char c = i < n ? s[i] : '_';
		if (!name_char(c)) {
			a->error = true;
			return;
		}
		seg[i] = (uint8_t)c;
	}
	emit(a, seg, AML_NAMESEG);
}

/* NameString (§20.2.2): prefix, then NullName, one NameSeg, DualNamePath or MultiNamePath. */
static void name_string(struct aml *a, const char *path)
{
	if (*path == AML_ROOT_CHAR)
		emit8(a, (uint8_t)*path++);
	else
		while (*path == AML_PARENT_CHAR)
			emit8(a, (uint8_t)*path++);
	if (*path == '\0') {
		emit8(a, AML_ZERO);
		return;
	}
	size_t segs = 1;
	for (const char *p = path; *p; p++)
		segs += *p == '.';
	if (segs > 255) {
		a->error = true;
		return;
	}
	if (segs == 2)
		emit8(a, AML_DUAL_NAME);
	else if (segs > 2) {
		emit8(a, AML_MULTI_NAME);
		emit8(a, (uint8_t)segs);
	}
	while (!a->error) {
		size_t n = 0;
		while (path[n] && path[n] != '.')
			n++;
		name_seg(a, path, n);
		if (path[n] == '\0')
			break;
		path += n + 1;
	}
}

static void open_object(struct aml *a, uint8_t kind)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->error = true;
		return;
	}
	a->open[a->depth].start = a->len;
	a->open[a->depth].kind = kind;
	a->depth++;
}

void aml_name(struct aml *a, const char *path)
{
	emit8(a, AML_NAME_OP);
	name_string(a, path);
}

void aml_scope(struct aml *a, const char *path)
{
	emit8(a, AML_SCOPE_OP);
	open_object(a, KIND_PACKAGE);
	name_string(a, path);
}

void aml_device(struct aml *a, const char *path)
{
	emit8(a, AML_EXT_PREFIX);
	emit8(a, AML_DEVICE_OP);
	open_object(a, KIND_PACKAGE);
	name_string(a, path);
}

void aml_package(struct aml *a, uint8_t count)
{
	emit8(a, AML_PACKAGE_OP);
	open_object(a, KIND_PACKAGE);
	emit8(a, count);
}

/* Encodes `v` as the shortest integer term into `out`; returns its length. */
static unsigned integer_bytes(uint8_t out[9], uint64_t v)
{
	unsigned n;
	if (v <= AML_ONE) {
		out[0] = (uint8_t)v; /* ZeroOp or OneOp */
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (unsigned i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];
	emit(a, b, integer_bytes(b, v));
}

void aml_string(struct aml *a, const char *s)
{
	emit8(a, AML_STRING_PREFIX);
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e) {
			a->error = true;
			return;
		}
		emit8(a, (uint8_t)*s);
	}
	emit8(a, 0);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The EISA ID is big-endian: bit 31 zero, three 5-bit letters ('A' = 1), then the 16-bit
 * product number as four hex digits. */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			a->error = true;
			return;
		}
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);
		if (d < 0) {
			a->error = true;
			return;
		}
		v = v << 4 | (uint32_t)d;
	}
	if (id[7] != '\0') {
		a->error = true;
		return;
	}
	/* Always a DWord: iasl shows a DWord _HID that decodes as an EISA ID as EisaId(). */
	const uint8_t b[5] = {AML_DWORD_PREFIX, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			      (uint8_t)(v >> 8), (uint8_t)v};
	emit(a, b, sizeof b);
}

void aml_resources(struct aml *a)
{
	emit8(a, AML_BUFFER_OP);
	open_object(a, KIND_RESOURCES);
}

/* Bytes a PkgLength takes in front of `inner` bytes, or 0 if even 4 bytes (28 bits) cannot
 * count them. */
static unsigned pkglength_size(size_t inner)
{
	if (inner + 1 <= PKGLEN_1BYTE_MAX)
		return 1;
	for (unsigned n = 2; n <= 4; n++)
		if (inner + n < (size_t)1 << (4 + 8 * (n - 1)))
			return n;
	return 0;
}

void aml_end(struct aml *a)
{
	if (a->depth == 0) {
		a->error = true;
		return;
	}
	a->depth--;
	size_t start = a->open[a->depth].start;
	bool resources = a->open[a->depth].kind == KIND_RESOURCES;
	if (resources) {
		const uint8_t end[2] = {RES_END_TAG, 0};
		emit(a, end, sizeof end);
	}
	if (a->error)
		return;
	/* The prefix slid in front of the body: PkgLength, then a buffer's BufferSize. */
	size_t body = a->len - start;
	uint8_t buffer_size[9];
	unsigned bs = resources ? integer_bytes(buffer_size, body) : 0;
	unsigned n = pkglength_size(bs + body);
	if (n == 0 || !room(a, n + bs)) {
		a->error = true;
		return;
	}
	size_t total = n + bs + body;
	uint8_t prefix[4 + sizeof buffer_size];
	if (n == 1) {
		prefix[0] = (uint8_t)total;
	} else {
		prefix[0] = (uint8_t)((n - 1) << 6 | (total & 0x0f));
		for (unsigned i = 1; i < n; i++)
			prefix[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	memcpy(prefix + n, buffer_size, bs);
	memmove(a->buf + start + n + bs, a->buf + start, body);
	memcpy(a->buf + start, prefix, n + bs);
	a->len += n + bs;
}

void aml_res_io(struct aml *a, uint16_t port, uint8_t len)
{
	emit8(a, RES_IO);
	emit8(a, RES_IO_DECODE16);
	emit_le(a, port, 2); /* minimum base */
	emit_le(a, port, 2); /* maximum base: the same, the ports are fixed */
	emit8(a, 1);	     /* alignment */
	emit8(a, len);
}

void aml_res_irq(struct aml *a, unsigned irq)
{
	if (irq > 15) {
		a->error = true;
		return;
	}
	emit8(a, RES_IRQ_NOFLAGS);
	emit_le(a, 1u << irq, 2);
}

/* Word or DWord Address Space Descriptor of a fixed window: granularity 0 and translation
 * 0, length max - min + 1 (the valid combination for a fixed-size, fixed-location window). */
static void address_space(struct aml *a, unsigned width, uint8_t type, uint8_t type_flags,
			  uint64_t min, uint64_t max)
{
	uint64_t field_max = width == 2 ? 0xffff : 0xffffffff;
	if (min > max || max - min >= field_max) { /* the length must fit the field too */
		a->error = true;
		return;
	}
	emit8(a, width == 2 ? RES_WORD_SPACE : RES_DWORD_SPACE);
	emit_le(a, width == 2 ? RES_WORD_LEN : RES_DWORD_LEN, 2);
	emit8(a, type);
	emit8(a, SPACE_PRODUCER_FIXED);
	emit8(a, type_flags);
	emit_le(a, 0, width); /* granularity */
	emit_le(a, min, width);
	emit_le(a, max, width);
	emit_le(a, 0, width); /* translation offset */
	emit_le(a, max - min + 1, width);
}

void aml_res_bus_numbers(struct aml *a, uint16_t min, uint16_t max)
{
	address_space(a, 2, SPACE_BUS, 0, min, max);
}

void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max)
{
	address_space(a, 2, SPACE_IO, IO_RANGE_ENTIRE, min, max);
}

void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max)
{
	address_space(a, 4, SPACE_MEMORY, MEM_UNCACHED_RW, min, max);
}
