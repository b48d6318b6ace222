/* IA32_APIC_BASE in xAPIC mode: moving the register page and back, disabling the APIC
 * (CPUID.1:EDX.APIC clears, the page reads all-ones) and enabling it again (INIT state),
 * and the writes that must raise #GP. */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"

#define RELOCATED_BASE	0xfed00000u /* no RAM and no device of mhv's there */
#define CPUID1_EDX_APIC (1u << 9)
#define APIC_BASE_BIT9	(1u << 9) /* reserved */
#define MSR_X2APIC_ID	0x802
#define ALL_ONES	0xffffffffu

static volatile u32 *reg_at(u32 base, u32 reg)
{
	return (volatile u32 *)(base + reg);
}

static bool base_write_faults(u64 value)
{
	return !apic_base_write(value) && trap_caught_vector == VEC_GP;
}

static void check_relocation(u64 base)
{
	apic_write(APIC_TPR, 0x23);
	bool moved = apic_base_write((base & ~(u64)APIC_BASE_ADDR) | RELOCATED_BASE);
	u32 id = *reg_at(RELOCATED_BASE, APIC_ID), ver = *reg_at(RELOCATED_BASE, APIC_VERSION);
	u32 tpr = *reg_at(RELOCATED_BASE, APIC_TPR);
	*reg_at(RELOCATED_BASE, APIC_TPR) = 0x24;
	u32 tpr2 = *reg_at(RELOCATED_BASE, APIC_TPR);
	u32 old = *reg_at(APIC_DEFAULT_BASE, APIC_VERSION);
	u64 reads = apic_base_read();
	intr_log_reset();
	*reg_at(RELOCATED_BASE, APIC_ICR) = APIC_DEST_SELF | 0x60;
	let_interrupts_in(1);
	bool back = apic_base_write(base);
	u32 tpr_back = apic_read(APIC_TPR);
	apic_write(APIC_TPR, 0);

	report(moved && (reads & APIC_BASE_ADDR) == RELOCATED_BASE,
	       "apic base: moved to 0x%x (IA32_APIC_BASE 0x%llx)", RELOCATED_BASE, reads);
	report(id == 0 && ver == APIC_VERSION_EXPECTED && tpr == 0x23 && tpr2 == 0x24,
	       "apic base: registers at the new base (ID 0x%x, version 0x%x, TPR 0x%x -> 0x%x)", id,
	       ver, tpr, tpr2);
	report(old == ALL_ONES, "apic base: the default base reads all-ones meanwhile (0x%x)", old);
	report(intr_count_of(0x60) == 1, "apic base: a self-IPI sent at the new base arrives (%u)",
	       intr_count_of(0x60));
	report(back && tpr_back == 0x24, "apic base: moved back, the state came along (TPR 0x%x)",
	       tpr_back);
}

static void check_disable(u64 base)
{
	bool off = apic_base_write(base & ~(u64)APIC_BASE_EN);
	u32 edx = cpuid(1).d;
	u32 id = *reg_at(APIC_DEFAULT_BASE, APIC_ID), svr = *reg_at(APIC_DEFAULT_BASE, APIC_SVR);
	u64 x2;
	bool x2_faults = !rdmsr_safe(MSR_X2APIC_ID, &x2) && trap_caught_vector == VEC_GP;
	bool direct = base_write_faults(base | APIC_BASE_EXTD);
	bool on = apic_base_write(base);
	u32 edx_on = cpuid(1).d;
	u32 svr_on = apic_read(APIC_SVR), lvt = apic_read(APIC_LVT_ERROR);

	report(off && !(edx & CPUID1_EDX_APIC),
	       "apic base: EN=0 disables it, CPUID.1:EDX.APIC clears (EDX 0x%x)", edx);
	report(id == ALL_ONES && svr == ALL_ONES,
	       "apic base: a disabled APIC's page reads all-ones (0x%x, 0x%x)", id, svr);
	report(x2_faults, "apic base: x2APIC MSRs #GP while disabled");
	report(direct, "apic base: disabled -> x2APIC directly raises #GP");
	report(on && (edx_on & CPUID1_EDX_APIC) && svr_on == 0xff && (lvt & APIC_LVT_MASKED),
	       "apic base: EN=1 again: CPUID bit back, APIC in its INIT state (SVR 0x%x, error "
	       "LVT 0x%x)",
	       svr_on, lvt);
	apic_sw_enable(SPURIOUS_VECTOR);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, ERROR_VECTOR);
}

static void check_illegal_writes(u64 base)
{
	report(base_write_faults((base | APIC_BASE_EXTD) & ~(u64)APIC_BASE_EN) &&
		   apic_base_read() == base,
	       "apic base: EXTD without EN raises #GP");
	report(base_write_faults(base | APIC_BASE_BIT9), "apic base: reserved bit 9 raises #GP");
	report(base_write_faults(base | 0x1), "apic base: reserved bit 0 raises #GP");
	report(base_write_faults(base | 1ull << 63),
	       "apic base: an address above MAXPHYADDR raises #GP");
	report(base_write_faults(base & ~(u64)APIC_BASE_BSP),
	       "apic base: clearing the BSP flag raises #GP");
	u64 v;
	report(!rdmsr_safe(MSR_X2APIC_ID, &v) && trap_caught_vector == VEC_GP,
	       "apic base: x2APIC MSR 0x802 in xAPIC mode raises #GP");
}

void test_base_relocation(void)
{
	u64 base = apic_base_read();
	check_relocation(base);
	check_illegal_writes(base);
	check_disable(base);
}
