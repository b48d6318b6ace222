#include "kernel/vm_devices.h"
#include "kernel/guest_abi.h"
#include "kernel/vm.h"

#define COM1_THR 0 /* transmit holding register */
#define COM1_LSR 5 /* line status */
#define LSR_THRE_TEMT 0x60 /* transmitter idle: the guest may write at once */

/* QEMU isa-debug-exit semantics: any write ends the VM with the written value. */
static void debug_exit_access(void *dev, struct io_access *a)
{
	if (a->write)
		vm_exit(dev, a->value, "debug-exit port");
	else
		a->value = 0xffffffffu >> (32 - 8 * a->size);
}

/* Transmit-only stand-in for COM1 until the 16550 model: THR writes go to the host console
 * a line at a time, LSR says the transmitter is empty, everything else reads 0. */
static void console_port_access(void *dev, struct io_access *a)
{
	unsigned reg = a->port - MHV_CONSOLE_PORT;
	if (a->write) {
		if (reg == COM1_THR)
			vm_console_putc(dev, (char)a->value);
		return;
	}
	a->value = reg == COM1_LSR ? LSR_THRE_TEMT : 0;
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

bool platform_devices_attach(struct vm *vm)
{
	return io_bus_register(&vm->io, MHV_DEBUG_EXIT_PORT, 4, debug_exit_access, vm) &&
	       io_bus_register(&vm->io, MHV_CONSOLE_PORT, 8, console_port_access, vm) &&
	       mmio_bus_register(&vm->mmio, MHV_TESTDEV_GPA, MHV_TESTDEV_SIZE, testdev_access, vm);
}
