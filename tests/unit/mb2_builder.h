/* Shared by the Multiboot2 parser tests: boot information built byte by byte as the
 * Multiboot2 spec (3.6) lays it out, parsed from an exactly-sized heap copy so ASan catches
 * any read past `avail`. */
#pragma once
#include "kernel/mb2.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include <stdlib.h>

struct mbi {
	uint8_t buf[8192] __attribute__((aligned(8)));
	size_t len;
};

static inline void put32(struct mbi *m, size_t off, uint32_t v)
{
	memcpy(m->buf + off, &v, 4);
}

static inline void put64(struct mbi *m, size_t off, uint64_t v)
{
	memcpy(m->buf + off, &v, 8);
}

static inline void mbi_begin(struct mbi *m)
{
	memset(m, 0, sizeof *m);
	m->len = 8; /* total_size + reserved, filled by mbi_finish */
}

/* Appends a tag of 8 + n bytes and pads to 8; returns the tag's offset. */
static inline size_t add_tag(struct mbi *m, uint32_t type, const void *payload, size_t n)
{
	size_t off = m->len;
	put32(m, off, type);
	put32(m, off + 4, (uint32_t)(8 + n));
	if (n)
		memcpy(m->buf + off + 8, payload, n);
	m->len = (off + 8 + n + 7) & ~(size_t)7;
	return off;
}

static inline size_t add_string(struct mbi *m, uint32_t type, const char *s)
{
	return add_tag(m, type, s, strlen(s) + 1);
}

static inline size_t add_module(struct mbi *m, uint32_t start, uint32_t end, const char *cmd)
{
	uint8_t p[256];
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, cmd, strlen(cmd) + 1);
	return add_tag(m, 3, p, 8 + strlen(cmd) + 1);
}

static inline size_t add_meminfo(struct mbi *m, uint32_t lower, uint32_t upper)
{
	uint32_t p[2] = {lower, upper};
	return add_tag(m, 4, p, sizeof p);
}

/* n entries of entry_size bytes (>= 24), entry i = {base i MiB, len (i+1) pages, type i%5+1}. */
static inline size_t add_mmap(struct mbi *m, uint32_t entry_size, unsigned n)
{
	size_t off = m->len;
	put32(m, off, 6);
	put32(m, off + 4, 16 + entry_size * n);
	put32(m, off + 8, entry_size);
	put32(m, off + 12, 0);
	for (unsigned i = 0; i < n; i++) {
		size_t e = off + 16 + (size_t)i * entry_size;
		put64(m, e, (uint64_t)i << 20);
		put64(m, e + 8, (uint64_t)(i + 1) << 12);
		put32(m, e + 16, i % 5 + 1);
		memset(m->buf + e + 20, 0xee, entry_size - 20); /* reserved and any extension */
	}
	m->len = (off + 16 + (size_t)entry_size * n + 7) & ~(size_t)7;
	return off;
}

static inline void add_end(struct mbi *m)
{
	add_tag(m, 0, NULL, 0);
}

static inline void mbi_finish(struct mbi *m)
{
	put32(m, 0, (uint32_t)m->len);
}

static void *parse_copy;

/* Parses the first `avail` bytes of m from a heap block of exactly that size (malloc's
 * blocks are 16-byte aligned, more than the MBI's 8). */
static inline bool parse_avail(const struct mbi *m, size_t avail, struct mb2_info *out)
{
	free(parse_copy);
	parse_copy = malloc(avail ? avail : 1);
	CHECK((uintptr_t)parse_copy % 8 == 0);
	memcpy(parse_copy, m->buf, avail);
	shim_log_take();
	return mb2_parse(parse_copy, avail, out);
}

static inline bool parse(const struct mbi *m, struct mb2_info *out)
{
	return parse_avail(m, m->len, out);
}

static inline bool log_has(const char *log, const char *needle)
{
	return strstr(log, needle) != NULL;
}

static struct mb2_info info;
