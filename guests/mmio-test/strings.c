/* String instructions with the test device on one or both sides: MOVS in both directions
 * and backwards, LODS, STOS, OUTS reading the device and INS writing it. */
#include "devices/fw_cfg.h"
#include "guests/lib/report.h"
#include "guests/lib/serial.h"
#include "guests/lib/x86.h"
#include "guests/mmio-test/tests.h"

#define FW_CFG_SIGNATURE_VALUE 0x554d4551u /* "QEMU" */

static u32 ram_buf[4];

static void movs_both_directions(void)
{
	ram_buf[0] = 0x11111111;
	ram_buf[1] = 0x22222222;
	const u32 *src = ram_buf;
	volatile u32 *dst = SCRATCH;
	u32 count = 2;
	__asm__ volatile("cld; rep movsl" : "+S"(src), "+D"(dst), "+c"(count) : : "memory");
	u64 s = scratch_get(SCRATCH);
	report(s == 0x2222222211111111ull && count == 0 && src == ram_buf + 2 && dst == SCRATCH + 2,
	       "string: rep movsl RAM -> device (0x%08x%08x)", (u32)(s >> 32), (u32)s);

	scratch_set(SCRATCH, 0x8877665544332211ull);
	ram_buf[0] = ram_buf[1] = 0;
	volatile u32 *from = SCRATCH;
	u8 *to = (u8 *)ram_buf;
	count = 8;
	__asm__ volatile("cld; rep movsb" : "+S"(from), "+D"(to), "+c"(count) : : "memory");
	report(ram_buf[0] == 0x44332211 && ram_buf[1] == 0x88776655 && count == 0 &&
		   to == (u8 *)ram_buf + 8,
	       "string: rep movsb device -> RAM (0x%08x 0x%08x)", ram_buf[0], ram_buf[1]);

	/* backwards, words, device to RAM: the last word first */
	ram_buf[0] = ram_buf[1] = 0;
	const volatile u16 *wfrom = (const volatile u16 *)SCRATCH + 3;
	u16 *wto = (u16 *)ram_buf + 3;
	count = 4;
	__asm__ volatile("std; rep movsw; cld" : "+S"(wfrom), "+D"(wto), "+c"(count) : : "memory");
	report(ram_buf[0] == 0x44332211 && ram_buf[1] == 0x88776655 &&
		   (u32)wfrom == (u32)SCRATCH - 2 && (u32)wto == (u32)ram_buf - 2,
	       "string: std; rep movsw device -> RAM, backwards");

	/* device to device: one register into the other */
	scratch_set(SCRATCH_END, 0);
	from = SCRATCH;
	volatile u32 *to_dev = SCRATCH_END;
	count = 2;
	__asm__ volatile("cld; rep movsl" : "+S"(from), "+D"(to_dev), "+c"(count) : : "memory");
	u64 e = scratch_get(SCRATCH_END);
	report(e == 0x8877665544332211ull, "string: rep movsl device -> device (0x%08x%08x)",
	       (u32)(e >> 32), (u32)e);
}

static void lods_and_stos(void)
{
	scratch_set(SCRATCH, 0xa1b2c3d4e5f60718ull);
	const volatile u32 *src = SCRATCH + 1;
	u32 v = 0;
	__asm__ volatile("cld; lodsl" : "+S"(src), "=a"(v) : : "memory");
	report(v == 0xa1b2c3d4 && src == SCRATCH + 2, "string: lodsl from the device (0x%08x)", v);
	src = SCRATCH;
	u32 count = 2;
	v = 0xffffff00;
	__asm__ volatile("cld; rep lodsb" : "+S"(src), "+a"(v), "+c"(count) : : "memory");
	report(v == 0xffffff07 && count == 0, "string: rep lodsb keeps the last byte (0x%08x)", v);

	volatile u32 *dst = SCRATCH_END;
	count = 8;
	__asm__ volatile("cld; rep stosb" : "+D"(dst), "+c"(count) : "a"(0x5a) : "memory");
	u64 e = scratch_get(SCRATCH_END);
	report(e == 0x5a5a5a5a5a5a5a5aull && count == 0, "string: rep stosb into the device");
}

static void port_strings(void)
{
	/* OUTS reads the device: its bytes go to the console as a line of their own */
	static const char line[8] = "OUTS-OK\n";
	u64 text = 0;
	for (unsigned i = 0; i < sizeof line; i++)
		text |= (u64)(u8)line[i] << (8 * i);
	scratch_set(SCRATCH, text);
	const volatile u32 *src = SCRATCH;
	u32 count = sizeof line;
	serial_wait_idle();
	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(count) : "d"(UART_THR) : "memory");
	report(count == 0 && (u32)src == (u32)SCRATCH + 8, "string: rep outsb from the device");

	/* INS writes the device: fw_cfg's signature lands in the scratch register */
	scratch_set(SCRATCH, 0);
	outw(FW_CFG_PORT_SELECTOR, FW_CFG_SIGNATURE);
	volatile u32 *dst = SCRATCH;
	count = 4;
	__asm__ volatile("cld; rep insb"
			 : "+D"(dst), "+c"(count)
			 : "d"(FW_CFG_PORT_DATA)
			 : "memory");
	u32 sig = SCRATCH[0];
	report(sig == FW_CFG_SIGNATURE_VALUE && count == 0,
	       "string: rep insb into the device (0x%08x)", sig);
}

void test_strings(void)
{
	movs_both_directions();
	lods_and_stos();
	port_strings();
}
