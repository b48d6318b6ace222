/* String instructions that fault part way: the guest's #PF handler sees the right CR2 and
 * error code, with ECX/ESI/EDI counting the elements done, maps the page and returns; the
 * instruction then finishes. Also the CR0.WP and SMAP rules for hypervisor-made writes. */
#include "devices/fw_cfg.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mmio-test/tests.h"

#define CPUID7_EBX_SMAP (1u << 20)

struct pf_seen {
	u32 count, cr2, error, ecx, esi, edi;
};
static struct pf_seen pf;

static u32 read_cr2(void)
{
	u32 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Records the fault, makes the absent page present, and retries the instruction. */
static void map_on_fault(struct trap_frame *f)
{
	pf = (struct pf_seen){pf.count + 1, read_cr2(), f->error_code, f->ecx, f->esi, f->edi};
	window_map(WIN_ABSENT, (u32)window_ram(WIN_ABSENT), PTE_RW | PTE_P);
}

static void fw_cfg_select_signature(void)
{
	outw(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
}

static void rep_ins_into_absent_page(void)
{
	u8 *before = window_ram(WIN_RAM_C), *after = window_ram(WIN_ABSENT);
	window_map(WIN_ABSENT, 0, 0);
	pf.count = 0;
	trap_set_handler(VEC_PF, map_on_fault);
	fw_cfg_select_signature();
	u32 dst = WIN_ABSENT - 2, count = 4;
	__asm__ volatile("cld; rep insb"
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	trap_set_handler(VEC_PF, 0);
	report(pf.count == 1 && pf.cr2 == WIN_ABSENT && pf.error == 0x2,
	       "fault: rep insb into a not-present page: #PF, CR2 0x%x, error 0x%x", pf.cr2,
	       pf.error);
	report(pf.ecx == 2 && pf.edi == WIN_ABSENT,
	       "fault: ECX and EDI count the 2 bytes done at the #PF (ECX %u, EDI 0x%x)", pf.ecx,
	       pf.edi);
	report(count == 0 && dst == WIN_ABSENT + 2 && before[0xffe] == 'Q' &&
		   before[0xfff] == 'E' && after[0] == 'M' && after[1] == 'U',
	       "fault: resumed after the handler mapped the page, no byte lost (\"%c%c%c%c\")",
	       before[0xffe], before[0xfff], after[0], after[1]);
}

/* An emulated REP MOVS from the device faults at its second element the same way. */
static void rep_movs_into_absent_page(void)
{
	u8 *before = window_ram(WIN_RAM_C), *after = window_ram(WIN_ABSENT);
	window_map(WIN_ABSENT, 0, 0);
	after[0] = 0;
	pf.count = 0;
	scratch_set(SCRATCH, 0x2222222211111111ull);
	trap_set_handler(VEC_PF, map_on_fault);
	const volatile u32 *src = SCRATCH;
	u32 dst = WIN_ABSENT - 4, count = 2;
	__asm__ volatile("cld; rep movsl" : "+S"(src), "+D"(dst), "+c"(count) : : "memory");
	trap_set_handler(VEC_PF, 0);
	report(pf.count == 1 && pf.cr2 == WIN_ABSENT && pf.error == 0x2 && pf.ecx == 1 &&
		   pf.esi == (u32)SCRATCH + 4 && pf.edi == WIN_ABSENT,
	       "fault: rep movsl device -> absent page: #PF at the 2nd element (CR2 0x%x, "
	       "error 0x%x, ECX %u)",
	       pf.cr2, pf.error, pf.ecx);
	report(count == 0 && *(u32 *)(before + 0xffc) == 0x11111111 && *(u32 *)after == 0x22222222,
	       "fault: rep movsl resumed and finished");
}

/* A supervisor write to a read-only page faults only with CR0.WP. */
static void write_protect(void)
{
	u8 *ro = window_ram(WIN_RO);
	ro[0] = 0;
	fw_cfg_select_signature();
	u32 dst = WIN_RO, count = 4;
	__asm__ volatile(TRAP_TRY("rep insb")
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	u32 cr2 = read_cr2();
	report(trap_caught_vector == VEC_PF && trap_caught_error == 0x3 && cr2 == WIN_RO &&
		   count == 4 && ro[0] == 0,
	       "fault: CR0.WP: rep insb into a read-only page: #PF error 0x%x, CR2 0x%x",
	       trap_caught_error, cr2);

	scratch_set(SCRATCH, 0x12345678);
	const volatile u32 *src = SCRATCH;
	dst = WIN_RO;
	__asm__ volatile(TRAP_TRY("movsl") : "+S"(src), "+D"(dst) : : "memory");
	report(trap_caught_vector == VEC_PF && trap_caught_error == 0x3 && dst == WIN_RO,
	       "fault: CR0.WP: movsl device -> read-only page: #PF error 0x%x", trap_caught_error);

	write_cr0(read_cr0() & ~CR0_WP);
	fw_cfg_select_signature();
	dst = WIN_RO;
	count = 4;
	__asm__ volatile(TRAP_TRY("rep insb")
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	write_cr0(read_cr0() | CR0_WP);
	report(trap_caught_vector == TRAP_NONE && count == 0 && ro[0] == 'Q',
	       "fault: without CR0.WP the same rep insb writes the page");
}

/* SMAP: a supervisor string I/O into a user page faults unless RFLAGS.AC is set. */
static void smap(void)
{
	if (!(cpuid(0).a >= 7 && (cpuid(7).b & CPUID7_EBX_SMAP))) {
		printf("fault: SMAP not offered: skipped\n");
		return;
	}
	u8 *user = window_ram(WIN_USER);
	user[0] = 0;
	write_cr4(read_cr4() | CR4_SMAP);
	fw_cfg_select_signature();
	u32 dst = WIN_USER, count = 4;
	__asm__ volatile(TRAP_TRY("rep insb")
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	u32 cr2 = read_cr2();
	s32 vector = trap_caught_vector;
	u32 error = trap_caught_error;
	fw_cfg_select_signature();
	dst = WIN_USER;
	count = 4;
	__asm__ volatile("stac\n\t" TRAP_TRY("rep insb") "clac"
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	s32 vector_ac = trap_caught_vector;
	write_cr4(read_cr4() & ~CR4_SMAP);
	report(vector == VEC_PF && error == 0x3 && cr2 == WIN_USER,
	       "fault: SMAP: rep insb into a user page: #PF error 0x%x, CR2 0x%x", error, cr2);
	report(vector_ac == TRAP_NONE && count == 0 && user[0] == 'Q',
	       "fault: SMAP with RFLAGS.AC: the same rep insb writes the page");
}

void test_faults(void)
{
	rep_ins_into_absent_page();
	rep_movs_into_absent_page();
	write_protect();
	smap();
}
