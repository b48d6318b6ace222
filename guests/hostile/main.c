/* A guest that misbehaves: it writes far outside its RAM and every MMIO region. mhv must stop
 * it at that write; if it does not, the guest says so and triple-faults. Run it with mem=16.
 * With cmdline=triple it skips the write and goes straight to the triple fault. */
#include "guests/lib/desc.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/printf.h"

#define OUTSIDE_GPA 0x80000000u /* 2 GiB: beyond mem=16 RAM, below the PCI window */

static bool cmdline_is(const struct mb1_info *mbi, const char *want)
{
	if (!(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return false;
	const char *c = (const char *)(uintptr_t)mbi->cmdline;
	while (*want && *c == *want)
		c++, want++;
	return !*want && !*c;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	if (cmdline_is(mbi, "triple")) {
		printf("hostile: triple-faulting\n");
	} else {
		printf("hostile: writing outside RAM\n");
		*(volatile u32 *)OUTSIDE_GPA = 0xdeadbeef;
		printf("hostile: still alive\n");
	}
	/* No IDT: INT3 cannot be delivered, nor can the #GP or #DF that follow. */
	idt_load_empty();
	__asm__ volatile("int3; ud2");
	return 1;
}
