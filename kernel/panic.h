/* Ending the run. The last thing the hypervisor prints is one line
 *   HV-END status=N REASON
 * and then every CPU leaves VMX operation and the machine halts, reboots or powers off
 * (end= option, kernel/end.h); under QEMU it first writes N to isa-debug-exit (port 0xf4,
 * QEMU exits with 2N+1), under Bochs "Shutdown" to port 0x8900. Test runners judge by the
 * line. */
#pragma once
#include <stdnoreturn.h>

enum hv_status {
	HV_STATUS_OK = 0,        /* every VM ended with exit code 0 */
	HV_STATUS_VM_FAILED = 1, /* some VM ended with a non-zero code or was stopped */
	HV_STATUS_NO_VMX = 2,    /* the CPU cannot run guests (no VT-x, EPT, ...) */
	HV_STATUS_PANIC = 3,     /* the hypervisor itself failed (panic, exception) */
};

noreturn void hv_end(enum hv_status status, const char *reason);
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
