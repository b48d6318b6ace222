/* Guest entry and the VM-exit stub.
 *
 * int vmx_enter(struct guest_regs *regs, int launched)
 *   Saves the host's callee-saved registers, points VMCS HOST_RSP at this stack (a VMWRITE
 *   only when it differs from regs->host_rsp), loads the guest GPRs and executes VMLAUNCH
 *   (first entry) or VMRESUME.
 * vmx_exit_landing (VMCS HOST_RIP) stores the guest GPRs and calls
 *   int vmx_exit_dispatch(struct guest_regs *regs)
 *   in C. On 0 it reloads the guest GPRs and resumes the guest at once (the common case:
 *   no host state to restore); otherwise vmx_enter returns 0 to its caller (the vCPU left
 *   the CPU: slice over, halted, VM ended). When VMLAUNCH/VMRESUME itself fails vmx_enter
 *   returns 1 (VMfailInvalid, CF=1) or 2 (VMfailValid, ZF=1: see VM-instruction error).
 *
 * struct guest_regs is uint64_t gpr[16] in x86 register-number order (vmx/guest_regs.h). */

#define VMCS_HOST_RSP 0x6c14
#define R(n) (n * 8)
#define RAX R(0)
#define RCX R(1)
#define RDX R(2)
#define RBX R(3)
#define RBP R(5)
#define RSI R(6)
#define RDI R(7)
#define HOST_RSP_CACHE R(16)	/* struct guest_regs.host_rsp */

/* Guest GPRs from (%rdi), which is loaded last; leaves flags alone. */
	.macro load_guest_gprs
	movq RAX(%rdi), %rax
	movq RCX(%rdi), %rcx
	movq RDX(%rdi), %rdx
	movq RBX(%rdi), %rbx
	movq RBP(%rdi), %rbp
	movq RSI(%rdi), %rsi
	movq R(8)(%rdi), %r8
	movq R(9)(%rdi), %r9
	movq R(10)(%rdi), %r10
	movq R(11)(%rdi), %r11
	movq R(12)(%rdi), %r12
	movq R(13)(%rdi), %r13
	movq R(14)(%rdi), %r14
	movq R(15)(%rdi), %r15
	movq RDI(%rdi), %rdi		/* last: it was the base pointer */
	.endm

	.text
	.global vmx_enter
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* regs, found again at (%rsp) on exit */
	cmpq %rsp, HOST_RSP_CACHE(%rdi)
	je 1f
	movl $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	movq %rsp, HOST_RSP_CACHE(%rdi)
1:	testl %esi, %esi
	jnz resume_guest
	load_guest_gprs
	cmpb $0, spec_verw_on_entry(%rip)
	je 5f
	verw verw_selector(%rip)
5:	vmlaunch
	jmp entry_failed

resume_guest:
	load_guest_gprs
	/* MDS/TAA: clear CPU buffers as late as possible (vmx/spec_policy.h). VERW changes
	 * ZF only, and the selector is a memory operand: no guest register is disturbed. */
	cmpb $0, spec_verw_on_entry(%rip)
	je 4f
	verw verw_selector(%rip)
4:	vmresume
entry_failed:
	movl $1, %eax			/* mov leaves CF/ZF alone */
	jc 3f
	movl $2, %eax
3:	addq $8, %rsp
	jmp vmx_return

	.global vmx_exit_landing
vmx_exit_landing:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, RAX(%rdi)
	movq %rcx, RCX(%rdi)
	movq %rdx, RDX(%rdi)
	movq %rbx, RBX(%rdi)
	movq %rbp, RBP(%rdi)
	movq %rsi, RSI(%rdi)
	movq %r8, R(8)(%rdi)
	movq %r9, R(9)(%rdi)
	movq %r10, R(10)(%rdi)
	movq %r11, R(11)(%rdi)
	movq %r12, R(12)(%rdi)
	movq %r13, R(13)(%rdi)
	movq %r14, R(14)(%rdi)
	movq %r15, R(15)(%rdi)
	popq RDI(%rdi)
	/* Return predictions the guest left behind must not steer the hypervisor's RETs:
	 * overwrite the RSB with 32 harmless entries (vmx/spec_policy.h). */
	cmpb $0, spec_rsb_fill_on_exit(%rip)
	je 9f
	movl $16, %eax
6:	call 7f
10:	pause			/* only ever reached speculatively, through a stale RET */
	lfence
	jmp 10b
7:	call 8f
11:	pause
	lfence
	jmp 11b
8:	decl %eax
	jnz 6b
	addq $(32 * 8), %rsp
9:
	/* RSP is HOST_RSP again, 16-byte aligned, with the regs pointer at (%rsp). */
	call vmx_exit_dispatch
	testl %eax, %eax
	jnz leave_guest
	movq (%rsp), %rdi
	jmp resume_guest
leave_guest:
	addq $8, %rsp
	xorl %eax, %eax
vmx_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .rodata
	.balign 2
verw_selector:
	.word 0x10			/* GDT_KERNEL_DS: any valid data segment */

	.section .note.GNU-stack, "", @progbits
