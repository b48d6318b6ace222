/* Human-readable names of VMX basic exit reasons, for logs and crash dumps. */
#pragma once

/* Name of a basic exit reason (bits 15:0 of VMCS_EXIT_REASON), e.g. "CPUID" or
 * "EPT violation"; "unknown" for numbers the SDM does not define. */
const char *exit_reason_name(unsigned basic_reason);
