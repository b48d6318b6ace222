/* Guest page-table walker: page tables built by hand in a fake guest memory, following the
 * entry formats of SDM Vol. 3A chapter 4. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/guest_walk.h"

#define GUEST_MEM_SIZE (256u << 10) /* guest-physical 0 .. 256 KiB */

#define P   (1ull << 0)	 /* present */
#define RW  (1ull << 1)	 /* writable */
#define US  (1ull << 2)	 /* user */
#define A   (1ull << 5)	 /* accessed */
#define D   (1ull << 6)	 /* dirty */
#define PS  (1ull << 7)	 /* large page */
#define PAT (1ull << 12) /* PAT bit of a large-page entry */
#define NX  (1ull << 63) /* execute-disable (PAE/4-level) */

#define CR4_LA57_BIT (1ull << 12) /* 5-level paging */

static uint8_t guest_mem[GUEST_MEM_SIZE];
static unsigned reads;

static bool mem_read(void *ctx, uint64_t gpa, void *dst, size_t n)
{
	reads++;
	if (gpa > GUEST_MEM_SIZE || n > GUEST_MEM_SIZE - gpa)
		return false;
	memcpy(dst, guest_mem + gpa, n);
	return true;
}

static void reset(void)
{
	memset(guest_mem, 0, sizeof guest_mem);
	reads = 0;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(guest_mem + gpa, &v, sizeof v);
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(guest_mem + gpa, &v, sizeof v);
}

static enum walk_result walk(const struct guest_paging *p, uint64_t gla, uint64_t *gpa)
{
	*gpa = 0xbad;
	return guest_walk(p, gla, mem_read, NULL, gpa);
}

static const struct guest_paging paging32 = {.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1018};
static const struct guest_paging paging32_pse = {
    .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE};
static const struct guest_paging paging_pae = {
    .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE};
static const struct guest_paging paging_4level = {.cr0 = CR0_PE | CR0_PG,
						  .cr3 = 0x1000 | 0x5 /* PCID */,
						  .cr4 = CR4_PAE,
						  .efer = EFER_LME | EFER_LMA};

