/* Every switch saves and restores with XCR0 set to all the guest components, whatever the
 * outgoing and incoming guests enabled: SSE registers are usable without XCR0.SSE (FXSAVE
 * manages them then), and a component missing from the restore would keep the previous
 * guest's values. Components a guest never used restore to their initial state. */
#include "vmx/xsave.h"
#include "kernel/kstring.h"
#include "kernel/mem.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"
#include "vmx/xsave_policy.h"

#define CPUID1_ECX_XSAVE  (1u << 26)
#define LEGACY_FCW	  0	 /* x87 control word in the FXSAVE/XSAVE legacy region */
#define LEGACY_MXCSR	  24	 /* SSE control/status */
#define XSAVE_HEADER	  512	 /* XSTATE_BV, XCOMP_BV, reserved: 64 bytes */
#define FXSAVE_SIZE	  512
#define FCW_POWER_ON	  0x037f /* all x87 exceptions masked, 64-bit precision */
#define MXCSR_POWER_ON	  0x1f80 /* all SSE exceptions masked */
#define XCR0_POWER_ON	  XFEATURE_X87
#define HOST_XCR0	  (XFEATURE_X87 | XFEATURE_SSE)

bool xsave_enabled;
uint64_t xsave_guest_xcr0;
uint32_t xsave_guest_size = FXSAVE_SIZE;

static void xsetbv(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static uint64_t xgetbv(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

void xsave_cpu_init(void)
{
	uint32_t a, b, c, d, max;
	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	if (max < 0xd || !(c & CPUID1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(HOST_XCR0);
	if (xsave_enabled)
		return;
	cpuid(0xd, 0, &a, &b, &c, &d);
	xsave_guest_xcr0 = xsave_guest_mask((uint64_t)d << 32 | a);
	/* The standard form puts component i at CPUID 0xd.i EBX, EAX bytes long. */
	uint32_t size = XSAVE_HEADER + 64;
	for (unsigned i = 2; i < 64; i++) {
		if (!(xsave_guest_xcr0 >> i & 1))
			continue;
		cpuid(0xd, i, &a, &b, &c, &d);
		size = b + a > size ? b + a : size;
	}
	xsave_guest_size = size;
	xsave_enabled = true;
}

bool xsave_vcpu_alloc(struct vcpu *v)
{
	uint64_t pages = ALIGN_UP(xsave_guest_size, PAGE_SIZE) / PAGE_SIZE;
	uint64_t pa = frame_alloc_contig(pages, 1);
	if (pa == FRAME_NONE)
		return false;
	v->xstate = phys_to_virt(pa);
	v->xstate_pages = (unsigned)pages;
	return true;
}

void xsave_vcpu_free(struct vcpu *v)
{
	if (v->xstate)
		frame_free(virt_to_phys(v->xstate), v->xstate_pages);
	v->xstate = 0;
}

/* The state after RESET/INIT: x87 and SSE controls at their power-on values, every other
 * component (XSTATE_BV 0) in its initial state, XCR0 = x87 only. */
void xsave_vcpu_reset(struct vcpu *v)
{
	memset(v->xstate, 0, xsave_guest_size);
	*(uint16_t *)(v->xstate + LEGACY_FCW) = FCW_POWER_ON;
	*(uint32_t *)(v->xstate + LEGACY_MXCSR) = MXCSR_POWER_ON;
	v->xcr0 = XCR0_POWER_ON;
	v->xss = 0;
}

void xsave_switch(struct vcpu *from, struct vcpu *to)
{
	if (!xsave_enabled) {
		if (from)
			__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FXSAVE_SIZE])from->xstate));
		__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[FXSAVE_SIZE])to->xstate));
		return;
	}
	if (xgetbv() != xsave_guest_xcr0)
		xsetbv(xsave_guest_xcr0);
	if (from)
		__asm__ volatile("xsave64 (%0)" : : "r"(from->xstate), "a"(~0u), "d"(~0u) : "memory");
	__asm__ volatile("xrstor64 (%0)" : : "r"(to->xstate), "a"(~0u), "d"(~0u) : "memory");
	xsetbv(to->xcr0);
}

bool xsave_set_xcr0(struct vcpu *v, uint64_t value)
{
	if (!xcr0_valid(value, xsave_guest_xcr0))
		return false;
	v->xcr0 = value;
	xsetbv(value); /* the vCPU is loaded: its XCR0 is the live one */
	return true;
}
