#include "devices/virtio_console.h"
#include "kernel/kstring.h"

static bool emit(void *ctx, void *p, uint64_t len)
{
	struct virtio_console *c = ctx;
	c->output(c->ctx, p, len);
	return true;
}

static int64_t transmit(struct virtio_dev *d, struct virtq *q, const struct virtq_chain *chain)
{
	struct virtio_console *c = virtio_container(d, struct virtio_console);
	uint64_t n =
	    chain->read_len < VIRTIO_CONSOLE_TX_MAX ? chain->read_len : VIRTIO_CONSOLE_TX_MAX;
	virtq_for_each(q, chain, false, 0, n, emit, c);
	virtq_push(q, chain, 0);
	return (int64_t)n;
}

/* Moves pending input into posted receive buffers; false on a fatal queue error. Each chain
 * with room takes at least one byte, so a ring's worth of chains always suffices to empty it:
 * only chains without room (a hostile driver) can use up the bound and delay the input. */
static bool flush_input(struct virtio_console *c)
{
	struct virtq *q = &c->vq[VIRTIO_CONSOLE_RXQ];
	for (unsigned chains = 0; c->in_count && chains < VIRTIO_CONSOLE_INPUT_SIZE; chains++) {
		struct virtq_chain chain;
		enum virtq_pop_result r = virtq_pop(q, &chain);
		if (r == VIRTQ_FATAL)
			return false;
		if (r == VIRTQ_EMPTY)
			break;
		/* The ring's bytes in at most two pieces: up to its end, then from its start. */
		uint32_t n = c->in_count < chain.write_len ? c->in_count : chain.write_len;
		uint32_t first = VIRTIO_CONSOLE_INPUT_SIZE - c->in_head;
		if (first > n)
			first = n;
		virtq_write(q, &chain, 0, c->in + c->in_head, first);
		virtq_write(q, &chain, first, c->in, n - first);
		c->in_head = (c->in_head + n) % VIRTIO_CONSOLE_INPUT_SIZE;
		c->in_count -= n;
		virtq_push(q, &chain, n);
	}
	virtio_used(&c->dev, VIRTIO_CONSOLE_RXQ);
	return true;
}

static enum virtio_work console_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *c = virtio_container(d, struct virtio_console);
	if (q == VIRTIO_CONSOLE_TXQ)
		return virtio_process(d, q, transmit);
	return flush_input(c) ? VIRTIO_IDLE : VIRTIO_FAILED;
}

static void console_reset(struct virtio_dev *d)
{
	struct virtio_console *c = virtio_container(d, struct virtio_console);
	c->in_head = c->in_count = 0;
}

static const struct virtio_dev_ops console_ops = {.notify = console_notify, .reset = console_reset};

void virtio_console_init(struct virtio_console *c, const struct guest_mem *mem,
			 virtio_console_out_fn *output, void *ctx)
{
	virtio_dev_init(&c->dev, &console_ops, mem, VIRTIO_ID_CONSOLE, VIRTIO_F_COMMON, c->vq,
			c->seg, 2);
	c->output = output;
	c->ctx = ctx;
	c->in_head = c->in_count = 0;
	memset(c->config, 0, sizeof c->config);
	c->dev.config = c->config;
	c->dev.config_len = sizeof c->config;
}

uint64_t virtio_console_input(struct virtio_console *c, const uint8_t *bytes, uint64_t n)
{
	uint64_t taken = 0;
	while (taken < n && c->in_count < VIRTIO_CONSOLE_INPUT_SIZE) {
		c->in[(c->in_head + c->in_count) % VIRTIO_CONSOLE_INPUT_SIZE] = bytes[taken++];
		c->in_count++;
	}
	if (virtio_running(&c->dev) && !flush_input(c))
		virtio_fail(&c->dev);
	return taken;
}
