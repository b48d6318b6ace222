/* Everything a guest can rely on from mhv: the contract shared by the hypervisor and the
 * test guests in guests/. Plain #defines so 16-, 32- and 64-bit guest code can use it. */
#pragma once

/* CPUID leaf 0x40000000: EAX = highest hypervisor leaf, EBX/ECX/EDX = signature. */
#define MHV_CPUID_LEAF_BASE  0x40000000u
#define MHV_CPUID_SIGNATURE  "MHVMHVMHVMHV" /* 12 bytes, EBX then ECX then EDX */
#define MHV_CPUID_SIG_EBX    0x4d56484du    /* "MHVM", little-endian */
#define MHV_CPUID_SIG_ECX    0x484d5648u    /* "HVMH" */
#define MHV_CPUID_SIG_EDX    0x56484d56u    /* "VMHV" */

/* CPUID leaf 0x40000010: EAX = TSC frequency in kHz (as the hypervisor calibrated it). */
#define MHV_CPUID_LEAF_TIMING 0x40000010u

/* Debug-exit device (QEMU isa-debug-exit semantics): writing V ends the VM with exit code V. */
#define MHV_DEBUG_EXIT_PORT 0xf4

/* Guest-visible console until the 16550 model lands: bytes written to COM1's THR. */
#define MHV_CONSOLE_PORT 0x3f8

/* Test device: a 4 KiB MMIO page. Offsets 0 and 0xff8 are 64-bit scratch registers that
 * read back the last value written (at any width 1/2/4/8, little-endian within the
 * register), the second one so that accesses straddling the end of the page have device
 * bytes too. Offset 0x10 is a read-only 64-bit counter of the VM's exits so far (every
 * vCPU and reason, the exit of the read itself included), for guests that measure what
 * their work costs (Linux: busybox devmem). Other offsets read 0 and ignore writes. Not
 * RAM: every access is an EPT-violation exit. */
#define MHV_TESTDEV_GPA         0xfeb00000u
#define MHV_TESTDEV_SIZE        0x1000u
#define MHV_TESTDEV_SCRATCH     0x0
#define MHV_TESTDEV_EXITS       0x10
#define MHV_TESTDEV_SCRATCH_END 0xff8

/* Hypercalls: VMCALL with the function number in EAX/RAX and arguments in EBX, ECX, EDX,
 * ESI (RBX, RCX, RDX, RSI in 64-bit mode). The result comes back in EAX/RAX; other
 * registers are preserved. Unknown numbers return MHV_HC_ENOSYS. VMCALL from CPL > 0
 * gets #UD, as on a CPU without a hypervisor. */
#define MHV_HC_NOP           0 /* returns 0; for measuring the round trip */
#define MHV_HC_CONSOLE_WRITE 1 /* EBX = guest-physical address, ECX = length (<= 4096): bytes written */
#define MHV_HC_EXIT          2 /* EBX = exit code: ends the VM, does not return */
#define MHV_HC_TIMER_ONESHOT 3 /* EBX = delay in microseconds, ECX = vector (32..255): 0.
                                  After the delay the vector is injected as an external
                                  interrupt once RFLAGS.IF=1; it wakes a halted vCPU. */

#define MHV_HC_OK     0
#define MHV_HC_EINVAL (-22)
#define MHV_HC_ENOSYS (-1000)
