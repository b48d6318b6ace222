#include "kernel/smp.h"
#include "drivers/acpi_madt.h"
#include "drivers/lapic_host.h"
#include "drivers/tsc.h"
#include "kernel/kstring.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/mem_init.h"
#include "kernel/options.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include "vmx/xsave.h"

#define LOW_MEMORY_END   0x100000 /* a SIPI vector names a page below 1 MiB */
#define AP_STACK_PAGES   4
#define INIT_DELAY_US    10000    /* INIT de-assert to the first SIPI (MP spec) */
#define SIPI_DELAY_US    200      /* between the two SIPIs */
#define AP_START_WAIT_US 100000   /* how long an AP may take to reach C */

/* boot/ap_trampoline.S */
extern const char ap_trampoline[], ap_trampoline_end[], ap_trampoline_params[];
extern const char ap_trampoline_gdt[], ap_trampoline_pm32[], ap_trampoline_lm64[];
extern uint64_t boot_pml4[];

struct ap_trampoline_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm32;
	uint16_t sel32;
	uint16_t pad1;
	uint32_t lm64;
	uint16_t sel64;
	uint16_t pad2;
	uint32_t cr3;
	uint32_t efer;
	uint64_t stack;
	uint64_t entry;
	uint32_t cpu;
	uint32_t pad3;
} __attribute__((packed));
_Static_assert(sizeof(struct ap_trampoline_params) == 56, "boot/ap_trampoline.S layout");

static bool phys_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	(void)ctx;
	if (!mem_is_mapped(pa, n))
		return false;
	memcpy(dst, phys_to_virt(pa), n);
	return true;
}

static void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);
	while (rdtsc() < end)
		cpu_relax();
}

/* The highest free page below 1 MiB the firmware reports as RAM and the boot information
 * does not use (mhv itself and its modules live above 1 MiB); 0 if none. */
static uint64_t trampoline_page(const struct mb2_info *mb, uint64_t mbi, uint64_t mbi_size)
{
	for (uint64_t p = LOW_MEMORY_END - PAGE_SIZE; p >= PAGE_SIZE; p -= PAGE_SIZE) {
		if (p < mbi + mbi_size && mbi < p + PAGE_SIZE)
			continue;
		for (unsigned i = 0; i < mb2_mem_count(mb); i++) {
			struct mb2_mem_range e = mb2_mem_get(mb, i);
			if (e.kind == MB2_MEM_USABLE && e.base <= p && p + PAGE_SIZE <= e.base + e.len)
				return p;
		}
	}
	return 0;
}

static struct ap_trampoline_params *trampoline_install(uint64_t page)
{
	size_t len = (size_t)(ap_trampoline_end - ap_trampoline);
	uint8_t *copy = phys_to_virt(page);
	memcpy(copy, ap_trampoline, len);
	struct ap_trampoline_params *p =
	    (struct ap_trampoline_params *)(copy + (ap_trampoline_params - ap_trampoline));
	p->gdt_base = (uint32_t)(page + (uint64_t)(ap_trampoline_gdt - ap_trampoline));
	p->pm32 = (uint32_t)(page + (uint64_t)(ap_trampoline_pm32 - ap_trampoline));
	p->lm64 = (uint32_t)(page + (uint64_t)(ap_trampoline_lm64 - ap_trampoline));
	p->cr3 = (uint32_t)read_cr3();
	p->efer = EFER_LME | (uint32_t)(rdmsr(MSR_IA32_EFER) & EFER_NXE);
	p->entry = (uint64_t)ap_main;
	return p;
}

/* INIT, then up to two SIPIs; true once the AP says it runs. */
static bool start_ap(struct cpu *c, struct ap_trampoline_params *p, uint8_t vector)
{
	uint64_t stack = frame_alloc_contig(AP_STACK_PAGES, 1);
	if (stack == FRAME_NONE)
		return false;
	p->stack = (uint64_t)phys_to_virt(stack) + AP_STACK_PAGES * PAGE_SIZE;
	p->cpu = c->id;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_host_send_init(c->apic_id);
	delay_us(INIT_DELAY_US);
	for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
		lapic_host_send_startup(c->apic_id, vector);
		delay_us(SIPI_DELAY_US);
	}
	uint64_t end = rdtsc() + tsc_from_us(AP_START_WAIT_US);
	while (!c->online && rdtsc() < end)
		cpu_relax();
	if (!c->online)
		frame_free(stack, AP_STACK_PAGES);
	return c->online;
}

void smp_init(const struct mb2_info *mb, uint64_t mbi_phys, uint64_t mbi_size)
{
	struct cpu *bsp = &cpus[0];
	char err[96];
	struct madt_info madt;
	lapic_host_init();
	bsp->apic_id = lapic_host_id();
	bsp->online = true;
	if (!madt_parse(mb->rsdp, mb->rsdp_len, phys_read, 0, &madt, err, sizeof err)) {
		log_warn("smp: %s: using the boot CPU only", err);
		return;
	}
	unsigned limit = hv_options.host_cpus ? hv_options.host_cpus : MAX_CPUS;
	uint64_t page = madt.ncpus > 1 && limit > 1 ? trampoline_page(mb, mbi_phys, mbi_size) : 0;
	if (madt.ncpus > 1 && limit > 1 && !page)
		log_warn("smp: no free page below 1 MiB for the AP trampoline: boot CPU only");
	unsigned n = 1;
	struct ap_trampoline_params *params = page ? trampoline_install(page) : 0;
	for (unsigned i = 0; params && i < madt.ncpus && n < limit; i++) {
		if (madt.apic_id[i] == bsp->apic_id)
			continue;
		struct cpu *c = &cpus[n];
		c->id = n;
		c->apic_id = madt.apic_id[i];
		if (start_ap(c, params, (uint8_t)(page >> 12)))
			n++;
		else
			log_warn("smp: the CPU with APIC ID %u did not start", c->apic_id);
	}
	ncpus_online = n;
	log_info("smp: %u CPU%s online of %u in the ACPI MADT (%s APIC, boot CPU APIC ID %u)", n,
		 n == 1 ? "" : "s", madt.ncpus + madt.ignored_cpus,
		 lapic_host_x2apic() ? "x2" : "x", bsp->apic_id);
}

void ap_main(unsigned id)
{
	struct cpu *c = &cpus[id];
	cpu_set_self(c);
	cpu_tables_init(c);
	mem_cpu_init();
	xsave_cpu_init();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");
}
