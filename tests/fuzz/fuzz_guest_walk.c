/* The guest page-table walker over random page tables. Input: CR0, CR3, CR4, EFER (only the
 * paging bits are kept, each chosen by one byte), a linear address, a fetch length, then the
 * guest memory. That memory repeats every `size` bytes up to MIRROR_END, so random entries
 * often point back into it; above MIRROR_END nothing is mapped. The fake memory checks how
 * the walker reads: naturally aligned 4- or 8-byte entries, fetches within one page. */
#include "kernel/x86.h"
#include "tests/fuzz/fuzz.h"
#include "vmx/guest_walk.h"

#define MIRROR_END   (1ull << 20)
#define PAGE	     4096ull
#define FETCH_MAX    32
#define MAX_LEVELS   5
#define LEGACY_LIMIT (1ull << 40) /* PSE-36 reaches 40 address bits */
#define PAE_LIMIT    (1ull << 52)

struct fake_mem {
	const uint8_t *bytes;
	size_t size;
	bool fetching; /* guest_fetch's data reads, else paging-structure entries */
	unsigned reads;
	size_t entry_size;
};

static bool mem_read(void *ctx, uint64_t gpa, void *dst, size_t n)
{
	struct fake_mem *m = ctx;
	m->reads++;
	if (m->fetching) {
		FUZZ_CHECK(n >= 1 && n <= PAGE && (gpa % PAGE) + n <= PAGE);
	} else {
		FUZZ_CHECK(n == m->entry_size && gpa % n == 0);
		FUZZ_CHECK(m->reads <= MAX_LEVELS);
	}
	if (gpa >= MIRROR_END || n > MIRROR_END - gpa || m->size == 0)
		return false;
	uint8_t *out = dst;
	for (size_t i = 0; i < n; i++)
		out[i] = m->bytes[(gpa + i) % m->size];
	return true;
}

static uint64_t pick(struct fuzz_input *in, uint64_t bit_a, uint64_t bit_b, uint64_t bit_c)
{
	uint8_t sel = fuzz_u8(in);
	return (sel & 1 ? bit_a : 0) | (sel & 2 ? bit_b : 0) | (sel & 4 ? bit_c : 0);
}

static enum walk_result walk(struct fake_mem *m, const struct guest_paging *p, uint64_t gla,
			     uint64_t *gpa)
{
	bool fetching = m->fetching;
	m->fetching = false;
	m->reads = 0;
	enum walk_result r = guest_walk(p, gla, mem_read, m, gpa);
	m->fetching = fetching;
	FUZZ_CHECK(r == WALK_OK || r == WALK_NOT_PRESENT || r == WALK_BAD_GPA);
	return r;
}

static void check_walk(struct fake_mem *m, const struct guest_paging *p, uint64_t gla)
{
	uint64_t gpa;
	if (walk(m, p, gla, &gpa) != WALK_OK)
		return;
	FUZZ_CHECK(gpa % PAGE == gla % PAGE);
	if (!(p->cr0 & CR0_PG))
		FUZZ_CHECK(gpa == (gla & 0xffffffffull) && m->reads == 0);
	else if (!(p->efer & EFER_LMA) && !(p->cr4 & CR4_PAE))
		FUZZ_CHECK(gpa < LEGACY_LIMIT);
	else
		FUZZ_CHECK(gpa < PAE_LIMIT);
}

/* Every fetched byte is the byte the walker translates its address to. */
static void check_fetch(struct fake_mem *m, const struct guest_paging *p, uint64_t gla, size_t n)
{
	uint8_t *dst = malloc(n ? n : 1);
	m->fetching = true;
	size_t got = guest_fetch(p, gla, dst, n, mem_read, m);
	m->fetching = false;
	FUZZ_CHECK(got <= n);
	for (size_t i = 0; i < got; i++) {
		uint64_t gpa;
		uint8_t b;
		FUZZ_CHECK(walk(m, p, gla + i, &gpa) == WALK_OK);
		m->fetching = true;
		FUZZ_CHECK(mem_read(m, gpa, &b, 1) && b == dst[i]);
		m->fetching = false;
	}
	free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct guest_paging p = {
	    .cr0 = pick(&in, CR0_PG, CR0_PE, 0),
	    .cr3 = fuzz_u64(&in),
	    .cr4 = pick(&in, CR4_PAE, CR4_PSE, CR4_LA57),
	    .efer = pick(&in, EFER_LMA, EFER_LME, 0),
	};
	uint64_t gla = fuzz_u64(&in);
	size_t n = fuzz_below(&in, FETCH_MAX + 1);
	struct fake_mem m = {0};
	uint8_t *bytes = fuzz_rest(&in, &m.size);
	m.bytes = bytes;
	m.entry_size = (p.efer & EFER_LMA) || (p.cr4 & CR4_PAE) ? 8 : 4;
	check_walk(&m, &p, gla);
	check_fetch(&m, &p, gla, n);
	free(bytes);
	return 0;
}
