/* The rtc-test check groups, in the order main() runs them. */
#pragma once
#include "guests/lib/multiboot.h"

void test_rtc_date(void);
void test_rtc_ticking(void);
void test_rtc_modes(void);
void test_cmos_memory(const struct mb1_info *mbi);
