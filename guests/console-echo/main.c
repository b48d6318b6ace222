/* Console input: echoes each line typed on COM1 back as "echo: line N: ...".
 *
 * Bytes arrive through the 16550A's received-data interrupt (IRQ4) while main() halts, so
 * typed input must wake a halted vCPU. After the first byte the guest leaves its UART
 * unread for FIRST_LINE_DELAY_MS (emulated time) and then reports how many bytes were
 * waiting: a first line longer than the 16-byte FIFO then shows that the hypervisor holds
 * the rest (no overrun, nothing lost, order kept). Lines print in ECHO_CHUNK-byte pieces with
 * control bytes as \xHH; "quit" ends the VM with exit code 0. */
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"

#define LINE_MAX	    512
#define ECHO_CHUNK	    50
#define FIRST_LINE_DELAY_MS 3000
#define UART_IER_RDI	    0x01 /* received data available */
#define UART_LSR_OE	    0x02 /* overrun: a byte arrived with the FIFO full */

static char line[LINE_MAX];
static volatile u32 len, lines_ready, overruns, dropped;
static char ready[LINE_MAX];
static u32 ready_len;

/* Adds one received byte to the line; a completed line is handed to main() (one at a time:
 * bytes of the next line wait in the FIFO, and then in the hypervisor, until main() has
 * taken it). */
static void take_byte(char c)
{
	if (c == '\r' || c == '\n') {
		if (len == 0)
			return; /* the \n of a \r\n pair */
		memcpy(ready, line, len);
		ready_len = len;
		len = 0;
		lines_ready = 1;
	} else if (len < LINE_MAX) {
		line[len++] = c;
	} else {
		dropped++;
	}
}

/* Takes one byte if the UART has one (counting overruns it reports); false if none. */
static bool receive_one(void)
{
	u8 lsr = inb(UART_LSR);
	if (lsr & UART_LSR_OE)
		overruns++;
	if (!(lsr & UART_LSR_DR))
		return false;
	take_byte((char)inb(UART_RBR));
	return true;
}

static void on_uart(struct trap_frame *f)
{
	(void)f;
	while (!lines_ready && receive_one())
		;
	if (lines_ready)
		outb(UART_IER, 0); /* until main() has printed this line */
	pic_eoi(UART_IRQ);
}

/* Takes what is waiting in the receive FIFO; true if it held all 16 bytes. */
static bool uart_fifo_full(void)
{
	u32 n = 0;
	while (n < UART_FIFO_DEPTH && !lines_ready && receive_one())
		n++;
	return n == UART_FIFO_DEPTH;
}

static void print_line(u32 n)
{
	printf("echo: line %u: %u bytes\n", n, ready_len);
	for (u32 at = 0, part = 1; at < ready_len; at += ECHO_CHUNK, part++) {
		char out[ECHO_CHUNK * 4 + 1];
		u32 o = 0;
		for (u32 i = at; i < ready_len && i < at + ECHO_CHUNK; i++) {
			u8 c = (u8)ready[i];
			if (c < 0x20 || c >= 0x7f)
				o += (u32)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
			else
				out[o++] = (char)c;
		}
		out[o] = 0;
		printf("echo: line %u part %u: %s\n", n, part, out);
	}
}

static bool is_quit(void)
{
	return ready_len == 4 && ready[0] == 'q' && ready[1] == 'u' && ready[2] == 'i' &&
	       ready[3] == 't';
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (!tsc_khz_for_timeouts()) {
		printf("echo: no TSC rate to time the pause with\n");
		guest_exit(EXIT_FAIL);
	}
	trap_set_handler(IRQ_VECTOR(UART_IRQ), on_uart);
	pic_init((u16)~IRQ_BIT(UART_IRQ));
	outb(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	printf("echo: ready\n");

	/* The first byte, then a pause with nothing read. */
	while (!(inb(UART_LSR) & UART_LSR_DR))
		cpu_relax();
	tsc_spin_ms(FIRST_LINE_DELAY_MS);
	printf("echo: after the pause the FIFO %s\n",
	       uart_fifo_full() ? "was full" : "still had room");

	for (u32 n = 1;; n++) {
		outb(UART_IER, UART_IER_RDI);
		for (;;) {
			cli(); /* the check and the halt must not straddle an interrupt */
			if (lines_ready)
				break;
			sti_hlt();
		}
		sti();
		print_line(n);
		if (overruns || dropped)
			printf("echo: LOST INPUT: %u overruns, %u bytes past %u\n", overruns,
			       dropped, LINE_MAX);
		if (is_quit())
			guest_exit(overruns || dropped ? EXIT_FAIL : EXIT_PASS);
		lines_ready = 0;
	}
}
