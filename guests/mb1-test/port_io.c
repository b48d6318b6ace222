/* Port I/O to nothing reads all ones; string I/O moves every element. */
#include "guests/lib/report.h"
#include "guests/lib/serial.h"
#include "guests/lib/string.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

#define PORT_UNCLAIMED 0x2f0

void test_port_io(void)
{
	report(inb(PORT_UNCLAIMED) == 0xff, "pio: inb of unclaimed port is 0xff");
	report(inw(PORT_UNCLAIMED) == 0xffff, "pio: inw of unclaimed port is 0xffff");
	report(inl(PORT_UNCLAIMED) == 0xffffffff, "pio: inl of unclaimed port is 0xffffffff");

	u8 buf[8 + 1] = {0};
	u8 *dst = buf;
	u32 count = 8;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(count) : "d"(PORT_UNCLAIMED) : "memory");
	bool all_ones = true;
	for (u32 i = 0; i < 8; i++)
		all_ones &= buf[i] == 0xff;
	report(all_ones && buf[8] == 0 && count == 0 && dst == buf + 8,
	       "pio: rep insb fills 8 bytes with 0xff");

	static const char line[] = "outsb: hello\n";
	const char *src = line;
	count = sizeof(line) - 1;
	serial_wait_idle();
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(UART_THR) : "memory");
	report(count == 0 && src == line + sizeof(line) - 1, "pio: rep outsb to the console");
}