TEST(paging_off_is_identity_on_32_bits)
{
	reset();
	struct guest_paging p = {.cr0 = CR0_PE};
	uint64_t gpa;
	CHECK_EQ(walk(&p, 0xfee00030, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0xfee00030);
	CHECK_EQ(walk(&p, 0x100001234, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x1234);
	CHECK_EQ(reads, 0);
}

/* 0x80412345: PDE index 0x201, PTE index 0x012, offset 0x345. CR3 bits 4:3 are PWT/PCD. */
TEST(two_level_4k_page)
{
	reset();
	put32(0x1000 + 4 * 0x201, 0x2000 | P | RW | US);
	put32(0x2000 + 4 * 0x012, 0xabcd000 | P | RW | (1u << 5) /* accessed */);
	uint64_t gpa;
	CHECK_EQ(walk(&paging32, 0x80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0xabcd345);
	/* bits 63:32 of the linear address do not exist in 32-bit paging */
	CHECK_EQ(walk(&paging32, 0xffffffff80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0xabcd345);
}

TEST(two_level_not_present)
{
	reset();
	put32(0x1000 + 4 * 0x201, 0x2000 | P);
	put32(0x2000 + 4 * 0x012, 0xabcd000 | RW); /* P clear */
	uint64_t gpa;
	CHECK_EQ(walk(&paging32, 0x80412345, &gpa), WALK_NOT_PRESENT);
	CHECK_EQ(walk(&paging32, 0x80812345, &gpa), WALK_NOT_PRESENT); /* PDE 0x202 empty */
}

TEST(two_level_4m_page_with_pse36)
{
	reset();
	put32(0x1000 + 4 * 0x201, 0x12c00000 | PS | P);
	uint64_t gpa;
	CHECK_EQ(walk(&paging32_pse, 0x80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x12c12345);
	/* PSE-36: PDE bits 20:13 are physical address bits 39:32 */
	put32(0x1000 + 4 * 0x201, 0x12c00000 | (0x83u << 13) | PS | P);
	CHECK_EQ(walk(&paging32_pse, 0x80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x8312c12345);
}

/* Without CR4.PSE the PS bit is ignored: the PDE still points to a page table. */
TEST(two_level_ps_ignored_without_pse)
{
	reset();
	put32(0x1000 + 4 * 0x201, 0x3000 | PS | P);
	put32(0x3000 + 4 * 0x012, 0x7000 | P);
	uint64_t gpa;
	CHECK_EQ(walk(&paging32, 0x80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x7345);
	CHECK_EQ(walk(&paging32_pse, 0x80412345, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x100012345); /* a 4 MiB page; PDE bit 13 is now address bit 32 */
}

/* 0xc0201234: PDPTE 3, PDE 0x001, PTE 0x001, offset 0x234. The PDPT is only 32-byte aligned. */
TEST(pae_4k_page_above_4g)
{
	reset();
	put64(0x1020 + 8 * 3, 0x2000 | P);
	put64(0x2000 + 8 * 1, 0x3000 | P | RW);
	put64(0x3000 + 8 * 1, 0x800005000ull | P | NX);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_pae, 0xc0201234, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x800005234);
}

TEST(pae_2m_page)
{
	reset();
	put64(0x1020 + 8 * 3, 0x2000 | P);
	put64(0x2000 + 8 * 1, 0x400200000ull | PS | P | NX);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_pae, 0xc0201234, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x400201234);
	/* bit 12 of a large-page entry is PAT, not address: offset 0x234 keeps bit 12 clear */
	put64(0x2000 + 8 * 1, 0x400200000ull | PAT | PS | P);
	CHECK_EQ(walk(&paging_pae, 0xc0200234, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x400200234);
}

/* Linear addresses are 32-bit outside long mode: bits 63:32 must not reach the PDPT index. */
TEST(pae_ignores_linear_bits_above_31)
{
	reset();
	put64(0x1020 + 8 * 3, 0x2000 | P);
	put64(0x2000 + 8 * 1, 0x400200000ull | PS | P);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_pae, 0x1c0201234, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x400201234);
}

TEST(pae_not_present)
{
	reset();
	uint64_t gpa;
	CHECK_EQ(walk(&paging_pae, 0xc0201234, &gpa), WALK_NOT_PRESENT); /* PDPTE */
	put64(0x1020 + 8 * 3, 0x2000 | P);
	CHECK_EQ(walk(&paging_pae, 0xc0201234, &gpa), WALK_NOT_PRESENT); /* PDE */
	put64(0x2000 + 8 * 1, 0x3000 | P);
	CHECK_EQ(walk(&paging_pae, 0xc0201234, &gpa), WALK_NOT_PRESENT); /* PTE */
}

/* 0xffff804060603abc: PML4 0x100, PDPT 0x101, PD 0x103, PT 0x003, offset 0xabc. */
#define GLA64 0xffff804060603abcull

static void map_4level_tables(void)
{
	put64(0x1000 + 8 * 0x100, 0x2000 | P | RW);
	put64(0x2000 + 8 * 0x101, 0x3000 | P | RW);
	put64(0x3000 + 8 * 0x103, 0x4000 | P | RW);
}

TEST(four_level_4k_page)
{
	reset();
	map_4level_tables();
	put64(0x4000 + 8 * 0x003, 0xfedcba9876000ull | P | NX);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0xfedcba9876abcull);
}

TEST(four_level_2m_page)
{
	reset();
	map_4level_tables();
	put64(0x3000 + 8 * 0x103, 0x1234600000ull | PAT | PS | P);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x1234603abcull);
	CHECK_EQ(walk(&paging_4level, GLA64 & ~0x1fffffull, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x1234600000ull); /* PAT (bit 12) is not an address bit */
}

TEST(four_level_1g_page)
{
	reset();
	map_4level_tables();
	put64(0x2000 + 8 * 0x101, 0x8c0000000ull | PAT | PS | P | NX);
	uint64_t gpa;
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x8e0603abcull);
}

TEST(four_level_not_present_at_each_level)
{
	reset();
	uint64_t gpa;
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_NOT_PRESENT);
	put64(0x1000 + 8 * 0x100, 0x2000 | P);
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_NOT_PRESENT);
	put64(0x2000 + 8 * 0x101, 0x3000 | P);
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_NOT_PRESENT);
	put64(0x3000 + 8 * 0x103, 0x4000 | P);
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_NOT_PRESENT);
	put64(0x4000 + 8 * 0x003, 0x9000 | P);
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x9abc);
}

