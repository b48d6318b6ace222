/* RDMSR/WRMSR of interesting and random MSRs with edge-case values. MSRs our own execution
 * depends on are put back afterwards. */
#include "guests/chaos/chaos.h"
#include "guests/lib/safe.h"

#define MSR_X2APIC_ICR	0x830
#define MSR_SYSENTER_CS 0x174
#define MSR_PAT		0x277
#define MSR_EFER	0xc0000080
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101

static const u32 interesting[] = {
    0x10,	0x17,	    0x1b,	0x3a,	    0x3b,	0x48,	    0x49,	0x8b,
    0x9b,	0x9e,	    0xc1,	0xe7,	    0xe8,	0xfe,	    0x10a,	0x10b,
    0x122,	0x140,	    0x174,	0x175,	    0x176,	0x179,	    0x17a,	0x186,
    0x19a,	0x1a0,	    0x1a2,	0x1b1,	    0x1d9,	0x200,	    0x201,	0x250,
    0x277,	0x2ff,	    0x345,	0x38f,	    0x3f1,	0x400,	    0x401,	0x480,
    0x48b,	0x491,	    0x600,	0x6a0,	    0x6e0,	0x6e1,	    0x800,	0x802,
    0x803,	0x808,	    0x80b,	0x80f,	    0x830,	0x838,	    0x83f,	0x8ff,
    0xd90,	0xda0,	    0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100,
    0xc0000101, 0xc0000102, 0xc0000103, 0xc0010000, 0xc0011022, 0x40000000, 0x40000001, 0x4b564d00,
    0x4b564d01, 0x4b564d02,
};

/* The ones whose value our own code relies on (APIC_BASE has its own restore); SYSENTER_CS
 * must stay 0 so that SYSENTER and SYSEXIT fault rather than jump. */
static const u32 restored[] = {MSR_EFER, MSR_PAT, MSR_FS_BASE, MSR_GS_BASE, MSR_SYSENTER_CS};

static u32 random_msr(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd();
	case 1:
		return rnd_below(0x2000); /* the low range of the MSR bitmaps */
	case 2:
		return 0xc0000000u + rnd_below(0x2000); /* the high range */
	default:
		return rnd_pick(interesting, COUNT(interesting));
	}
}

/* Non-canonical and boundary addresses, reserved bits, flipped bits of the old value. */
static u64 random_msr_value(u64 old)
{
	switch (rnd_below(7)) {
	case 0:
		return old ^ (1ull << rnd_below(64));
	case 1:
		return 0x0000800000000000ull; /* first non-canonical */
	case 2:
		return 0x00007ffffffff000ull;
	case 3:
		return old;
	case 4:
		return rnd_value();
	case 5:
		return (u64)rnd_value() << 32 | rnd_value();
	default:
		return rnd64();
	}
}

static bool is_restored(u32 msr)
{
	for (u32 i = 0; i < COUNT(restored); i++)
		if (restored[i] == msr)
			return true;
	return false;
}

void op_msr(void)
{
	u32 n = 1 + rnd_below(8);
	for (u32 i = 0; i < n; i++) {
		u32 msr = random_msr();
		u64 old = 0;
		bool readable = rdmsr_safe(msr, &old);
		if (!readable)
			stats.faults++;
		if (rnd_chance(40))
			continue;
		u64 v = random_msr_value(old);
		/* An ICR write from the BSP must not INIT itself: that is a reset. */
		if (msr == MSR_X2APIC_ICR)
			v = (v & ~0xffffffffull) | icr_tame((u32)v);
		trace("wrmsr 0x%x = 0x%llx (was 0x%llx%s)", msr, v, old, readable ? "" : ", #GP");
		if (!wrmsr_safe(msr, v))
			stats.faults++;
		if (readable && is_restored(msr))
			wrmsr_safe(msr, old);
	}
	apic_restore();
}
