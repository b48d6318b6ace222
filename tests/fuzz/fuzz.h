/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): the input read as a stream of
 * little-endian integers, and invariant checks that crash so libFuzzer keeps the input.
 * Reads past the end return zeros, so every input is a complete (if short) program. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_input {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static inline struct fuzz_input fuzz_input(const uint8_t *data, size_t size)
{
	return (struct fuzz_input){data, size, 0};
}

static inline bool fuzz_more(const struct fuzz_input *in)
{
	return in->pos < in->size;
}

static inline size_t fuzz_left(const struct fuzz_input *in)
{
	return in->size - in->pos;
}

static inline uint64_t fuzz_uint(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->pos < in->size; i++)
		v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	return (uint8_t)fuzz_uint(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	return (uint16_t)fuzz_uint(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	return (uint32_t)fuzz_uint(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	return fuzz_uint(in, 8);
}

static inline bool fuzz_bool(struct fuzz_input *in)
{
	return fuzz_u8(in) & 1;
}

/* A value in [0, n) (n > 0). */
static inline unsigned fuzz_below(struct fuzz_input *in, unsigned n)
{
	return fuzz_u8(in) % n;
}

/* An access width: 1, 2, 4 or 8 bytes (at most `max`). */
static inline uint8_t fuzz_width(struct fuzz_input *in, unsigned max)
{
	uint8_t w = (uint8_t)(1u << fuzz_below(in, 4));
	return w > max ? (uint8_t)max : w;
}

/* Up to `max` bytes (a length byte, then the bytes) into a NUL-terminated string. */
static inline void fuzz_string(struct fuzz_input *in, char *out, size_t max)
{
	size_t n = fuzz_u8(in) % (max + 1);
	if (n > fuzz_left(in))
		n = fuzz_left(in);
	memcpy(out, in->data + in->pos, n);
	in->pos += n;
	out[n] = 0;
}

/* The rest of the input in a heap block of exactly its size, so that ASan reports a read
 * one byte past it; free() it. */
static inline uint8_t *fuzz_rest(struct fuzz_input *in, size_t *n)
{
	*n = fuzz_left(in);
	uint8_t *copy = malloc(*n ? *n : 1);
	memcpy(copy, in->data + in->pos, *n);
	in->pos = in->size;
	return copy;
}

static inline uint64_t fuzz_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* An invariant of the code under test: a failure is a finding, so crash for libFuzzer. */
#define FUZZ_CHECK(c)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)
