#include "kernel/vm_devices.h"
#include "devices/acpi_tables.h"
#include "drivers/cmos_clock.h"
#include "drivers/tsc.h"
#include "kernel/bios.h"
#include "kernel/guest_abi.h"
#include "kernel/loader.h"
#include "kernel/log.h"
#include "kernel/options.h"
#include "kernel/vm.h"
#include "kernel/vm_virtio.h"
#include "kernel/mem.h"
#include "kernel/kstring.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_init.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4
#define RTC_IRQ   8
#define KBD_IRQ   1
#define AUX_IRQ   12
#define KBC_DATA  0x60
#define KBC_CMD   0x64
#define RTC_PORT  0x70
/* Device timers are looked at no more often than every 200 us (KVM clamps guest timer
 * periods the same way): a guest that programs the PIT with a tiny count would otherwise
 * spend its whole slice in timer exits. Ticks in between are coalesced, as for a
 * descheduled vCPU (see devices/pit.h). */
#define TIMER_MIN_INTERVAL_HZ 5000
#define NS_PER_S  1000000000ull

static uint64_t epoch_ns_at_boot;
static uint64_t tsc_at_boot;
static unsigned lapic_clock_shift; /* LAPIC count clock = TSC >> this (fits CPUID 0x15.ECX) */
static unsigned guest_phys_bits;   /* MAXPHYADDR guests see (CPUID 0x80000008 passed through) */

void platform_clock_init(void)
{
	tsc_at_boot = rdtsc();
	while ((tsc_hz >> lapic_clock_shift) > 0xffffffffull)
		lapic_clock_shift++;
	uint32_t a, b, c, d;
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	guest_phys_bits = 36;
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		guest_phys_bits = a & 0xff;
	}
	epoch_ns_at_boot = hv_options.rtc_epoch ? hv_options.rtc_epoch * NS_PER_S
					       : host_rtc_epoch() * NS_PER_S;
}

/* QEMU isa-debug-exit semantics: any write ends the VM with the written value. */
static void debug_exit_access(void *dev, struct io_access *a)
{
	if (a->write)
		vm_exit(dev, a->value, "debug-exit port");
	else
		a->value = 0xffffffffu >> (32 - 8 * a->size);
}

static void testdev_access(void *dev, uint64_t offset, struct mmio_access *a)
{
	static const uint64_t reg_offset[2] = {MHV_TESTDEV_SCRATCH, MHV_TESTDEV_SCRATCH_END};
	struct vm *vm = dev;
	for (unsigned i = 0; i < 2; i++) {
		if (offset - reg_offset[i] >= 8) /* unsigned: also below the register */
			continue;
		uint64_t *reg = &vm->testdev_scratch[i];
		unsigned shift = (unsigned)(offset - reg_offset[i]) * 8;
		uint64_t mask = a->size == 8 ? ~0ull : ((1ull << (8 * a->size)) - 1);
		if (a->write)
			*reg = (*reg & ~(mask << shift)) | ((a->value & mask) << shift);
		else
			a->value = (*reg >> shift) & mask;
		return;
	}
	if (a->write)
		return;
	a->value = 0;
	if (offset - MHV_TESTDEV_EXITS < 8) {
		unsigned shift = (unsigned)(offset - MHV_TESTDEV_EXITS) * 8;
		uint64_t mask = a->size == 8 ? ~0ull : ((1ull << (8 * a->size)) - 1);
		a->value = (vm_exit_count(vm) >> shift) & mask;
	}
}

static uint64_t pit_now(void *ctx)
{
	struct vm *vm = ctx;
	return tsc_to_ticks(rdtsc() - vm->plat.tsc_origin, PIT_HZ);
}

static uint64_t rtc_now(void *ctx)
{
	return epoch_ns_at_boot + tsc_to_ticks(rdtsc() - tsc_at_boot, NS_PER_S);
}

/* The first TSC at which rtc_now() reads at least `ns`. */
static uint64_t rtc_tsc_at(uint64_t ns)
{
	if (ns == UINT64_MAX)
		return ~0ull;
	if (ns <= epoch_ns_at_boot)
		return tsc_at_boot;
	return tsc_at_boot + ticks_to_tsc(ns - epoch_ns_at_boot, NS_PER_S);
}

