/* Exceptions and interrupts taken by the hypervisor itself. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum {
	VEC_DIVIDE_ERROR = 0,
	VEC_DEBUG = 1,
	VEC_NMI = 2,
	VEC_BREAKPOINT = 3,
	VEC_INVALID_OPCODE = 6,
	VEC_DOUBLE_FAULT = 8,
	VEC_GENERAL_PROTECTION = 13,
	VEC_PAGE_FAULT = 14,
	VEC_MACHINE_CHECK = 18,
	VEC_FIRST_IRQ = 32,
};

/* Layout pushed by boot/isr.S: GPRs, vector, error code, then the CPU's interrupt frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_fn)(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f);
/* RDMSR of an MSR the CPU may not implement (model-specific ones): false, *val = 0, where
 * the RDMSR raised #GP. */
bool rdmsr_safe(uint32_t msr, uint64_t *val);
void irq_register(unsigned vector, irq_handler_fn fn);
/* An interrupt the CPU acknowledged on VM exit: run its handler (frame is NULL). */
void host_irq_dispatch(unsigned vector);
/* An NMI, taken in the hypervisor or reported by a VM exit: counted, lock-free. */
void host_nmi(void);
/* Frame-pointer backtrace starting at rbp, printed under the console lock held by caller. */
void print_backtrace(uint64_t rip, uint64_t rbp);