/* With CR4.LA57 a PML5 (index = bits 56:48 = 0x1ff here) sits above the PML4. */
TEST(five_level_walk)
{
	reset();
	struct guest_paging p = paging_4level;
	p.cr3 = 0x8000;
	p.cr4 |= CR4_LA57_BIT;
	put64(0x8000 + 8 * 0x1ff, 0x1000 | P);
	map_4level_tables();
	put64(0x4000 + 8 * 0x003, 0x9000 | P);
	uint64_t gpa;
	CHECK_EQ(walk(&p, GLA64, &gpa), WALK_OK);
	CHECK_EQ(gpa, 0x9abc);
}

TEST(table_outside_guest_memory)
{
	reset();
	uint64_t gpa;
	struct guest_paging p = paging_4level;
	p.cr3 = 0x10000000;
	CHECK_EQ(walk(&p, GLA64, &gpa), WALK_BAD_GPA);
	put64(0x1000 + 8 * 0x100, 0x7fff0000000ull | P);
	CHECK_EQ(walk(&paging_4level, GLA64, &gpa), WALK_BAD_GPA);
}

/* Linear 0x7000 and 0x8000 map to guest-physical 0x21000 and 0x15000 (not contiguous). */
static void map_two_pages(void)
{
	reset();
	put64(0x1000, 0x2000 | P);
	put64(0x2000, 0x3000 | P);
	put64(0x3000, 0x4000 | P);
	put64(0x4000 + 8 * 7, 0x21000 | P);
	put64(0x4000 + 8 * 8, 0x15000 | P);
	for (unsigned i = 0; i < 8; i++) {
		guest_mem[0x21ff8 + i] = (uint8_t)(0xa0 + i);
		guest_mem[0x15000 + i] = (uint8_t)(0xb0 + i);
	}
}

TEST(fetch_crosses_page_boundary)
{
	map_two_pages();
	uint8_t buf[15] = {0};
	CHECK_EQ(guest_fetch(&paging_4level, 0x7ffb, buf, sizeof buf, mem_read, NULL), 15);
	static const uint8_t want[15] = {0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xb0, 0xb1, 0xb2,
					 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0x00, 0x00};
	CHECK(memcmp(buf, want, sizeof want) == 0);
}

TEST(fetch_stops_at_untranslatable_page)
{
	map_two_pages();
	put64(0x4000 + 8 * 8, 0x15000); /* second page not present */
	uint8_t buf[15];
	memset(buf, 0xee, sizeof buf);
	CHECK_EQ(guest_fetch(&paging_4level, 0x7ffb, buf, sizeof buf, mem_read, NULL), 5);
	CHECK_EQ(buf[0], 0xa3);
	CHECK_EQ(buf[4], 0xa7);
	CHECK_EQ(buf[5], 0xee);
	CHECK_EQ(guest_fetch(&paging_4level, 0x8000, buf, sizeof buf, mem_read, NULL), 0);
	/* a page that translates outside guest memory stops the fetch as well */
	put64(0x4000 + 8 * 8, 0x7fff0000000ull | P);
	CHECK_EQ(guest_fetch(&paging_4level, 0x7ffb, buf, sizeof buf, mem_read, NULL), 5);
}

TEST(fetch_within_one_page_and_with_paging_off)
{
	map_two_pages();
	uint8_t buf[4];
	CHECK_EQ(guest_fetch(&paging_4level, 0x8002, buf, sizeof buf, mem_read, NULL), 4);
	CHECK_EQ(buf[0], 0xb2);
	CHECK_EQ(buf[3], 0xb5);
	struct guest_paging off = {.cr0 = CR0_PE};
	CHECK_EQ(guest_fetch(&off, 0x21ffe, buf, sizeof buf, mem_read, NULL), 4);
	CHECK_EQ(buf[0], 0xa6);
	CHECK_EQ(buf[1], 0xa7);
	CHECK_EQ(buf[2], 0x00);
	CHECK_EQ(guest_fetch(&off, GUEST_MEM_SIZE - 2, buf, sizeof buf, mem_read, NULL), 2);
}

static bool mem_set_bits(void *ctx, uint64_t gpa, uint64_t bits, unsigned size)
{
	if (gpa > GUEST_MEM_SIZE - size)
		return false;
	for (unsigned i = 0; i < size; i++)
		guest_mem[gpa + i] |= (uint8_t)(bits >> (8 * i));
	return true;
}