/* A guest access to the PIT may reprogram channel 0: its next event must be recomputed. */
static void pit_access(void *dev, struct io_access *a)
{
	struct vm *vm = dev;
	pit_io(&vm->plat.pit, a);
	vm->plat.timers_dirty = true;
}

static void rtc_access(void *dev, struct io_access *a)
{
	struct vm *vm = dev;
	rtc_io(&vm->plat.rtc, a);
	vm->plat.timers_dirty = true;
}

static void com1_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;
	vm->con_bytes_com1++;
	vm_console_putc(vm, (char)byte);
}

static void kbc_reset(void *ctx)
{
	vm_reset_requested(ctx);
}

unsigned platform_lapic_clock_shift(void)
{
	return lapic_clock_shift;
}

static struct vcpu *platform_vcpu(struct vm *vm, unsigned cpu)
{
	return cpu < vm->nvcpus ? vm->vcpus[cpu] : 0;
}

static void lapic_send(void *ctx, const struct lapic *from, const struct apic_msg *m)
{
	struct vm *vm = ctx;
	apic_bus_deliver(&vm->plat.apic_bus, m);
}

static void lapic_eoi_level(void *ctx, uint8_t vector)
{
	struct vm *vm = ctx;
	ioapic_eoi(&vm->plat.ioapic, vector);
}

static void lapic_mode_changed(void *ctx, const struct lapic *l)
{
	struct vcpu *v = platform_vcpu(ctx, l->id);
	if (v)
		v->work |= VCPU_WORK_APIC_MODE;
}

static const struct lapic_ops lapic_ops = {
	.send = lapic_send,
	.eoi_level = lapic_eoi_level,
	.mode_changed = lapic_mode_changed,
};

static void bus_kick(void *ctx, unsigned cpu)
{
	struct vcpu *v = platform_vcpu(ctx, cpu);
	if (v)
		vcpu_kick(v);
}

static void bus_special(void *ctx, unsigned cpu, uint8_t delivery, uint8_t vector)
{
	struct vcpu *v = platform_vcpu(ctx, cpu);
	if (v)
		vcpu_deliver_special(v, delivery, vector);
}

static const struct apic_bus_ops apic_bus_ops = {
	.kick = bus_kick,
	.special = bus_special,
};

static void ioapic_deliver(void *ctx, const struct apic_msg *m)
{
	struct vm *vm = ctx;
	apic_bus_deliver(&vm->plat.apic_bus, m);
}

/* An ISA interrupt line: to the 8259 pair and to the I/O APIC pin the MADT names for it. */
static void isa_irq_set_level(void *ctx, unsigned irq, bool level)
{
	struct vm_platform *p = ctx;
	pic_set_irq(&p->pic, irq, level);
	ioapic_set_irq(&p->ioapic, irq == 0 ? 2 : irq, level);
}

/* The 8259's INTR changed: the BSP may have an ExtINT to take. */
static void pic_output_changed(void *ctx)
{
	struct vcpu *v = platform_vcpu(ctx, 0);
	if (v)
		vcpu_kick(v);
}

/* The local APIC window at its default base; each vCPU sees its own APIC there. A vCPU
 * that moved its APIC elsewhere finds nothing here (reads all-ones). */
static void lapic_mmio(void *dev, uint64_t offset, struct mmio_access *a)
{
	struct vm *vm = dev;
	struct vcpu *v = platform_vcpu(vm, a->cpu);
	struct lapic *l = v ? v->lapic : 0;
	bool here = l && lapic_base_addr(l) == LAPIC_DEFAULT_BASE;
	if (a->write) {
		if (here)
			lapic_mmio_write(l, (uint32_t)offset, a->size, a->value, vcpu_guest_tsc(v));
	} else {
		a->value = here ? lapic_mmio_read(l, (uint32_t)offset, a->size, vcpu_guest_tsc(v))
				: ~0ull;
	}
	if (v)
		v->work |= VCPU_WORK_INTR;
}

