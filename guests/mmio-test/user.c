/* String I/O at CPL 3 (IOPL 3 allows the ports): the hypervisor moves the data, and must
 * apply the user-mode page protections the CPU would. */
#include "guests/mmio-test/user.h"
#include "devices/fw_cfg.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mmio-test/tests.h"

#define VEC_UD 6
#define VEC_GP 13

#define PORT_UNCLAIMED 0x2f0 /* reads all-ones, ignores writes */

#define SEG_CODE32(dpl) (0x00cf9a0000000000ull | 0xffffull | ((u64)(dpl) << 45))
#define SEG_DATA32(dpl) (0x00cf920000000000ull | 0xffffull | ((u64)(dpl) << 45))
#define TSS_TYPE	0x89ull /* present, DPL 0, 32-bit available TSS */
#define EFLAGS_IOPL3	(3u << 12)
#define EFLAGS_FIXED	0x2u

struct __attribute__((packed)) tss32 {
	u32 link, esp0, ss0, unused[22];
	u16 trap, iomap; /* iomap past the limit: no I/O bitmap, IOPL decides */
};

struct __attribute__((packed)) gdt_ptr {
	u16 limit;
	u32 base;
};

static struct tss32 tss;
static u64 gdt[6];
static u8 kernel_stack[4096] __attribute__((aligned(16)));
static u8 user_stack[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* What the user snippet's exception left. */
static struct {
	u32 vector, error, cr2, ecx, esi, edi;
} seen;

static u64 tss_descriptor(u32 base, u32 limit)
{
	return (limit & 0xffffull) | ((u64)(base & 0xffffff) << 16) | (TSS_TYPE << 40) |
	       ((u64)(limit & 0xf0000) << 32) | ((u64)(base >> 24) << 56);
}

/* The same kernel selectors as guests/lib/desc.c, plus user segments and a TSS. */
static void user_segments_init(void)
{
	gdt[0] = 0;
	gdt[1] = SEG_CODE32(0);
	gdt[2] = SEG_DATA32(0);
	gdt[3] = SEG_CODE32(3);
	gdt[4] = SEG_DATA32(3);
	tss.esp0 = (u32)(kernel_stack + sizeof kernel_stack);
	tss.ss0 = KERNEL_DS;
	tss.iomap = sizeof tss;
	gdt[5] = tss_descriptor((u32)&tss, sizeof tss - 1);
	struct gdt_ptr p = {sizeof gdt - 1, (u32)gdt};
	__asm__ volatile("lgdt %0\n\tltr %w1" : : "m"(p), "r"(TSS_SEL) : "memory");
	identity_allow_user(user_text_start, user_text_end);
	identity_allow_user(user_stack, user_stack + sizeof user_stack);
}

static void back_from_user(struct trap_frame *f)
{
	u32 cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	seen.vector = f->vector;
	seen.error = f->error_code;
	seen.cr2 = cr2;
	seen.ecx = f->ecx;
	seen.esi = f->esi;
	seen.edi = f->edi;
	user_return();
}

static void run_user(const char *snippet, u32 ecx, u32 edx, u32 esi, u32 edi)
{
	struct user_regs r = {
	    .eip = (u32)snippet,
	    .esp = (u32)(user_stack + sizeof user_stack),
	    .eflags = EFLAGS_FIXED | EFLAGS_IOPL3,
	    .ecx = ecx,
	    .edx = edx,
	    .esi = esi,
	    .edi = edi,
	};
	seen.vector = ~0u;
	trap_set_handler(VEC_UD, back_from_user);
	trap_set_handler(VEC_GP, back_from_user);
	trap_set_handler(VEC_PF, back_from_user);
	user_run(&r);
	trap_set_handler(VEC_UD, 0);
	trap_set_handler(VEC_GP, 0);
	trap_set_handler(VEC_PF, 0);
}

void test_user_mode(void)
{
	user_segments_init();
	u8 *user = window_ram(WIN_USER), *super = window_ram(WIN_SUPER);
	for (unsigned i = 0; i < 4; i++)
		user[i] = super[i] = 0;

	outw(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
	run_user(user_rep_insb, 4, FW_CFG_PORT_DATA, 0, WIN_USER);
	report(seen.vector == VEC_UD && seen.ecx == 0 && user[0] == 'Q' && user[3] == 'U',
	       "user: rep insb at CPL 3 into a user page works (vector %u)", seen.vector);

	outw(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
	run_user(user_rep_insb, 4, FW_CFG_PORT_DATA, 0, WIN_SUPER);
	report(seen.vector == VEC_PF && seen.error == 0x7 && seen.cr2 == WIN_SUPER &&
		   seen.ecx == 4 && super[0] == 0,
	       "user: rep insb at CPL 3 into a supervisor page: #PF error 0x%x, CR2 0x%x, "
	       "nothing written",
	       seen.error, seen.cr2);

	/* a fault after the first two elements: ECX and EDI show them */
	outw(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
	run_user(user_rep_insb, 4, FW_CFG_PORT_DATA, 0, WIN_SUPER - 2);
	report(seen.vector == VEC_PF && seen.error == 0x7 && seen.cr2 == WIN_SUPER &&
		   seen.ecx == 2 && seen.edi == WIN_SUPER && user[0xffe] == 'Q',
	       "user: rep insb from a user into a supervisor page faults at the boundary "
	       "(ECX %u)",
	       seen.ecx);

	super[0] = 's';
	run_user(user_rep_outsb, 1, PORT_UNCLAIMED, WIN_SUPER, 0);
	report(seen.vector == VEC_PF && seen.error == 0x5 && seen.cr2 == WIN_SUPER && seen.ecx == 1,
	       "user: rep outsb at CPL 3 from a supervisor page: #PF error 0x%x", seen.error);
}
