/* virtio-console (virtio 1.2 §5.3), single port: lines written through the transmit queue
 * reach the hypervisor console as whole lines with the VM's name in front; with typein, a
 * line typed on the hypervisor console comes in through the receive queue, spread over
 * buffers smaller than it. */
#include "guests/lib/lapic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include "guests/virtio-test/vtest.h"

#define CONSOLE_RXQ  0 /* receiveq(port0) */
#define CONSOLE_TXQ  1 /* transmitq(port0) */
#define QSIZE	     8
#define RX_BUFFERS   4
#define RX_BYTES     4 /* smaller than the typed line: it has to span buffers */
#define LINE_MAX     96
#define TYPED	     "ping" /* what tests/boot/input/virtio-console types, then CR */
#define TYPE_WAIT_MS 60000  /* guest time; the typing waits for the prompt on the console */

static struct vdev con;
static u8 *rx_buf[QSIZE];

static void post_rx(u8 *buf)
{
	struct virtq_buf rx = {(u32)buf, RX_BYTES};
	int head = virtq_add(&con.q[CONSOLE_RXQ], &rx, 0, 1);
	if (head >= 0)
		rx_buf[head] = buf;
}

/* Collects received bytes until a CR or LF, reposting each buffer; false on timeout. */
static bool read_line(char *line, u32 max, u32 *buffers)
{
	u64 end = rdtsc() + tsc_from_ms(TYPE_WAIT_MS);
	u32 n = 0, id, len;

	*buffers = 0;
	while (rdtsc() < end) {
		while (virtq_get_used(&con.q[CONSOLE_RXQ], &id, &len)) {
			u8 *buf = id < QSIZE ? rx_buf[id] : NULL;
			(*buffers)++;
			for (u32 i = 0; buf && i < len && i < RX_BYTES; i++) {
				if (buf[i] == '\r' || buf[i] == '\n') {
					line[n] = '\0';
					return true;
				}
				if (n + 1 < max)
					line[n++] = (char)buf[i];
			}
			if (buf)
				post_rx(buf);
			virtq_kick(&con.q[CONSOLE_RXQ]);
		}
		hc_idle(VTEST_IDLE_US);
	}
	line[n] = '\0';
	return false;
}

static void check_typed_line(void)
{
	char *prompt = virtio_alloc(LINE_MAX, 16), line[LINE_MAX];
	const char *ask = "virtio-console: type a line\n";
	u32 used, buffers, irqs = lapic_irq_count[vtest_queue_vector(&con, CONSOLE_RXQ)];

	memcpy(prompt, ask, strlen(ask));
	struct virtq_buf b = {(u32)prompt, strlen(ask)};
	vtest_io(&con, CONSOLE_TXQ, &b, 1, 0, &used);
	bool got = read_line(line, sizeof line, &buffers);
	irqs = lapic_irq_count[vtest_queue_vector(&con, CONSOLE_RXQ)] - irqs;
	report(got && !strcmp(line, TYPED) && buffers >= 2 && irqs >= 1,
	       "console: the typed line '%s' came through the receive queue (%u buffers, %u "
	       "interrupts)",
	       line, buffers, irqs);
}

void test_console(const struct pci_func *f, unsigned slot_index)
{
	u32 used;

	if (!vtest_start(&con, "console", f, slot_index, 0, 2, QSIZE))
		return;
	/* Input buffers, as a driver keeps them posted. */
	for (unsigned i = 0; i < RX_BUFFERS; i++)
		post_rx(virtio_alloc(RX_BYTES, 16));
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
	if (vtest.typein)
		check_typed_line();
	virtio_reset(&con.dev);
}
