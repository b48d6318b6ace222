#include "devices/i8042.h"

#define PORT_IS_COMMAND 0x04 /* 0x64 vs 0x60 */

#define STATUS_OBF	0x01 /* output buffer full: a byte waits on 0x60 */
#define STATUS_SYS	0x04 /* system flag, copied from the command byte */
#define STATUS_UNLOCKED 0x10 /* keyboard inhibit switch off */
#define STATUS_AUXDATA	0x20 /* the waiting byte came from the auxiliary port */
#define STATUS_TIMEOUT	0x40 /* the device did not answer; the byte is 0xfe */

#define CTR_KBD_INT 0x01				/* IRQ 1 on keyboard data */
#define CTR_AUX_INT 0x02				/* IRQ 12 on auxiliary data */
#define CTR_SYS	    0x04				/* system flag: POST passed */
#define CTR_KBD_DIS 0x10				/* keyboard clock disabled */
#define CTR_AUX_DIS 0x20				/* auxiliary clock disabled */
#define CTR_XLATE   0x40				/* translate to scan code set 1 */
#define CTR_DEFAULT (CTR_XLATE | CTR_SYS | CTR_KBD_INT) /* as firmware leaves it */

#define OUTPORT_RESET	0x01 /* CPU reset line, active low */
#define OUTPORT_A20	0x02
#define OUTPORT_DEFAULT (OUTPORT_A20 | OUTPORT_RESET)

/* Controller commands written to 0x64. */
#define CMD_READ_CTR	   0x20
#define CMD_WRITE_CTR	   0x60 /* data byte follows on 0x60 */
#define CMD_WRITE_RAM_LAST 0x7f /* 0x61-0x7f write RAM bytes 1-31: data byte follows */
#define CMD_AUX_DISABLE	   0xa7
#define CMD_AUX_ENABLE	   0xa8
#define CMD_AUX_TEST	   0xa9
#define CMD_SELF_TEST	   0xaa
#define CMD_KBD_TEST	   0xab
#define CMD_KBD_DISABLE	   0xad
#define CMD_KBD_ENABLE	   0xae
#define CMD_READ_OUTPORT   0xd0
#define CMD_WRITE_OUTPORT  0xd1 /* data byte follows */
#define CMD_WRITE_KBD_OBUF 0xd2 /* data byte follows, comes back as keyboard data */
#define CMD_WRITE_AUX_OBUF 0xd3 /* data byte follows */
#define CMD_WRITE_AUX	   0xd4 /* data byte follows */
#define CMD_PULSE_BASE	   0xf0 /* 0xf0-0xff: pulse output port bits 3:0 whose command bit is 0 */

#define AUX_NO_DEVICE 0xfe /* with STATUS_TIMEOUT: nothing answered on the AUX port */

#define SELF_TEST_OK	0x55
#define KBD_TEST_OK	0x00
#define AUX_TEST_NO_CLK 0x01 /* clock line stuck low: nothing attached */

/* Keyboard commands written to 0x60 and its replies. */
#define KBD_SET_LEDS	  0xed /* argument follows */
#define KBD_ECHO	  0xee
#define KBD_SCANCODE_SET  0xf0 /* argument follows; 0 asks for the current set */
#define KBD_IDENTIFY	  0xf2
#define KBD_SET_TYPEMATIC 0xf3 /* argument follows */
#define KBD_FIRST_SIMPLE  0xf4 /* 0xf4-0xfe: enable, disable, defaults ... */
#define KBD_RESET	  0xff
#define KBD_ACK		  0xfa
#define KBD_RESEND	  0xfe
#define KBD_BAT_OK	  0xaa /* basic assurance test passed */
#define KBD_ID_MF2_1	  0xab
#define KBD_ID_MF2_2	  0x83
#define KBD_SCANCODE_SET2 0x02

/* Translation to set 1 (command byte bit 6) changes two of the bytes this keyboard sends. */
#define XLATED_SET2	0x41 /* set 2 code 0x02: "set 2" in reply to 0xf0 0x00 */
#define XLATED_ID_MF2_2 0x41 /* set 2 code 0x83: an MF2 keyboard identifies as 0xab 0x41 */

/* Queues a byte for the output buffer with the status bits that describe it. */
static void push_status(struct i8042 *k, uint8_t byte, uint8_t status)
{
	if (k->out_count < I8042_OUT_QUEUE) {
		unsigned slot = (k->out_head + k->out_count++) % I8042_OUT_QUEUE;
		k->out[slot] = byte;
		k->out_status[slot] = status;
	}
}

static void push(struct i8042 *k, uint8_t byte)
{
	push_status(k, byte, 0);
}

/* A byte from the keyboard, as the controller passes it on. */
static void from_keyboard(struct i8042 *k, uint8_t byte)
{
	if (k->ctr & CTR_XLATE && byte == KBD_SCANCODE_SET2)
		byte = XLATED_SET2;
	else if (k->ctr & CTR_XLATE && byte == KBD_ID_MF2_2)
		byte = XLATED_ID_MF2_2;
	push(k, byte);
}

static bool is_ram_write(uint8_t cmd)
{
	return cmd > CMD_WRITE_CTR && cmd <= CMD_WRITE_RAM_LAST;
}

static uint8_t read_data(struct i8042 *k)
{
	if (k->out_count) {
		k->last_read = k->out[k->out_head];
		k->out_head = (k->out_head + 1) % I8042_OUT_QUEUE;
		k->out_count--;
	}
	return k->last_read;
}

