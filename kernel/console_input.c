#include "kernel/console_input.h"
#include "drivers/serial.h"
#include "kernel/console_focus.h"
#include "kernel/log.h"
#include "kernel/vm.h"

static struct console_focus focus;

void console_input_init(void)
{
	focus_init(&focus, vm_count());
	while (focus.current + 1 < vm_count() && vm_by_index(focus.current)->ended)
		focus.current++;
	if (vm_count() > 1)
		log_info("console: input goes to vm %s; Ctrl-] then 1-%u or n switches",
			 vm_by_index(focus.current)->cfg.name, vm_count());
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
			log_info("console: input now goes to vm %s", vm_by_index(focus.current)->cfg.name);
			break;
		case FOCUS_CONSUMED:
			break;
		}
	}
	struct vm *vm = focus.count ? vm_by_index(focus.current) : 0;
	if (!vm || vm->ended) {
		focus.len = 0;
		return false;
	}
	uint8_t b;
	while (focus_queue_peek(&focus, &b) && uart_rx_push(&vm->plat.com1, b)) {
		focus_queue_pop(&focus);
		delivered = true;
	}
	return delivered;
}

struct vm *console_input_focus_vm(void)
{
	return focus.count ? vm_by_index(focus.current) : 0;
}
