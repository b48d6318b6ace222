#include "guests/lib/exit.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

void guest_exit(u32 code)
{
	outl(MHV_DEBUG_EXIT_PORT, code);
	/* Only reached without a debug-exit device: park with interrupts off. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
