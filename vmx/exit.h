/* VM-exit handling: one table indexed by basic exit reason. Handlers return what the run
 * loop does next. Anything without a handler goes to exit_unhandled(), which dumps the
 * exit and the guest state and stops that VM only. */
#pragma once
#include "vmx/vcpu.h"
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

enum exit_action vmx_handle_exit(struct vcpu *v, uint32_t reason);
enum exit_action exit_unhandled(struct vcpu *v, const struct exit_info *x, const char *why);
/* Dump the exit and guest state to the console (used by every stop path). */
void exit_dump(struct vcpu *v, const struct exit_info *x, const char *why);

/* Shared helpers for handlers. */
/* 64-bit mode: IA-32e mode and a 64-bit code segment (not compatibility mode). */
bool guest_in_64bit_mode(void);
void guest_skip_instruction(void);
void inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
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
