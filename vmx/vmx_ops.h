/* VMX instructions. VMREAD/VMWRITE failures are bugs in the hypervisor's VMCS handling:
 * the checked wrappers report the field and the VM-instruction error and mark the CPU's
 * current vCPU as broken (vmcs_failed), which the run loop turns into stopping that VM. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

extern bool vmcs_failed;

void vmcs_report_failure(const char *op, uint32_t field, uint64_t value);

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

/* setna: CF=1 (VMfailInvalid) or ZF=1 (VMfailValid) */
static inline uint64_t vmcs_read(uint32_t field)
{
	uint64_t v;
	bool fail;
	__asm__ volatile("vmread %2, %0; setna %1"
			 : "=r"(v), "=qm"(fail)
			 : "r"((uint64_t)field)
			 : "cc");
	if (__builtin_expect(fail, 0)) {
		vmcs_report_failure("VMREAD", field, 0);
		return 0;
	}
	return v;
}

static inline void vmcs_write(uint32_t field, uint64_t value)
{
	bool fail;
	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=qm"(fail)
			 : "r"(value), "r"((uint64_t)field)
			 : "cc", "memory");
	if (__builtin_expect(fail, 0))
		vmcs_report_failure("VMWRITE", field, value);
}

static inline bool invvpid_single(uint16_t vpid)
{
	struct {
		uint64_t vpid;
		uint64_t linear;
	} desc = {vpid, 0};
	bool fail;
	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail)
			 : "m"(desc), "r"((uint64_t)1)
			 : "cc", "memory");
	return !fail;
}