static uint8_t read_status(const struct i8042 *k)
{
	uint8_t v = STATUS_UNLOCKED;
	if (k->out_count)
		v |= STATUS_OBF | k->out_status[k->out_head];
	if (k->ctr & CTR_SYS)
		v |= STATUS_SYS;
	return v;
}

void i8042_init(struct i8042 *k, void (*reset)(void *ctx), void *ctx, const struct irq_line *irq1,
		const struct irq_line *irq12)
{
	*k = (struct i8042){.reset = reset, .ctx = ctx};
	if (irq1)
		k->irq1 = *irq1;
	if (irq12)
		k->irq12 = *irq12;
	k->ctr = CTR_DEFAULT;
	k->output_port = OUTPORT_DEFAULT;
}

static void assert_reset(struct i8042 *k)
{
	if (k->reset)
		k->reset(k->ctx);
}

static void controller_command(struct i8042 *k, uint8_t cmd)
{
	k->awaiting = 0;
	if (cmd >= CMD_PULSE_BASE) {
		if (!(cmd & OUTPORT_RESET))
			assert_reset(k);
		return;
	}
	switch (cmd) {
	case CMD_READ_CTR:
		push(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
	case CMD_WRITE_KBD_OBUF:
	case CMD_WRITE_AUX_OBUF:
	case CMD_WRITE_AUX:
		k->awaiting = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUX_DIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= (uint8_t)~CTR_AUX_DIS;
		break;
	case CMD_AUX_TEST:
		push(k, AUX_TEST_NO_CLK);
		break;
	case CMD_SELF_TEST:
		push(k, SELF_TEST_OK);
		break;
	case CMD_KBD_TEST:
		push(k, KBD_TEST_OK);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBD_DIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= (uint8_t)~CTR_KBD_DIS;
		break;
	case CMD_READ_OUTPORT:
		push(k, k->output_port);
		break;
	default: /* RAM access, input port and vendor commands: not present */
		if (is_ram_write(cmd))
			k->awaiting = cmd; /* its data byte is not for the keyboard */
		break;
	}
}

/* The keyboard itself: acknowledge what a real one would and answer the probes. */
static void keyboard_byte(struct i8042 *k, uint8_t v)
{
	if (k->kbd_awaiting) {
		from_keyboard(k, KBD_ACK);
		if (k->kbd_awaiting == KBD_SCANCODE_SET && v == 0)
			from_keyboard(k, KBD_SCANCODE_SET2);
		k->kbd_awaiting = 0;
		return;
	}
	switch (v) {
	case KBD_SET_LEDS:
	case KBD_SCANCODE_SET:
	case KBD_SET_TYPEMATIC:
		from_keyboard(k, KBD_ACK);
		k->kbd_awaiting = v;
		break;
	case KBD_ECHO:
		from_keyboard(k, KBD_ECHO);
		break;
	case KBD_IDENTIFY:
		from_keyboard(k, KBD_ACK);
		from_keyboard(k, KBD_ID_MF2_1);
		from_keyboard(k, KBD_ID_MF2_2);
		break;
	case KBD_RESET:
		from_keyboard(k, KBD_ACK);
		from_keyboard(k, KBD_BAT_OK);
		break;
	default:
		from_keyboard(k, v >= KBD_FIRST_SIMPLE ? KBD_ACK : KBD_RESEND);
		break;
	}
}

static void write_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->awaiting;
	k->awaiting = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		break;
	case CMD_WRITE_OUTPORT:
		k->output_port = v;
		if (!(v & OUTPORT_RESET))
			assert_reset(k);
		break;
	case CMD_WRITE_KBD_OBUF:
		push(k, v);
		break;
	case CMD_WRITE_AUX_OBUF:
		push_status(k, v, STATUS_AUXDATA);
		break;
	case CMD_WRITE_AUX:
		push_status(k, AUX_NO_DEVICE, STATUS_AUXDATA | STATUS_TIMEOUT);
		break;
	default:
		if (is_ram_write(cmd))
			break; /* RAM beyond the command byte is not kept */
		keyboard_byte(k, v);
		break;
	}
}

/* A wider access is byte cycles at consecutive ports. Only the first is the controller's;
 * the ports above it are not, and read all-ones as unclaimed ISA ports do. */
static uint32_t ports_above(uint8_t size)
{
	return size >= 4 ? 0xffffff00u : (1u << (size * 8)) - 0x100u;
}

static void set_line(const struct irq_line *line, bool *level, bool want)
{
	if (*level != want) {
		*level = want;
		irq_line_set(line, want);
	}
}

/* The IRQ output for the byte now in the output buffer, if its source's interrupt is on.
 * After a read both lines drop first, so a byte queued behind it makes a new edge. */
static void drive_irqs(struct i8042 *k, bool byte_taken)
{
	bool aux = k->out_count && k->out_status[k->out_head] & STATUS_AUXDATA;
	bool kbd = k->out_count && !aux;
	if (byte_taken) {
		set_line(&k->irq1, &k->irq1_level, false);
		set_line(&k->irq12, &k->irq12_level, false);
	}
	set_line(&k->irq1, &k->irq1_level, kbd && k->ctr & CTR_KBD_INT);
	set_line(&k->irq12, &k->irq12_level, aux && k->ctr & CTR_AUX_INT);
}

void i8042_io(void *kbc, struct io_access *a)
{
	struct i8042 *k = kbc;
	bool command_port = a->port & PORT_IS_COMMAND;
	uint8_t v = (uint8_t)a->value;
	if (a->write && command_port)
		controller_command(k, v);
	else if (a->write)
		write_data(k, v);
	else
		a->value = (command_port ? read_status(k) : read_data(k)) | ports_above(a->size);
	drive_irqs(k, !a->write && !command_port);
}