static const struct walk_mem walk_mem = {mem_read, mem_set_bits, NULL};

#define FAULT 0xfff /* translate() result when the access faults: see pf_error */

static uint32_t pf_error;

/* The guest-physical address, or FAULT with the error code in pf_error. */
static uint64_t translate(const struct guest_paging *p, uint64_t gla, unsigned access)
{
	uint64_t gpa = 0xbad;
	pf_error = 0xbad;
	enum walk_result r = guest_translate(p, gla, access, &walk_mem, &gpa, &pf_error);
	if (r == WALK_OK)
		return gpa;
	CHECK(r != WALK_BAD_GPA);
	return FAULT;
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, guest_mem + gpa, sizeof v);
	return v;
}

/* GLA64 through 4-level tables whose entries carry `upper` (PML4E, PDPTE, PDE) and `leaf`. */
static void map_4level_rights(uint64_t upper, uint64_t leaf)
{
	reset();
	put64(0x1000 + 8 * 0x100, 0x2000 | P | upper);
	put64(0x2000 + 8 * 0x101, 0x3000 | P | upper);
	put64(0x3000 + 8 * 0x103, 0x4000 | P | upper);
	put64(0x4000 + 8 * 0x003, 0x9000 | P | leaf);
}

static const struct guest_paging paging_wp = {.cr0 = CR0_PE | CR0_PG | CR0_WP,
					      .cr3 = 0x1000,
					      .cr4 = CR4_PAE,
					      .efer = EFER_LME | EFER_LMA | EFER_NXE};

TEST(accessed_and_dirty_flags_set_as_the_cpu_does)
{
	map_4level_rights(RW, RW);
	CHECK_EQ(translate(&paging_wp, GLA64, 0), 0x9abc);
	CHECK_EQ(get64(0x1000 + 8 * 0x100) & (A | D), A);
	CHECK_EQ(get64(0x3000 + 8 * 0x103) & (A | D), A);
	CHECK_EQ(get64(0x4000 + 8 * 0x003) & (A | D), A); /* a read leaves D alone */
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), 0x9abc);
	CHECK_EQ(get64(0x4000 + 8 * 0x003) & (A | D), A | D);
	CHECK_EQ(get64(0x3000 + 8 * 0x103) & D, 0); /* only the entry mapping the page */
	/* a faulting access sets nothing */
	map_4level_rights(0, 0);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(get64(0x1000 + 8 * 0x100) & A, 0);
}

TEST(not_present_error_codes)
{
	reset();
	CHECK_EQ(translate(&paging_wp, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, 0);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_W);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE | ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_W | PF_ERROR_U);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_FETCH), FAULT); /* NXE: I/D reported */
	CHECK_EQ(pf_error, PF_ERROR_ID);
	map_4level_rights(RW, RW);
	put64(0x4000 + 8 * 0x003, 0x9000); /* only the PTE is missing */
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_U);
}

TEST(write_protect_for_supervisor_writes)
{
	map_4level_rights(RW, 0); /* read-only page */
	CHECK_EQ(translate(&paging_wp, GLA64, 0), 0x9abc);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W);
	struct guest_paging no_wp = paging_wp;
	no_wp.cr0 &= ~CR0_WP;
	CHECK_EQ(translate(&no_wp, GLA64, ACCESS_WRITE), 0x9abc);
	/* R/W counts at every level: a read-only PDE protects a writable PTE */
	map_4level_rights(RW, RW);
	put64(0x3000 + 8 * 0x103, 0x4000 | P);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W);
}

TEST(user_accesses_need_user_pages_and_rw_whatever_wp)
{
	map_4level_rights(RW | US, RW | US);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER | ACCESS_WRITE), 0x9abc);
	map_4level_rights(RW | US, RW); /* supervisor page */
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_U);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER | ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W | PF_ERROR_U);
	map_4level_rights(RW, RW | US); /* U/S clear higher up */
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER), FAULT);
	map_4level_rights(RW | US, US); /* read-only user page */
	struct guest_paging no_wp = paging_wp;
	no_wp.cr0 &= ~CR0_WP;
	CHECK_EQ(translate(&no_wp, GLA64, ACCESS_USER), 0x9abc);
	CHECK_EQ(translate(&no_wp, GLA64, ACCESS_USER | ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W | PF_ERROR_U);
	/* a supervisor write to a read-only user page only faults with WP */
	CHECK_EQ(translate(&no_wp, GLA64, ACCESS_WRITE), 0x9abc);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W);
}