static void pm_power_off(void *ctx)
{
	vm_exit(ctx, 0, "ACPI power-off");
}

static void pm_reset(void *ctx)
{
	vm_reset_requested(ctx);
}

static uint64_t guest_tsc(void *ctx)
{
	return rdtsc();
}

static const struct acpi_pm_ops pm_ops = {
	.power_off = pm_power_off,
	.reset = pm_reset,
	.now = guest_tsc,
};

/* What a PC's firmware leaves in memory: the ACPI tables, RSDP at LOADER_ACPI_RSDP_GPA. */
static bool acpi_tables_install(struct vm *vm)
{
	static uint8_t buf[ACPI_TABLES_MAX_SIZE];
	struct acpi_config c = {
	    .ncpus = vm->cfg.cpus,
	    .lapic_addr = LAPIC_DEFAULT_BASE,
	    .ioapic_addr = IOAPIC_DEFAULT_BASE,
	    .pm_base = ACPI_PM_BASE,
	    .pci_mmio_base = PLATFORM_PCI_MMIO_BASE,
	    .pci_mmio_limit = PLATFORM_PCI_MMIO_LIMIT,
	    .oem_id = "MHV",
	};
	_Static_assert(LOADER_ACPI_RSDP_GPA + sizeof buf <= LOADER_ACPI_END, "ACPI area");
	size_t n = acpi_build(&c, buf, sizeof buf, LOADER_ACPI_RSDP_GPA);
	if (!n || vm->cfg.mem_bytes < LOADER_ACPI_END) {
		log_err("vm %s: no room for the ACPI tables", vm->cfg.name);
		return false;
	}
	return guest_ram_write(&vm->ram, LOADER_ACPI_RSDP_GPA, buf, n);
}

bool platform_alloc(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		p->lapic_page_pa[i] = frame_alloc();
		if (p->lapic_page_pa[i] == FRAME_NONE) {
			p->lapic_page_pa[i] = 0;
			return false;
		}
	}
	if (vmx_caps.apic_virt) {
		/* Never read or written while virtualization is on; zeroed, private to the VM. */
		p->apic_access_pa = frame_alloc();
		if (p->apic_access_pa == FRAME_NONE) {
			p->apic_access_pa = 0;
			return false;
		}
		memset(phys_to_virt(p->apic_access_pa), 0, PAGE_SIZE);
	}
	return true;
}

void platform_free(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	for (unsigned i = 0; i < PLATFORM_MAX_CPUS; i++) {
		if (p->lapic_page_pa[i])
			frame_free(p->lapic_page_pa[i], 1);
		p->lapic_page_pa[i] = 0;
	}
	if (p->apic_access_pa)
		frame_free(p->apic_access_pa, 1);
	p->apic_access_pa = 0;
}

void platform_update(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	pit_update(&p->pit);
	rtc_update(&p->rtc);
	uint64_t next = ~0ull;
	uint64_t tick = pit_next_irq_tick(&p->pit);
	if (tick != UINT64_MAX)
		next = p->tsc_origin + ticks_to_tsc(tick, PIT_HZ);
	if (rtc_interrupts_enabled(&p->rtc)) {
		uint64_t rtc_next = rtc_tsc_at(rtc_next_event_ns(&p->rtc));
		next = rtc_next < next ? rtc_next : next;
	}
	/* The minimum interval counts from the time this work is done: on a slow CPU (Bochs at
	 * 4M instructions/s) the update itself can take longer than the interval, and a deadline
	 * already past would leave the guest no time to run at all. */
	uint64_t earliest = rdtsc() + ticks_to_tsc(1, TIMER_MIN_INTERVAL_HZ);
	p->timer_deadline = next != ~0ull && next < earliest ? earliest : next;
	p->timers_dirty = false;
}

