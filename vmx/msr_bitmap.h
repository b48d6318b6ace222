/* MSR bitmaps (SDM vol. 3C "MSR-Bitmap Address"): one 4 KiB page shared by every vCPU per
 * policy. A set bit makes the RDMSR or WRMSR of that MSR exit. */
#pragma once
#include <stdint.h>

/* Every RDMSR/WRMSR exits. 0 when no frame was left (then MSR bitmaps cannot be used). */
uint64_t msr_bitmap_all_exit(void);
/* For a vCPU in x2APIC mode under APIC virtualization: reads of the x2APIC registers the
 * CPU virtualizes come from the virtual-APIC page, and writes of TPR, EOI and SELF IPI are
 * virtualized (virtual-interrupt delivery); everything else exits. */
uint64_t msr_bitmap_x2apic(void);
