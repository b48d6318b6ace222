#include "kernel/console_focus.h"

void focus_init(struct console_focus *f, unsigned count)
{
	*f = (struct console_focus){.count = count};
}

enum focus_result focus_feed(struct console_focus *f, uint8_t byte)
{
	if (!f->escape) {
		if (byte == FOCUS_ESCAPE) {
			f->escape = true;
			return FOCUS_CONSUMED;
		}
		return FOCUS_DELIVER;
	}
	f->escape = false;
	if (byte == FOCUS_ESCAPE)
		return FOCUS_DELIVER;
	unsigned target;
	if (byte == 'q')
		return FOCUS_QUIT;
	if (byte == 'n')
		target = f->count ? (f->current + 1) % f->count : 0;
	else if (byte >= '1' && byte <= '9' && (unsigned)(byte - '1') < f->count)
		target = (unsigned)(byte - '1');
	else
		return FOCUS_CONSUMED;
	if (target == f->current)
		return FOCUS_CONSUMED;
	focus_set(f, target);
	return FOCUS_CHANGED;
}

void focus_set(struct console_focus *f, unsigned target)
{
	f->current = target;
	f->len = 0; /* what was typed for the previous VM is not sent to the new one */
}

bool focus_queue_push(struct console_focus *f, uint8_t byte)
{
	if (f->len == FOCUS_QUEUE_SIZE)
		return false;
	f->queue[(f->head + f->len++) % FOCUS_QUEUE_SIZE] = byte;
	return true;
}

bool focus_queue_peek(const struct console_focus *f, uint8_t *byte)
{
	if (!f->len)
		return false;
	*byte = f->queue[f->head];
	return true;
}

void focus_queue_pop(struct console_focus *f)
{
	if (f->len) {
		f->head = (f->head + 1) % FOCUS_QUEUE_SIZE;
		f->len--;
	}
}

bool focus_leave_ended(struct console_focus *f, uint64_t live)
{
	if (!f->count || (live >> f->current & 1))
		return false;
	for (unsigned k = 1; k < f->count && k < 64; k++) {
		unsigned i = (f->current + k) % f->count;
		if (i < 64 && (live >> i & 1)) {
			focus_set(f, i);
			return true;
		}
	}
	return false;
}
