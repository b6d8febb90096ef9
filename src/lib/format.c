/* SPDX-License-Identifier: Apache-2.0 */
/* printf-style formatting (see lib/format.h). One pass over the format string; numbers are
 * rendered into a small buffer, then padded. No floating point: the hypervisor has no use for it. */
#include "lib/format.h"
#include "lib/string.h"

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none */
};

struct out {
	format_putc_fn putc;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void emit_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Pads and prints a rendered field: [sign/prefix][zeros][digits], honouring width and '-'. */
static void emit_field(struct out *o, const struct spec *s, const char *prefix, const char *body, int len)
{
	int prefix_len = (int)strlen(prefix);
	int zeros = 0;
	if (s->precision > len)
		zeros = s->precision - len;
	int total = prefix_len + zeros + len;
	int pad = s->width > total ? s->width - total : 0;
	if (s->zero && !s->left && s->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		emit_repeat(o, ' ', pad);
	for (int i = 0; i < prefix_len; i++)
		emit(o, prefix[i]);
	emit_repeat(o, '0', zeros);
	for (int i = 0; i < len; i++)
		emit(o, body[i]);
	if (s->left)
		emit_repeat(o, ' ', pad);
}

static void emit_number(struct out *o, struct spec *s, uint64_t value, bool negative, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int len = 0;
	/* printf("%.0d", 0) prints nothing; otherwise zero prints "0". */
	if (!(value == 0 && s->precision == 0)) {
		do {
			buf[len++] = digits[value % base];
			value /= base;
		} while (value);
	}
	for (int i = 0; i < len / 2; i++) {
		char t = buf[i];
		buf[i] = buf[len - 1 - i];
		buf[len - 1 - i] = t;
	}
	const char *prefix = "";
	if (negative)
		prefix = "-";
	else if (s->plus)
		prefix = "+";
	else if (s->space)
		prefix = " ";
	if (s->alt && len > 0 && !(len == 1 && buf[0] == '0')) {
		if (base == 16)
			prefix = upper ? "0X" : "0x";
		else if (base == 8 && (s->precision <= len))
			prefix = "0";
	}
	emit_field(o, s, prefix, buf, len);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

/* size_t, ptrdiff_t and intmax_t are long-sized where this runs (the hypervisor and the host
 * tests), so one read of a long (of its unsigned twin) serves them all. */
_Static_assert(sizeof(size_t) == sizeof(long) && sizeof(ptrdiff_t) == sizeof(long) &&
	       sizeof(intmax_t) == sizeof(long) && sizeof(long) == 8, "format.c assumes LP64");

/* The argument of an integer conversion, sign-extended for d and i, zero-extended otherwise. */
static uint64_t take_integer(va_list *ap, enum length len, bool is_signed)
{
	if (len == LEN_LLONG)
		return va_arg(*ap, unsigned long long);
	if (len >= LEN_LONG)
		return va_arg(*ap, unsigned long);
	unsigned v = va_arg(*ap, unsigned);
	if (len == LEN_CHAR)
		return is_signed ? (uint64_t)(int64_t)(signed char)v : (unsigned char)v;
	if (len == LEN_SHORT)
		return is_signed ? (uint64_t)(int64_t)(short)v : (unsigned short)v;
	return is_signed ? (uint64_t)(int64_t)(int)v : v;
}

int format_callback(format_putc_fn putc, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { putc, ctx, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		struct spec s = { .precision = -1 };
		for (;; p++) {
			char f = p[1];
			if (f == '-') s.left = true;
			else if (f == '0') s.zero = true;
			else if (f == '+') s.plus = true;
			else if (f == ' ') s.space = true;
			else if (f == '#') s.alt = true;
			else break;
		}
		p++;
		if (*p == '*') {
			s.width = va_arg(ap, int);
			if (s.width < 0) {
				s.left = true;
				s.width = -s.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				s.width = s.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			s.precision = 0;
			if (*p == '*') {
				s.precision = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					s.precision = s.precision * 10 + (*p++ - '0');
			}
		}
		enum length len = LEN_INT;
		if (*p == 'h') {
			len = LEN_SHORT;
			if (*++p == 'h') { len = LEN_CHAR; p++; }
		} else if (*p == 'l') {
			len = LEN_LONG;
			if (*++p == 'l') { len = LEN_LLONG; p++; }
		} else if (*p == 'z') { len = LEN_SIZE; p++; }
		else if (*p == 't') { len = LEN_PTRDIFF; p++; }
		else if (*p == 'j') { len = LEN_MAX; p++; }

		/* The integer conversions, by their place in this string: d i u o x X p. */
		static const char integer_conversions[] = "diuoxXp";
		static const uint8_t bases[] = { 10, 10, 10, 8, 16, 16, 16 };
		const char *integer = *p ? strchr(integer_conversions, *p) : NULL;
		if (integer) {
			unsigned i = (unsigned)(integer - integer_conversions);
			uint64_t v;
			if (*p == 'p') {
				s.alt = true;
				v = (uintptr_t)va_arg(ap, void *);
			} else {
				v = take_integer(&ap, len, i < 2);
			}
			bool negative = i < 2 && (int64_t)v < 0;
			emit_number(&o, &s, negative ? (uint64_t)0 - v : v, negative, bases[i], *p == 'X');
			continue;
		}
		switch (*p) {
		case 'c': {
			char c = (char)va_arg(ap, int);
			s.precision = -1;
			emit_field(&o, &s, "", &c, 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int n = (int)(s.precision >= 0 ? strnlen(str, (size_t)s.precision) : strlen(str));
			s.precision = -1;
			s.zero = false;
			emit_field(&o, &s, "", str, n);
			break;
		}
		case '%': emit(&o, '%'); break;
		case '\0': p--; break; /* a lone '%' at the end prints nothing */
		default: /* unknown conversion: print it as written, so the bug is visible */
			emit(&o, '%');
			emit(&o, *p);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buffer {
	char *buf;
	size_t size;
	size_t pos;
};

static void buffer_putc(void *ctx, char c)
{
	struct buffer *b = ctx;
	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer b = { buf, size, 0 };
	int n = format_callback(buffer_putc, &b, fmt, ap);
	if (size > 0)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
