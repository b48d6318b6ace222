/* What a 64-bit guest needs at its first instruction that it cannot build itself: page
 * tables (long mode requires paging) and a GDT with a 64-bit code segment. The guest sets
 * up its own stack (rsp = 0) and, usually, its own tables. */
#include "kernel/loader_priv.h"

#define PTE_PRESENT   (1ull << 0) /* P */
#define PTE_WRITABLE  (1ull << 1) /* R/W */
#define PDE_LARGE     (1ull << 7) /* PS: the PDE maps a 2 MiB page */
#define TABLE_ENTRIES 512
#define TABLE_BYTES   4096
#define PAGE_2M	      (1ull << 21)
#define IDENTITY_GIB  4 /* one PD per GiB, all of the 32-bit physical space */

#define GDT_CODE64 0x00af9a000000ffffull /* P, DPL 0, execute/read, L=1, G=1 */
#define GDT_DATA   0x00cf92000000ffffull /* P, DPL 0, read/write, D/B=1, G=1 */

/* One table page: entry k < count is (first + k * step) | flags, the rest are empty. */
static bool write_table(struct gmem *mem, uint64_t gpa, unsigned count, uint64_t first,
			uint64_t step, uint64_t flags)
{
	uint64_t chunk[64];
	for (unsigned k = 0; k < TABLE_ENTRIES; k += 64) {
		for (unsigned c = 0; c < 64; c++)
			chunk[c] = k + c < count ? (first + (k + c) * step) | flags : 0;
		if (!mem->write(mem->ctx, gpa + k * sizeof chunk[0], chunk, sizeof chunk))
			return false;
	}
	return true;
}

bool longmode_setup_gdt(struct gmem *mem, struct guest_entry *entry, uint16_t code_sel,
			uint16_t data_sel, char *err, size_t errlen)
{
	_Static_assert(LOADER_PD_GPA + IDENTITY_GIB * TABLE_BYTES == LOADER_GDT_GPA,
		       "page directories end where the GDT begins");
	uint64_t gdt[LONGMODE_GDT_SLOTS] = {0};
	gdt[code_sel / 8] = GDT_CODE64;
	gdt[data_sel / 8] = GDT_DATA;
	unsigned slots = (code_sel > data_sel ? code_sel : data_sel) / 8 + 1;
	bool ok =
	    write_table(mem, LOADER_PML4_GPA, 1, LOADER_PDPT_GPA, 0, PTE_PRESENT | PTE_WRITABLE) &&
	    write_table(mem, LOADER_PDPT_GPA, IDENTITY_GIB, LOADER_PD_GPA, TABLE_BYTES,
			PTE_PRESENT | PTE_WRITABLE);
	for (unsigned g = 0; ok && g < IDENTITY_GIB; g++)
		ok =
		    write_table(mem, LOADER_PD_GPA + g * TABLE_BYTES, TABLE_ENTRIES,
				(uint64_t)g << 30, PAGE_2M, PTE_PRESENT | PTE_WRITABLE | PDE_LARGE);
	ok = ok && mem->write(mem->ctx, LOADER_GDT_GPA, gdt, slots * sizeof gdt[0]);
	if (!ok)
		return loader_fail(err, errlen, "cannot write the long-mode page tables and GDT");
	entry->cr3 = LOADER_PML4_GPA;
	entry->gdt_base = LOADER_GDT_GPA;
	entry->gdt_limit = (uint16_t)(slots * sizeof gdt[0] - 1);
	entry->code_sel = code_sel;
	entry->data_sel = data_sel;
	entry->rsp = 0;
	return true;
}

bool longmode_setup(struct gmem *mem, struct guest_entry *entry, char *err, size_t errlen)
{
	_Static_assert(LOADER_GDT_CODE64 == 1 * 8 && LOADER_GDT_DATA == 2 * 8, "GDT selectors");
	return longmode_setup_gdt(mem, entry, LOADER_GDT_CODE64, LOADER_GDT_DATA, err, errlen);
}
