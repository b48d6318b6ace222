/* MMIO decode through the test device's scratch register (kernel/guest_abi.h): each access
 * below is a different instruction form the hypervisor must decode and emulate. */
#include "guests/lib/report.h"
#include "guests/mb1-test/tests.h"
#include "kernel/guest_abi.h"

#define SCRATCH (MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH)

static inline void mov32_write(u32 v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(SCRATCH) : "memory");
}

static inline u32 mov32_read(void)
{
	u32 v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(SCRATCH) : "memory");
	return v;
}

void test_mmio(void)
{
	u32 v;

	mov32_write(0x12345678);
	report(mov32_read() == 0x12345678, "mmio: 32-bit MOV write reads back");

	mov32_write(0xcafe00a5);
	__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(SCRATCH) : "memory");
	report(v == 0xa5, "mmio: MOVZX byte read (0x%x)", v);

	__asm__ volatile("movb %0, (%1)" : : "q"((u8)0x80), "r"(SCRATCH) : "memory");
	__asm__ volatile("movsbl (%1), %0" : "=r"(v) : "r"(SCRATCH) : "memory");
	report(v == 0xffffff80, "mmio: MOVSX of byte 0x80 is 0xffffff80 (0x%x)", v);
	v = mov32_read();
	report(v == 0xcafe0080, "mmio: byte write keeps the other bytes (0x%x)", v);

	mov32_write(0x11223344);
	__asm__ volatile("movw %0, (%1)" : : "r"((u16)0xbeef), "r"(SCRATCH) : "memory");
	u16 w;
	__asm__ volatile("movw (%1), %0" : "=r"(w) : "r"(SCRATCH) : "memory");
	v = mov32_read();
	report(w == 0xbeef && v == 0x1122beef, "mmio: 16-bit write/read (0x%x, 0x%x)", w, v);

	/* REP STOS is emulated element by element: ECX and EDI must end as on hardware. */
	mov32_write(0);
	u32 dst = SCRATCH, count = 2;
	__asm__ volatile("cld; rep stosl" : "+D"(dst), "+c"(count) : "a"(0x600dcafe) : "memory");
	v = mov32_read();
	report(v == 0x600dcafe && count == 0 && dst == SCRATCH + 8,
	       "mmio: rep stosl of 2 dwords (0x%x, ECX %u)", v, count);
}