bool platform_devices_attach(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	struct io_bus *io = &vm->io;
	p->tsc_origin = rdtsc();
	apic_bus_init(&p->apic_bus, &apic_bus_ops, vm);
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct lapic *l = &p->lapic[i];
		lapic_init(l, i, i == 0, phys_to_virt(p->lapic_page_pa[i]), guest_phys_bits,
			   lapic_clock_shift, tsc_hz, &lapic_ops, vm);
		if (i == 0)
			lapic_set_virtual_wire(l); /* what a PC BIOS leaves: the 8259 reaches the BSP */
		apic_bus_attach(&p->apic_bus, l);
	}
	p->apic_access_mapped = false;
	ioapic_init(&p->ioapic, ioapic_deliver, vm);
	pic_init(&p->pic);
	pic_set_notify(&p->pic, pic_output_changed, vm);
	p->isa_sink = (struct irq_sink){isa_irq_set_level, p};
	const struct irq_sink *sink = &p->isa_sink;
	p->irq0 = (struct irq_line){sink, 0};
	p->irq4 = (struct irq_line){sink, COM1_IRQ};
	p->irq8 = (struct irq_line){sink, RTC_IRQ};
	p->irq1 = (struct irq_line){sink, KBD_IRQ};
	p->irq12 = (struct irq_line){sink, AUX_IRQ};
	pit_init(&p->pit, &p->irq0);
	pit_set_time_source(&p->pit, pit_now, vm);
	uart_init(&p->com1, &p->irq4, com1_tx, vm);
	rtc_init(&p->rtc, &p->irq8, rtc_now, vm);
	rtc_set_memory_size(&p->rtc, vm->cfg.mem_bytes);
	i8042_init(&p->kbc, kbc_reset, vm, &p->irq1, &p->irq12);
	acpi_pm_init(&p->pm, ACPI_PM_BASE, tsc_hz, &pm_ops, vm);
	fw_cfg_init(&p->fw_cfg, vm->cfg.mem_bytes, vm->cfg.cpus);
	pci_bus_init(&p->pci, PLATFORM_PCI_MMIO_BASE, PLATFORM_PCI_MMIO_LIMIT, PLATFORM_PCI_IO_BASE,
		     PLATFORM_PCI_IO_LIMIT);
	if (!vm_virtio_attach(vm))
		return false;
	if (vm->cfg.bios)
		bios_program_devices(&p->pic, &p->pit);
	platform_update(vm);

	return acpi_tables_install(vm) && io_bus_register(io, 0x20, 2, pic_io, &p->pic) &&
	       io_bus_register(io, 0xa0, 2, pic_io, &p->pic) &&
	       io_bus_register(io, PIC_ELCR_MASTER, 2, pic_io, &p->pic) &&
	       io_bus_register(io, PIT_PORT_COUNTER0, 4, pit_access, vm) &&
	       io_bus_register(io, PIT_PORT_SYSCTL_B, 1, pit_access, vm) &&
	       io_bus_register(io, COM1_BASE, 8, uart_io, &p->com1) &&
	       io_bus_register(io, RTC_PORT, 2, rtc_access, vm) &&
	       io_bus_register(io, KBC_DATA, 1, i8042_io, &p->kbc) &&
	       io_bus_register(io, KBC_CMD, 1, i8042_io, &p->kbc) &&
	       io_bus_register(io, FW_CFG_PORT_SELECTOR, FW_CFG_PORTS, fw_cfg_io, &p->fw_cfg) &&
	       io_bus_register(io, PCI_CONF1_ADDRESS_PORT, PCI_CONF1_PORTS, pci_conf1_io, &p->pci) &&
	       io_bus_register(io, MHV_DEBUG_EXIT_PORT, 4, debug_exit_access, vm) &&
	       io_bus_register(io, ACPI_PM_BASE, ACPI_PM_PORTS, acpi_pm_io, &p->pm) &&
	       mmio_bus_register(&vm->mmio, LAPIC_DEFAULT_BASE, LAPIC_PAGE_SIZE, lapic_mmio, vm) &&
	       mmio_bus_register(&vm->mmio, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, ioapic_mmio,
				 &p->ioapic) &&
	       mmio_bus_register(&vm->mmio, MHV_TESTDEV_GPA, MHV_TESTDEV_SIZE, testdev_access, vm);
}
