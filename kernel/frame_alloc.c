/* Frame bitmap: searches go 64 frames at a time so that a mostly-used 4 GiB map (1M frames,
 * 16K words) is crossed quickly; full words are skipped with one compare. */
#include "kernel/frame_alloc.h"
#include "kernel/log.h"
#include "kernel/mem.h"

#define BITS_PER_WORD 64

/* Not __builtin_popcountll: without -mpopcnt it calls libgcc, which the kernel does not link. */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Sets frames [from, to) to used or free; returns how many changed state. */
static uint64_t set_frames(struct falloc *fa, uint64_t from, uint64_t to, bool used)
{
	uint64_t changed = 0;
	while (from < to) {
		uint64_t w = from / BITS_PER_WORD, bit = from % BITS_PER_WORD;
		uint64_t n = BITS_PER_WORD - bit < to - from ? BITS_PER_WORD - bit : to - from;
		uint64_t mask = (n == BITS_PER_WORD ? ~0ull : (1ull << n) - 1) << bit;
		uint64_t old = fa->bitmap[w];
		fa->bitmap[w] = used ? old | mask : old & ~mask;
		changed += popcount64(old ^ fa->bitmap[w]);
		from += n;
	}
	return changed;
}

/* First frame in [from, to) whose state is `used`, or `to` if there is none. */
static uint64_t find_frame(const struct falloc *fa, uint64_t from, uint64_t to, bool used)
{
	while (from < to) {
		uint64_t w = from / BITS_PER_WORD;
		uint64_t bits = used ? fa->bitmap[w] : ~fa->bitmap[w];
		bits &= ~0ull << (from % BITS_PER_WORD);
		if (bits) {
			uint64_t found = w * BITS_PER_WORD + (uint64_t)__builtin_ctzll(bits);
			return found < to ? found : to;
		}
		from = (w + 1) * BITS_PER_WORD;
	}
	return to;
}

static uint64_t round_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) / align * align;
}

/* First-fit search for an aligned free run inside frames [from, to). */
static uint64_t find_run(const struct falloc *fa, uint64_t from, uint64_t to, uint64_t npages,
			 uint64_t align)
{
	while (from < to) {
		uint64_t start = round_up(find_frame(fa, from, to, false), align);
		if (start >= to || to - start < npages)
			break;
		uint64_t used = find_frame(fa, start, start + npages, true);
		if (used == start + npages)
			return start;
		from = used + 1;
	}
	return FRAME_NONE;
}

void falloc_init(struct falloc *fa, uint64_t *bitmap, uint64_t nframes)
{
	uint64_t words = (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD;
	for (uint64_t i = 0; i < words; i++)
		bitmap[i] = ~0ull;
	*fa = (struct falloc){.bitmap = bitmap, .nframes = nframes};
}

void falloc_release(struct falloc *fa, uint64_t base, uint64_t len)
{
	uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	uint64_t first = base / PAGE_SIZE + (base % PAGE_SIZE != 0);
	uint64_t last = end / PAGE_SIZE; /* exclusive */
	if (last > fa->nframes)
		last = fa->nframes;
	if (first < last)
		fa->nfree += set_frames(fa, first, last, false);
}

void falloc_reserve(struct falloc *fa, uint64_t base, uint64_t len)
{
	if (len == 0)
		return;
	uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	uint64_t first = base / PAGE_SIZE;
	uint64_t last = end / PAGE_SIZE + (end % PAGE_SIZE != 0); /* exclusive */
	if (last > fa->nframes)
		last = fa->nframes;
	if (first < last)
		fa->nfree -= set_frames(fa, first, last, true);
}

uint64_t falloc_alloc(struct falloc *fa, uint64_t npages, uint64_t align_pages)
{
	if (align_pages == 0)
		align_pages = 1;
	if (npages == 0 || npages > fa->nfree || align_pages > fa->nframes)
		return FRAME_NONE;
	uint64_t hint = fa->hint < fa->nframes ? fa->hint : 0;
	uint64_t start = find_run(fa, hint, fa->nframes, npages, align_pages);
	if (start == FRAME_NONE && hint > 0)
		start = find_run(fa, 0, fa->nframes, npages, align_pages);
	if (start == FRAME_NONE)
		return FRAME_NONE;
	set_frames(fa, start, start + npages, true);
	fa->nfree -= npages;
	fa->hint = start + npages;
	return start * PAGE_SIZE;
}

bool falloc_free(struct falloc *fa, uint64_t pa, uint64_t npages)
{
	uint64_t first = pa / PAGE_SIZE;
	if (pa % PAGE_SIZE != 0) {
		log_err("frame free: %#llx is not page-aligned", (unsigned long long)pa);
		return false;
	}
	if (npages == 0 || first >= fa->nframes || npages > fa->nframes - first) {
		log_err("frame free: %#llx + %llu pages is outside the allocator",
			(unsigned long long)pa, (unsigned long long)npages);
		return false;
	}
	uint64_t already = find_frame(fa, first, first + npages, false);
	if (already != first + npages) {
		log_err("frame free: double free of frame %#llx",
			(unsigned long long)(already * PAGE_SIZE));
		return false;
	}
	set_frames(fa, first, first + npages, false);
	fa->nfree += npages;
	if (first < fa->hint)
		fa->hint = first;
	return true;
}

uint64_t falloc_free_count(const struct falloc *fa)
{
	return fa->nfree;
}
