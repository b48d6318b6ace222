/* VM-exit handling: one table indexed by basic exit reason. Handlers return what the run
 * loop does next. Anything without a handler goes to exit_unhandled(), which dumps the
 * exit and the guest state and stops that VM only. */
#pragma once
#include "vmx/guest_vmem.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include <stdint.h>

enum exit_action {
	EXIT_RESUME,  /* re-enter the guest */
	EXIT_YIELD,   /* back to the scheduler (slice over, halted, VM ended) */
};

struct exit_info {
	uint32_t reason;       /* full exit reason field */
	uint64_t qualification;
};

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, const struct exit_info *x);

enum exit_action exit_unhandled(struct vcpu *v, const struct exit_info *x, const char *why);
/* Dump the exit and guest state to the console (used by every stop path). */
void exit_dump(struct vcpu *v, const struct exit_info *x, const char *why);

/* Shared helpers for handlers. */
/* 64-bit mode: IA-32e mode and a 64-bit code segment (not compatibility mode). */
bool guest_in_64bit_mode(void);
void inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/* A fault found by an emulated access (vmx/guest_vmem.h); a #PF also sets the guest's CR2. */
void inject_mem_fault(struct vcpu *v, const struct mem_fault *f);
#define inject_gp(v) inject_exception((v), 13, true, 0)
#define inject_ud(v) inject_exception((v), 6, false, 0)

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_rdmsr(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_wrmsr(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_io(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_ept_violation(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_vmcall(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_hlt(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_intr_window(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_virtualized_eoi(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *x);
enum exit_action handle_pause(struct vcpu *v, const struct exit_info *x);
/* Emulates the instruction at RIP, whose data access touched MMIO at `gpa` (exit_ept.c). */
enum exit_action exit_emulate_mmio(struct vcpu *v, const struct exit_info *x, uint64_t gpa);

/* Moves the guest to `rip`, past an instruction the hypervisor completed for it. */
static inline void guest_set_rip(uint64_t rip)
{
	vmcs_write(VMCS_GUEST_RIP, rip);
	/* Completing an instruction ends any STI/MOV-SS interrupt shadow it was in. */
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (GUEST_INTR_BLOCK_STI | GUEST_INTR_BLOCK_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(uint64_t)(GUEST_INTR_BLOCK_STI | GUEST_INTR_BLOCK_MOV_SS));
}

/* Moves the guest past the instruction that exited. Inline: every emulated instruction
 * ends here, on the hottest path. */
static inline void guest_skip_instruction(void)
{
	guest_set_rip(vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
}

extern const exit_handler_fn exit_handlers[EXIT_REASON_COUNT];

/* Exits whose handlers use the exit qualification; the others skip the VMREAD. */
#define EXIT_QUALIFICATION_USED                                                                    \
	(1ull << EXIT_REASON_EXCEPTION_NMI | 1ull << EXIT_REASON_CR_ACCESS |                        \
	 1ull << EXIT_REASON_IO_INSTRUCTION | 1ull << EXIT_REASON_EPT_VIOLATION |                 \
	 1ull << EXIT_REASON_ENTRY_FAIL_GUEST_STATE | 1ull << EXIT_REASON_ENTRY_FAIL_MSR_LOAD |    \
	 1ull << EXIT_REASON_APIC_ACCESS | 1ull << EXIT_REASON_VIRTUALIZED_EOI |                   \
	 1ull << EXIT_REASON_APIC_WRITE)

/* The dispatch table lookup, inline in the exit path. Reasons without a handler go to
 * exit_unhandled(), which dumps the exit and stops that VM only. */
static inline enum exit_action vmx_handle_exit(struct vcpu *v, uint32_t reason)
{
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	struct exit_info x = {.reason = reason};
	if (basic < 64 && (EXIT_QUALIFICATION_USED >> basic & 1))
		x.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
	if (basic < VCPU_EXIT_COUNTERS)
		v->exits[basic]++;
	if (basic >= EXIT_REASON_COUNT || !exit_handlers[basic])
		return exit_unhandled(v, &x, "unhandled VM exit");
	return exit_handlers[basic](v, &x);
}
