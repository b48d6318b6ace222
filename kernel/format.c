/* A small vsnprintf: one pass over the format, each conversion parsed into a spec and
 * rendered as [padding][prefix][zeros][digits][padding]. */
#include "kernel/format.h"
#include <stdbool.h>
#include <stdint.h>

enum fmt_flag {
	FLAG_LEFT = 1 << 0,  /* '-': pad on the right */
	FLAG_ZERO = 1 << 1,  /* '0': pad numbers with zeros */
	FLAG_PLUS = 1 << 2,  /* '+': always print a sign */
	FLAG_SPACE = 1 << 3, /* ' ': space where a '+' would go */
	FLAG_ALT = 1 << 4,   /* '#': 0x prefix, leading octal 0 */
};

enum fmt_length { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
	enum fmt_length length;
	char conv;
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, including those that did not fit */
};

#define FIELD_MAX 1000000 /* widths/precisions are clamped here so parsing cannot overflow */

static void put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static uintmax_t arg_unsigned(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (uintmax_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	case LEN_INT:
		break;
	}
	return va_arg(*ap, unsigned);
}

static intmax_t arg_signed(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z: /* the signed counterpart of size_t has ptrdiff_t's width on x86-64 */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	case LEN_INT:
		break;
	}
	return va_arg(*ap, int);
}

static unsigned conv_base(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	}
	return 10;
}

static void emit_int(struct fmt_out *o, const struct fmt_spec *s, uintmax_t mag, bool negative)
{
	unsigned base = conv_base(s->conv);
	const char *digit_chars = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	bool is_signed = s->conv == 'd' || s->conv == 'i';
	char digits[24]; /* 22 octal digits hold 64 bits */
	int ndigits = 0;
	bool zero_value = mag == 0;

	if (!(zero_value && s->prec == 0)) {
		do {
			digits[ndigits++] = digit_chars[mag % base];
			mag /= base;
		} while (mag);
	}

	int zeros = s->prec > ndigits ? s->prec - ndigits : 0;
	if ((s->flags & FLAG_ALT) && base == 8 && zeros == 0 &&
	    (ndigits == 0 || digits[ndigits - 1] != '0'))
		zeros = 1;

	char prefix[2];
	int nprefix = 0;
	if (is_signed && negative)
		prefix[nprefix++] = '-';
	else if (is_signed && (s->flags & FLAG_PLUS))
		prefix[nprefix++] = '+';
	else if (is_signed && (s->flags & FLAG_SPACE))
		prefix[nprefix++] = ' ';
	if (s->conv == 'p' || ((s->flags & FLAG_ALT) && base == 16 && !zero_value)) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = s->conv == 'X' ? 'X' : 'x';
	}

	int pad = s->width - (nprefix + zeros + ndigits);
	if (!(s->flags & FLAG_LEFT) && (s->flags & FLAG_ZERO) && s->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!(s->flags & FLAG_LEFT))
		put_n(o, ' ', pad);
	for (int i = 0; i < nprefix; i++)
		put(o, prefix[i]);
	put_n(o, '0', zeros);
	while (ndigits > 0)
		put(o, digits[--ndigits]);
	if (s->flags & FLAG_LEFT)
		put_n(o, ' ', pad);
}

static void emit_str(struct fmt_out *o, const struct fmt_spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while ((s->prec < 0 || n < s->prec) && str[n])
		n++;
	if (!(s->flags & FLAG_LEFT))
		put_n(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->flags & FLAG_LEFT)
		put_n(o, ' ', s->width - n);
}

static int parse_number(const char **p)
{
	int v = 0;
	while (**p >= '0' && **p <= '9') {
		if (v < FIELD_MAX)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v < FIELD_MAX ? v : FIELD_MAX;
}

static int clamp_field(int v)
{
	return v > FIELD_MAX ? FIELD_MAX : v;
}

/* Parses flags, width, precision and length after a '%'; *p is left on the conversion. */
static void parse_spec(const char **p, va_list *ap, struct fmt_spec *s)
{
	*s = (struct fmt_spec){.prec = -1};
	for (;; (*p)++) {
		switch (**p) {
		case '-':
			s->flags |= FLAG_LEFT;
			continue;
		case '0':
			s->flags |= FLAG_ZERO;
			continue;
		case '+':
			s->flags |= FLAG_PLUS;
			continue;
		case ' ':
			s->flags |= FLAG_SPACE;
			continue;
		case '#':
			s->flags |= FLAG_ALT;
			continue;
		}
		break;
	}

	if (**p == '*') {
		int w = va_arg(*ap, int);
		(*p)++;
		if (w < 0) {
			s->flags |= FLAG_LEFT;
			w = w < -FIELD_MAX ? FIELD_MAX : -w;
		}
		s->width = clamp_field(w);
	} else {
		s->width = parse_number(p);
	}

	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			int pr = va_arg(*ap, int);
			(*p)++;
			s->prec = pr < 0 ? -1 : clamp_field(pr);
		} else {
			s->prec = parse_number(p);
		}
	}

	switch (**p) {
	case 'h':
		s->length = (*p)[1] == 'h' ? LEN_HH : LEN_H;
		*p += s->length == LEN_HH ? 2 : 1;
		break;
	case 'l':
		s->length = (*p)[1] == 'l' ? LEN_LL : LEN_L;
		*p += s->length == LEN_LL ? 2 : 1;
		break;
	case 'z':
		s->length = LEN_Z;
		(*p)++;
		break;
	case 't':
		s->length = LEN_T;
		(*p)++;
		break;
	case 'j':
		s->length = LEN_J;
		(*p)++;
		break;
	}
	s->conv = **p;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {.buf = buf, .size = size};
	va_list args;
	va_copy(args, ap); /* a va_list parameter cannot portably be passed on by address */

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		const char *start = p++;
		struct fmt_spec s;
		parse_spec(&p, &args, &s);
		switch (s.conv) {
		case 'd':
		case 'i': {
			intmax_t v = arg_signed(&args, s.length);
			emit_int(&o, &s, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			emit_int(&o, &s, arg_unsigned(&args, s.length), false);
			break;
		case 'p':
			s.prec = 16;
			emit_int(&o, &s, (uintptr_t)va_arg(args, void *), false);
			break;
		case 's':
			emit_str(&o, &s, va_arg(args, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(args, int);
			if (!(s.flags & FLAG_LEFT))
				put_n(&o, ' ', s.width - 1);
			put(&o, c);
			if (s.flags & FLAG_LEFT)
				put_n(&o, ' ', s.width - 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown or cut-off conversion: show it as written */
			while (start <= p && *start)
				put(&o, *start++);
			if (!*p)
				p--;
			break;
		}
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len > INT32_MAX ? -1 : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
