#include "drivers/lapic_host.h"
#include "drivers/tsc.h"
#include "kernel/mem.h"
#include "kernel/x86.h"

#define MSR_APIC_BASE     0x1b
#define APIC_BASE_EXTD    (1ull << 10) /* x2APIC mode */
#define APIC_BASE_ADDR    0xfffff000ull
#define X2APIC_MSR(off)   (0x800 + ((off) >> 4))
#define REG_ID            0x20
#define REG_EOI           0xb0
#define REG_SVR           0xf0
#define REG_ICR_LO        0x300
#define REG_ICR_HI        0x310
#define SVR_ENABLE        (1u << 8)
#define ICR_INIT          (5u << 8)
#define ICR_STARTUP       (6u << 8)
#define ICR_FIXED         (0u << 8)
#define ICR_NMI           (4u << 8)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_LEVEL_TRIGGER (1u << 15)
#define ICR_BUSY          (1u << 12) /* xAPIC delivery status: the last IPI is still going */
#define REG_LVT_TIMER     0x320
#define REG_TIMER_INIT    0x380      /* initial count: writing it starts a one-shot count */
#define REG_TIMER_CUR     0x390
#define REG_TIMER_DIV     0x3e0
#define TIMER_DIV_1       0xb        /* divide configuration: count at the bus clock */
#define LVT_TSC_DEADLINE  (2u << 17) /* timer mode: fire when the TSC reaches the MSR */
#define MSR_TSC_DEADLINE  0x6e0
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CALIBRATE_US      1000
#define LVT_MASKED        (1u << 16)

static volatile uint32_t *mmio;
static bool x2apic;
static bool tsc_deadline_mode;
static uint64_t timer_hz; /* one-shot mode: the timer's count rate */

void lapic_host_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	x2apic = base & APIC_BASE_EXTD;
	if (!x2apic) {
		uint64_t pa = base & APIC_BASE_ADDR;
		mem_map_uncached(pa, PAGE_SIZE);
		mmio = phys_to_virt(pa);
	}
}

bool lapic_host_x2apic(void)
{
	return x2apic;
}

static uint32_t reg_read(unsigned off)
{
	return x2apic ? (uint32_t)rdmsr(X2APIC_MSR(off)) : mmio[off / 4];
}

static void reg_write(unsigned off, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR(off), v);
	else
		mmio[off / 4] = v;
}

uint32_t lapic_host_id(void)
{
	uint32_t id = reg_read(REG_ID);
	return x2apic ? id : id >> 24;
}

static void send(uint32_t apic_id, uint32_t icr)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR(REG_ICR_LO), (uint64_t)apic_id << 32 | icr);
		return;
	}
	while (mmio[REG_ICR_LO / 4] & ICR_BUSY)
		cpu_relax();
	mmio[REG_ICR_HI / 4] = apic_id << 24;
	mmio[REG_ICR_LO / 4] = icr;
	while (mmio[REG_ICR_LO / 4] & ICR_BUSY)
		cpu_relax();
}

void lapic_host_send_init(uint32_t apic_id)
{
	send(apic_id, ICR_INIT | ICR_LEVEL_TRIGGER | ICR_LEVEL_ASSERT);
	send(apic_id, ICR_INIT | ICR_LEVEL_TRIGGER);
}

void lapic_host_send_startup(uint32_t apic_id, uint8_t vector)
{
	send(apic_id, ICR_STARTUP | vector);
}

void lapic_host_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send(apic_id, ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

void lapic_host_send_nmi(uint32_t apic_id)
{
	send(apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

void lapic_host_enable(uint8_t spurious_vector)
{
	reg_write(REG_SVR, SVR_ENABLE | spurious_vector);
}

void lapic_host_eoi(void)
{
	reg_write(REG_EOI, 0);
}

void lapic_host_timer_init(uint8_t vector, uint8_t spurious_vector)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	lapic_host_enable(spurious_vector);
	tsc_deadline_mode = c & CPUID1_ECX_TSC_DEADLINE;
	if (tsc_deadline_mode) {
		reg_write(REG_LVT_TIMER, LVT_TSC_DEADLINE | vector);
		return;
	}
	/* One-shot: measure the count rate against the TSC once (masked while measuring). */
	reg_write(REG_TIMER_DIV, TIMER_DIV_1);
	reg_write(REG_LVT_TIMER, LVT_MASKED | vector);
	reg_write(REG_TIMER_INIT, 0xffffffffu);
	uint64_t start = rdtsc(), span = tsc_from_us(CALIBRATE_US);
	while (rdtsc() - start < span)
		cpu_relax();
	uint32_t counted = 0xffffffffu - reg_read(REG_TIMER_CUR);
	uint64_t elapsed = rdtsc() - start;
	reg_write(REG_TIMER_INIT, 0);
	timer_hz = muldiv64(counted, tsc_hz, elapsed ? elapsed : 1);
	reg_write(REG_LVT_TIMER, vector);
}

void lapic_host_timer_arm(uint64_t tsc)
{
	if (tsc_deadline_mode) {
		wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
		return;
	}
	uint64_t now = rdtsc();
	uint64_t count = tsc > now ? muldiv64(tsc - now, timer_hz, tsc_hz) : 1;
	reg_write(REG_TIMER_INIT, (uint32_t)(count > 0xffffffffu ? 0xffffffffu : count ? count : 1));
}

void lapic_host_timer_stop(void)
{
	if (tsc_deadline_mode)
		wrmsr(MSR_TSC_DEADLINE, 0); /* 0 disarms TSC-deadline mode */
	else
		reg_write(REG_TIMER_INIT, 0); /* an initial count of 0 stops a one-shot count */
}

bool lapic_host_timer_tsc_deadline(void)
{
	return tsc_deadline_mode;
}
