#include "kernel/console_input.h"
#include "drivers/legacy_pic.h"
#include "drivers/serial.h"
#include "kernel/console_focus.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "kernel/vm_virtio.h"

static struct console_focus focus;

_Static_assert(MAX_VMS <= 64, "live VMs are a 64-bit mask");

static uint64_t live_vms(void)
{
	uint64_t live = 0;
	for (unsigned i = 0; i < vm_count(); i++)
		if (!vm_by_index(i)->ended)
			live |= 1ull << i;
	return live;
}

static void announce_focus(void)
{
	log_info("console: input now goes to vm %s", vm_by_index(focus.current)->cfg.name);
}

static void stop_all_vms(void)
{
	log_info("console: Ctrl-] q: ending the run");
	for (unsigned i = 0; i < vm_count(); i++)
		vm_stop(vm_by_index(i), "stopped from the console (Ctrl-] q)");
}

/* Taken while a guest runs (external-interrupt exit): the hypervisor itself keeps IF=0, and
 * polls between slices. */
static void host_com1_irq(struct trap_frame *f)
{
	(void)f;
	serial_rx_drain();
	legacy_pic_eoi(HOST_COM1_IRQ);
}

/* IRQ7 is masked, so vector IRQ7 only comes as the 8259A's spurious interrupt: the UART's
 * line dropped before the CPU acknowledged it (input polled meanwhile). No EOI: nothing
 * is in service. */
static void host_spurious_irq7(struct trap_frame *f)
{
	(void)f;
}

void console_input_init(void)
{
	irq_register(legacy_pic_vector(HOST_COM1_IRQ), host_com1_irq);
	irq_register(legacy_pic_vector(LEGACY_PIC_SPURIOUS_IRQ), host_spurious_irq7);
	serial_enable_rx_irq();
	legacy_pic_unmask(HOST_COM1_IRQ);
	focus_init(&focus, vm_count());
	focus_leave_ended(&focus, live_vms());
	if (vm_count() > 1)
		log_info("console: input goes to vm %s; Ctrl-] then 1-%u or n switches, Ctrl-] q "
			 "ends the run",
			 vm_by_index(focus.current)->cfg.name, vm_count());
	else if (vm_count())
		log_info("console: input goes to vm %s; Ctrl-] q ends the run",
			 vm_by_index(focus.current)->cfg.name);
}

bool console_input_poll(void)
{
	char c;
	bool delivered = false;
	/* Stop reading the host UART while our queue is full: its own FIFO then holds
	 * further bytes instead of us dropping them. */
	while (focus.len < FOCUS_QUEUE_SIZE && serial_getc(&c)) {
		switch (focus_feed(&focus, (uint8_t)c)) {
		case FOCUS_DELIVER:
			focus_queue_push(&focus, (uint8_t)c);
			break;
		case FOCUS_CHANGED:
			announce_focus();
			break;
		case FOCUS_QUIT:
			stop_all_vms();
			return false;
		case FOCUS_CONSUMED:
			break;
		}
	}
	struct vm *vm = focus.count ? vm_by_index(focus.current) : 0;
	/* The VM list is only scanned once the focused VM has ended, not on every poll. */
	if (vm && vm->ended && focus_leave_ended(&focus, live_vms())) {
		announce_focus();
		vm = vm_by_index(focus.current);
	}
	if (!vm || vm->ended) {
		focus.len = 0;
		return false;
	}
	/* Typed bytes go to the console the guest uses: its virtio console once it wrote
	 * there, else COM1. */
	uint8_t b;
	bool virtio = vm_virtio_console_in_use(vm);
	while (focus_queue_peek(&focus, &b) &&
	       (virtio ? vm_virtio_console_input(vm, &b, 1) : uart_rx_push(&vm->plat.com1, b))) {
		focus_queue_pop(&focus);
		delivered = true;
	}
	return delivered;
}
