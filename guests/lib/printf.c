#include "guests/lib/printf.h"
#include "guests/lib/div64.h"
#include "guests/lib/serial.h"
#include "guests/lib/spinlock.h"

bool printf_smp;
static struct spinlock console_lock;

struct outbuf {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past size */
};

struct spec {
	bool left;
	char pad;
	u32 width;
};

static void put(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct outbuf *o, const struct spec *sp, const char *sign, const char *s,
		       size_t n)
{
	size_t used = n + (sign ? 1 : 0);
	size_t fill = sp->width > used ? sp->width - used : 0;

	if (!sp->left && sp->pad == ' ')
		for (; fill; fill--)
			put(o, ' ');
	if (sign)
		put(o, *sign);
	if (!sp->left)
		for (; fill; fill--)
			put(o, '0');
	while (n--)
		put(o, *s++);
	for (; fill; fill--)
		put(o, ' ');
}

static void put_number(struct outbuf *o, const struct spec *sp, u64 v, u32 base, bool upper,
		       bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t i = sizeof(tmp);
	u32 r;

	do {
		if (base == 16) {
			r = (u32)v & 0xf;
			v >>= 4;
		} else {
			v = udiv64(v, base, &r);
		}
		tmp[--i] = digits[r];
	} while (v);
	put_padded(o, sp, negative ? "-" : NULL, tmp + i, sizeof(tmp) - i);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	sp->left = false;
	sp->pad = ' ';
	sp->width = 0;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->pad = '0';
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (u32)(*f++ - '0');
	return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = {buf, size, 0};
	struct spec sp;

	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp);
		int longs = 0;
		while (*f == 'l') {
			longs++;
			f++;
		}
		bool wide = longs >= 2;
		switch (*f) {
		case 'd':
		case 'i': {
			s64 v = wide ? va_arg(ap, s64) : va_arg(ap, s32);
			put_number(&o, &sp, v < 0 ? -(u64)v : (u64)v, 10, false, v < 0);
			break;
		}
		case 'u':
			put_number(&o, &sp, wide ? va_arg(ap, u64) : va_arg(ap, u32), 10, false,
				   false);
			break;
		case 'x':
		case 'X':
			put_number(&o, &sp, wide ? va_arg(ap, u64) : va_arg(ap, u32), 16, *f == 'X',
				   false);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, &sp, (u32)va_arg(ap, void *), 16, false, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;
			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			sp.pad = ' ';
			put_padded(&o, &sp, NULL, s, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			sp.pad = ' ';
			put_padded(&o, &sp, NULL, &c, 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown conversion: show it rather than guess at the argument */
			put(&o, '%');
			if (!*f)
				f--;
			else
				put(&o, *f);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(buf)) {
		/* keep the console line-oriented: a truncated line still ends its line */
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (!printf_smp) {
		serial_write(buf, (size_t)n);
		return n;
	}
	u32 flags = irq_save();
	spin_lock(&console_lock);
	serial_write(buf, (size_t)n);
	spin_unlock(&console_lock);
	irq_restore(flags);
	return n;
}
