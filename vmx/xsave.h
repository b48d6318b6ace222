/* Guest XSAVE state (x87, SSE, AVX, AVX-512) and XCR0, switched per vCPU. VMX switches
 * neither: the guest's registers and XCR0 stay live while its vCPU is loaded, and are saved
 * and restored when another vCPU takes the CPU. CPUs without XSAVE use FXSAVE instead. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

extern bool xsave_enabled;       /* the CPU has XSAVE: guests get it (CPUID, CR4.OSXSAVE) */
extern uint64_t xsave_guest_xcr0; /* the components guests may enable (vmx/xsave_policy.h) */
extern uint32_t xsave_guest_size; /* bytes of a standard-form XSAVE area holding them */

/* On each CPU before it runs guests: CR4.OSXSAVE on, XCR0 to x87|SSE. The first call also
 * works out what guests get. */
void xsave_cpu_init(void);
/* The state area of a new vCPU (XSAVE area or FXSAVE image), at power-on values. */
bool xsave_vcpu_alloc(struct vcpu *v);
void xsave_vcpu_free(struct vcpu *v);
void xsave_vcpu_reset(struct vcpu *v);
/* Saves `from`'s registers (NULL: none) and loads `to`'s, XCR0 included. */
void xsave_switch(struct vcpu *from, struct vcpu *to);
/* XSETBV from the guest of the loaded vCPU: false if it must #GP. */
bool xsave_set_xcr0(struct vcpu *v, uint64_t value);
