#include "kernel/vm_devices.h"
#include "drivers/cmos_clock.h"
#include "drivers/tsc.h"
#include "kernel/bios.h"
#include "kernel/guest_abi.h"
#include "kernel/options.h"
#include "kernel/vm.h"
#include "kernel/x86.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4
#define RTC_IRQ   8
#define KBD_IRQ   1
#define AUX_IRQ   12
#define KBC_DATA  0x60
#define KBC_CMD   0x64
#define RTC_PORT  0x70
#define RTC_UPDATE_HZ 1024 /* RTC interrupts are checked at the fastest periodic rate */
/* Device timers are looked at no more often than every 200 us (KVM clamps guest timer
 * periods the same way): a guest that programs the PIT with a tiny count would otherwise
 * spend its whole slice in timer exits. Ticks in between are coalesced, as for a
 * descheduled vCPU (see devices/pit.h). */
#define TIMER_MIN_INTERVAL_HZ 5000
#define NS_PER_S  1000000000ull

static uint64_t epoch_ns_at_boot;
static uint64_t tsc_at_boot;

void platform_clock_init(void)
{
	tsc_at_boot = rdtsc();
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
	struct vm *vm = dev;
	if (offset - MHV_TESTDEV_SCRATCH >= 8) { /* unsigned: also below the register */
		if (!a->write)
			a->value = 0;
		return;
	}
	unsigned shift = (unsigned)(offset - MHV_TESTDEV_SCRATCH) * 8;
	uint64_t mask = a->size == 8 ? ~0ull : ((1ull << (8 * a->size)) - 1);
	if (a->write)
		vm->testdev_scratch = (vm->testdev_scratch & ~(mask << shift)) |
				      ((a->value & mask) << shift);
	else
		a->value = (vm->testdev_scratch >> shift) & mask;
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
	vm_console_putc(ctx, (char)byte);
}

static void kbc_reset(void *ctx)
{
	vm_reset_requested(ctx);
}

void platform_update(struct vm *vm, uint64_t now)
{
	struct vm_platform *p = &vm->plat;
	pit_update(&p->pit);
	rtc_update(&p->rtc);
	uint64_t next = ~0ull;
	uint64_t tick = pit_next_irq_tick(&p->pit);
	if (tick != UINT64_MAX)
		next = p->tsc_origin + ticks_to_tsc(tick, PIT_HZ);
	if (rtc_interrupts_enabled(&p->rtc)) {
		uint64_t rtc_next = now + ticks_to_tsc(1, RTC_UPDATE_HZ);
		next = rtc_next < next ? rtc_next : next;
	}
	uint64_t earliest = now + ticks_to_tsc(1, TIMER_MIN_INTERVAL_HZ);
	p->timer_deadline = next != ~0ull && next < earliest ? earliest : next;
	p->timers_dirty = false;
}

bool platform_devices_attach(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	struct io_bus *io = &vm->io;
	p->tsc_origin = rdtsc();
	pic_init(&p->pic);
	const struct irq_sink *sink = pic_irq_sink(&p->pic);
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
	fw_cfg_init(&p->fw_cfg, vm->cfg.mem_bytes, vm->cfg.cpus);
	if (vm->cfg.bios)
		bios_program_devices(&p->pic, &p->pit);
	platform_update(vm, p->tsc_origin);

	return io_bus_register(io, 0x20, 2, pic_io, &p->pic) &&
	       io_bus_register(io, 0xa0, 2, pic_io, &p->pic) &&
	       io_bus_register(io, PIC_ELCR_MASTER, 2, pic_io, &p->pic) &&
	       io_bus_register(io, PIT_PORT_COUNTER0, 4, pit_access, vm) &&
	       io_bus_register(io, PIT_PORT_SYSCTL_B, 1, pit_access, vm) &&
	       io_bus_register(io, COM1_BASE, 8, uart_io, &p->com1) &&
	       io_bus_register(io, RTC_PORT, 2, rtc_access, vm) &&
	       io_bus_register(io, KBC_DATA, 1, i8042_io, &p->kbc) &&
	       io_bus_register(io, KBC_CMD, 1, i8042_io, &p->kbc) &&
	       io_bus_register(io, FW_CFG_PORT_SELECTOR, FW_CFG_PORTS, fw_cfg_io, &p->fw_cfg) &&
	       io_bus_register(io, MHV_DEBUG_EXIT_PORT, 4, debug_exit_access, vm) &&
	       mmio_bus_register(&vm->mmio, MHV_TESTDEV_GPA, MHV_TESTDEV_SIZE, testdev_access, vm);
}
