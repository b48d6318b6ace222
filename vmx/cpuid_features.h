/* The CPUID feature bits guests can see, one row per bit, with the rule that decides it and
 * why: the single source for leaves 1, 7.0, 0xd.1 and 0x80000001 (vmx/cpuid_policy.h has the
 * other leaves). A bit with no row is never shown, so a feature new CPUs add stays hidden
 * until someone decides what it needs. Rows naming an MSR are checked against the MSRs mhv
 * emulates by the host tests. */
#pragma once
#include "vmx/cpuid_policy.h"
#include <stdbool.h>
#include <stdint.h>

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

enum cpuid_rule {
	FEAT_HIDE,	    /* never */
	FEAT_PASS,	    /* as the host CPU has it */
	FEAT_SET,	    /* always: mhv emulates it */
	FEAT_IF_APIC,	    /* IA32_APIC_BASE.EN */
	FEAT_IF_XSAVE,	    /* the host has XSAVE (XCR0 switched per vCPU) */
	FEAT_IF_OSXSAVE,    /* the guest's CR4.OSXSAVE */
	FEAT_IF_AVX,	    /* host has it and XCR0 may enable AVX state */
	FEAT_IF_AVX512,	    /* host has it and XCR0 may enable the AVX-512 states */
	FEAT_IF_XSAVES,	    /* "enable XSAVES/XRSTORS" is set */
	FEAT_IF_RDTSCP,	    /* "enable RDTSCP" is set (RDPID too) */
	FEAT_IF_INVPCID,    /* "enable INVPCID" is set */
	FEAT_IF_TSC_ADJUST, /* "use TSC offsetting": IA32_TSC_ADJUST emulated */
};

struct cpuid_feature {
	uint32_t leaf;
	uint8_t subleaf, reg, bit, rule;
	uint32_t msr; /* the MSR the feature implies, 0 if none */
	const char *name, *why;
};

extern const struct cpuid_feature cpuid_features[];
extern const unsigned cpuid_nfeatures;

/* Whether row f's bit is shown under policy p when the host has it (host_has). */
bool cpuid_feature_on(const struct cpuid_feature *f, const struct cpuid_policy *p, bool host_has);
/* Whether (leaf, subleaf, reg) is a feature register ruled by the table. */
bool cpuid_feature_reg(uint32_t leaf, uint32_t subleaf, enum cpuid_reg reg);