TEST(smap_blocks_supervisor_data_accesses_to_user_pages)
{
	struct guest_paging smap = paging_wp;
	smap.cr4 |= CR4_SMAP;
	map_4level_rights(RW | US, RW | US);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_WRITE), 0x9abc); /* SMAP off */
	CHECK_EQ(translate(&smap, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P);
	CHECK_EQ(translate(&smap, GLA64, ACCESS_WRITE), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W);
	/* RFLAGS.AC at CPL < 3 lifts it (the caller leaves ACCESS_AC out for implicit
	 * supervisor accesses made at CPL 3) */
	CHECK_EQ(translate(&smap, GLA64, ACCESS_AC), 0x9abc);
	CHECK_EQ(translate(&smap, GLA64, ACCESS_AC | ACCESS_WRITE), 0x9abc);
	CHECK_EQ(translate(&smap, GLA64, ACCESS_USER | ACCESS_WRITE), 0x9abc);
	/* fetches are SMEP's business */
	CHECK_EQ(translate(&smap, GLA64, ACCESS_FETCH), 0x9abc);
	/* a supervisor page is unaffected */
	map_4level_rights(RW, RW);
	CHECK_EQ(translate(&smap, GLA64, ACCESS_WRITE), 0x9abc);
}

TEST(smep_and_nx_for_fetches)
{
	struct guest_paging smep = paging_wp;
	smep.cr4 |= CR4_SMEP;
	map_4level_rights(RW | US, RW | US);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_FETCH), 0x9abc);
	CHECK_EQ(translate(&smep, GLA64, ACCESS_FETCH), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_ID);
	CHECK_EQ(translate(&smep, GLA64, ACCESS_FETCH | ACCESS_USER), 0x9abc);
	CHECK_EQ(translate(&smep, GLA64, 0), 0x9abc); /* data reads are SMAP's business */
	/* XD anywhere on the path forbids fetches, not reads */
	put64(0x2000 + 8 * 0x101, 0x3000 | P | RW | US | NX);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_FETCH | ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_U | PF_ERROR_ID);
	CHECK_EQ(translate(&paging_wp, GLA64, ACCESS_USER), 0x9abc);
	/* without NXE bit 63 is reserved, and I/D needs SMEP or NXE */
	struct guest_paging no_nxe = paging_wp;
	no_nxe.efer &= ~EFER_NXE;
	CHECK_EQ(translate(&no_nxe, GLA64, ACCESS_FETCH), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
	CHECK_EQ(translate(&no_nxe, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
}

TEST(reserved_bits_fault_with_rsvd)
{
	struct guest_paging p = paging_wp;
	p.maxphyaddr = 36;
	map_4level_rights(RW, RW);
	CHECK_EQ(translate(&p, GLA64, 0), 0x9abc);
	put64(0x4000 + 8 * 0x003, (1ull << 40) | 0x9000 | P | RW); /* beyond MAXPHYADDR */
	CHECK_EQ(translate(&p, GLA64, ACCESS_WRITE | ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_W | PF_ERROR_U | PF_ERROR_RSVD);
	p.maxphyaddr = 52;
	CHECK_EQ(translate(&p, GLA64, ACCESS_WRITE), (1ull << 40) | 0x9abc);
	/* a 2 MiB page must have bits 20:13 clear (bit 12 is PAT) */
	map_4level_rights(RW, RW);
	put64(0x3000 + 8 * 0x103, 0x400000 | PAT | PS | P | RW);
	CHECK_EQ(translate(&p, GLA64, 0), 0x403abc);
	put64(0x3000 + 8 * 0x103, 0x400000 | (1ull << 13) | PS | P | RW);
	CHECK_EQ(translate(&p, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
	/* a 1 GiB page: bits 29:13 */
	put64(0x2000 + 8 * 0x101, 0x40000000 | (1ull << 20) | PS | P | RW);
	CHECK_EQ(translate(&p, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
	/* PS in a PML4E */
	put64(0x1000 + 8 * 0x100, 0x2000 | PS | P | RW);
	CHECK_EQ(translate(&p, GLA64, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
	/* the unchecked walk of the fetch path does not look */
	uint64_t gpa;
	CHECK_EQ(walk(&p, GLA64, &gpa), WALK_OK);
}

TEST(two_level_rights_and_pse_reserved_bit)
{
	reset();
	struct guest_paging p = {.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1000, .cr4 = CR4_PSE};
	put32(0x1000 + 4 * 0x201, 0x2000 | P | RW | US);
	put32(0x2000 + 4 * 0x012, 0xabcd000 | P | RW); /* supervisor PTE */
	CHECK_EQ(translate(&p, 0x80412345, ACCESS_WRITE), 0xabcd345);
	CHECK_EQ(guest_mem[0x2000 + 4 * 0x012] & (A | D), A | D);
	CHECK_EQ(translate(&p, 0x80412345, ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_U);
	/* 32-bit paging has no XD and, without SMEP, no I/D */
	CHECK_EQ(translate(&p, 0x80412345, ACCESS_FETCH | ACCESS_USER), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_U);
	/* 4 MiB page: bit 21 is reserved */
	put32(0x1000 + 4 * 0x201, 0x12c00000 | PS | P | RW);
	CHECK_EQ(translate(&p, 0x80412345, 0), 0x12c12345);
	put32(0x1000 + 4 * 0x201, 0x12c00000 | (1u << 21) | PS | P | RW);
	CHECK_EQ(translate(&p, 0x80412345, 0), FAULT);
	CHECK_EQ(pf_error, PF_ERROR_P | PF_ERROR_RSVD);
}

/* PAE PDPTEs have no R/W, U/S or accessed flag: they neither restrict nor get A set. */
TEST(pae_pdpte_carries_no_rights)
{
	reset();
	struct guest_paging p = paging_pae;
	p.cr0 |= CR0_WP;
	put64(0x1020 + 8 * 3, 0x2000 | P);
	put64(0x2000 + 8 * 1, 0x3000 | P | RW | US);
	put64(0x3000 + 8 * 1, 0x5000 | P | RW | US);
	CHECK_EQ(translate(&p, 0xc0201234, ACCESS_USER | ACCESS_WRITE), 0x5234);
	CHECK_EQ(get64(0x1020 + 8 * 3), 0x2000 | P);
	CHECK_EQ(get64(0x2000 + 8 * 1) & A, A);
	CHECK_EQ(get64(0x3000 + 8 * 1) & (A | D), A | D);
}

TEST(paging_off_checks_nothing)
{
	reset();
	struct guest_paging p = {.cr0 = CR0_PE | CR0_WP, .cr4 = CR4_SMAP | CR4_SMEP};
	CHECK_EQ(translate(&p, 0x1234, ACCESS_USER | ACCESS_WRITE), 0x1234);
	CHECK_EQ(translate(&p, 0x1234, ACCESS_FETCH), 0x1234);
}

CHECK_MAIN("guest_walk", CASE(paging_off_is_identity_on_32_bits), CASE(two_level_4k_page),
	   CASE(two_level_not_present), CASE(two_level_4m_page_with_pse36),
	   CASE(two_level_ps_ignored_without_pse), CASE(pae_4k_page_above_4g), CASE(pae_2m_page),
	   CASE(pae_ignores_linear_bits_above_31), CASE(pae_not_present), CASE(four_level_4k_page),
	   CASE(four_level_2m_page), CASE(four_level_1g_page),
	   CASE(four_level_not_present_at_each_level), CASE(five_level_walk),
	   CASE(table_outside_guest_memory), CASE(fetch_crosses_page_boundary),
	   CASE(fetch_stops_at_untranslatable_page),
	   CASE(fetch_within_one_page_and_with_paging_off),
	   CASE(accessed_and_dirty_flags_set_as_the_cpu_does), CASE(not_present_error_codes),
	   CASE(write_protect_for_supervisor_writes),
	   CASE(user_accesses_need_user_pages_and_rw_whatever_wp),
	   CASE(smap_blocks_supervisor_data_accesses_to_user_pages), CASE(smep_and_nx_for_fetches),
	   CASE(reserved_bits_fault_with_rsvd), CASE(two_level_rights_and_pse_reserved_bit),
	   CASE(pae_pdpte_carries_no_rights), CASE(paging_off_checks_nothing))
