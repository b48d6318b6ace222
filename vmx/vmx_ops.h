/* VMX instructions. VMREAD/VMWRITE failures are bugs in the hypervisor's VMCS handling:
 * the checked wrappers report the field and the VM-instruction error and mark the CPU's
 * current vCPU as broken (vmcs_failed), which the run loop turns into stopping that VM. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

extern bool vmcs_failed;

__attribute__((cold)) void vmcs_report_failure(const char *op, uint32_t field, uint64_t value);

static inline bool vmx_on(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_clear(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_load(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

/* VMREAD/VMWRITE branch straight to the cold failure path on CF=1 (VMfailInvalid) or
 * ZF=1 (VMfailValid): one extra instruction on the exit path, which is hot. */
static inline uint64_t vmcs_read(uint32_t field)
{
	uint64_t v;
	__asm__ goto("vmread %1, %0\n\tjna %l[fail]"
		     : "=r"(v)
		     : "r"((uint64_t)field)
		     : "cc"
		     : fail);
	return v;
fail:
	vmcs_report_failure("VMREAD", field, 0);
	return 0;
}

static inline void vmcs_write(uint32_t field, uint64_t value)
{
	__asm__ goto("vmwrite %0, %1\n\tjna %l[fail]"
		     :
		     : "r"(value), "r"((uint64_t)field)
		     : "cc", "memory"
		     : fail);
	return;
fail:
	vmcs_report_failure("VMWRITE", field, value);
}

#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT    2

/* Drops the translations tagged with `vpid`: single-context INVVPID where the CPU has it
 * (vmx_caps.invvpid_single), else all contexts (VPIDs are used only with one of them). */
static inline bool invvpid_single(uint16_t vpid, bool single_supported)
{
	struct {
		uint64_t vpid;
		uint64_t linear;
	} desc = {vpid, 0};
	bool fail;
	uint64_t type = single_supported ? INVVPID_SINGLE_CONTEXT : INVVPID_ALL_CONTEXT;
	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail)
			 : "m"(desc), "r"(type)
			 : "cc", "memory");
	return !fail;
}
