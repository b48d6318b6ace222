/* The check groups of the Multiboot v1 test guest, in the order main() runs them. */
#pragma once
#include "guests/lib/multiboot.h"

void test_boot_info(u32 magic, const struct mb1_info *mbi);
void test_exceptions(void);
void test_debug_events(void);
void test_cpuid(void);
void test_msr(void);
void test_control_regs(void);
void test_paging(void);
void test_port_io(void);
void test_hypercall(void);
void test_mmio(void);
void test_hlt_wakeup(void);
void test_fw_cfg(const struct mb1_info *mbi);
