#include "guests/chaos-ref/ref.h"

#define PAGE_SIZE    4096u
#define LOW_START    0x1000u   /* page 0 is left alone */
#define LOW_END	     0x100000u /* the legacy area is RAM too (reported reserved) */
#define PATTERN_SALT 0x6d687652u

extern char __image_end[];

struct range {
	u32 start, end;
};

static struct range ranges[2];
static u32 expected_sum;
static u32 next_range, next_addr, running_sum;

/* A word that depends on its address only, and differs from its neighbours. */
static u32 pattern_at(u32 addr)
{
	u32 x = addr ^ PATTERN_SALT;
	x *= 0x9e3779b1u;
	return x ^ (x >> 15);
}

void pattern_fill(u32 ram_bytes)
{
	ranges[0] = (struct range){LOW_START, LOW_END};
	ranges[1] =
	    (struct range){((u32)__image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), ram_bytes};
	for (u32 r = 0; r < 2; r++)
		for (u32 a = ranges[r].start; a < ranges[r].end; a += 4) {
			*(volatile u32 *)a = pattern_at(a);
			expected_sum = (expected_sum << 1 | expected_sum >> 31) + pattern_at(a);
		}
	next_range = 0;
	next_addr = ranges[0].start;
}

u32 pattern_expected_sum(void)
{
	return expected_sum;
}

bool pattern_check_some(u32 bytes, u32 *sum)
{
	for (u32 done = 0; done < bytes; done += 4) {
		u32 got = *(volatile u32 *)next_addr, want = pattern_at(next_addr);
		if (got != want)
			ref_fail("RAM at 0x%08x is 0x%08x, wrote 0x%08x", next_addr, got, want);
		running_sum = (running_sum << 1 | running_sum >> 31) + got;
		next_addr += 4;
		if (next_addr < ranges[next_range].end)
			continue;
		next_range = (next_range + 1) % 2;
		next_addr = ranges[next_range].start;
		if (next_range == 0) {
			*sum = running_sum;
			running_sum = 0;
			return true;
		}
	}
	return false;
}
