/* Guest RAM for loader tests: a malloc'd buffer behind the loaders' struct gmem. */
#pragma once
#include "kernel/loader.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct test_ram {
	uint8_t *bytes;
	uint64_t size;
};

static inline bool ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t n)
{
	struct test_ram *r = ctx;
	if (gpa > r->size || n > r->size - gpa)
		return false;
	memcpy(r->bytes + gpa, src, n);
	return true;
}

/* Fresh RAM of `size` bytes filled with `poison`, and `mem` pointing the loaders at it. */
static inline void test_ram_reset(struct test_ram *r, struct gmem *mem, uint64_t size,
				  uint8_t poison)
{
	free(r->bytes);
	r->bytes = malloc(size);
	r->size = size;
	memset(r->bytes, poison, size);
	*mem = (struct gmem){.ctx = r, .size = size, .write = ram_write};
}
