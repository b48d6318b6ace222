/* virtio-console (virtio 1.2 §5.3), single port: lines written through the transmit queue
 * reach the hypervisor console as whole lines with the VM's name in front. */
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-test/vtest.h"

#define CONSOLE_RXQ 0 /* receiveq(port0) */
#define CONSOLE_TXQ 1 /* transmitq(port0) */
#define QSIZE	    8
#define RX_BUFFERS  2
#define RX_BYTES    64
#define LINE_MAX    96

static struct vdev con;

void test_console(const struct pci_func *f, unsigned slot_index)
{
	u32 used;

	if (!vtest_start(&con, "console", f, slot_index, 0, 2, QSIZE))
		return;
	/* Input buffers, as a driver keeps them posted; nothing types into this console. */
	for (unsigned i = 0; i < RX_BUFFERS; i++) {
		struct virtq_buf rx = {(u32)virtio_alloc(RX_BYTES, 16), RX_BYTES};
		virtq_add(&con.q[CONSOLE_RXQ], &rx, 0, 1);
	}
	virtq_kick(&con.q[CONSOLE_RXQ]);

	char *line = virtio_alloc(LINE_MAX, 16);
	int n =
	    snprintf(line, LINE_MAX, "virtio-console: hello from role %c on the transmit queue\n",
		     vtest.role ? vtest.role : '-');
	struct virtq_buf one = {(u32)line, (u32)n};
	bool ok = vtest_io(&con, CONSOLE_TXQ, &one, 1, 0, &used);
	report(ok && used == 0, "console: a one-buffer line completes with used length 0 (%u)",
	       used);

	/* One line in two buffers of one chain: the device must join them. */
	char *second = virtio_alloc(LINE_MAX, 16);
	const char *head = "virtio-console: a line in ", *tail = "two buffers\n";
	memcpy(second, head, strlen(head));
	memcpy(second + strlen(head), tail, strlen(tail));
	struct virtq_buf two[2] = {{(u32)second, strlen(head)},
				   {(u32)second + strlen(head), strlen(tail)}};
	ok = vtest_io(&con, CONSOLE_TXQ, two, 2, 0, &used);
	report(ok && used == 0, "console: a two-buffer line completes (used %u)", used);
	vtest_report_interrupts(&con);
	virtio_reset(&con.dev);
}
