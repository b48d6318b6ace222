/* Dropping the CPU's cached EPT translations after a present entry changed (SDM vol. 3C 29.4.3).
 * INVEPT acts on the executing logical processor only. */
#pragma once
#include "ept/ept.h"
#include <stdbool.h>

/* INVEPT single-context is available (IA32_VMX_EPT_VPID_CAP bit 25); set by VMX init. When false,
 * ept_flush falls back to all-context invalidation. */
extern bool ept_flush_single_supported;

/* Invalidates this CPU's translations derived from `ept`. Needs VMX operation. */
void ept_flush(struct ept *ept);
