/* fmt_snprintf against the host libc's snprintf, which implements the same C99 contract. */
#include "kernel/format.h"
#include "tests/unit/check.h"
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

static void same(const char *file, int line, const char *fmt, int got_n, const char *got,
		 int want_n, const char *want)
{
	if (got_n != want_n || strcmp(got, want) != 0) {
		printf("    format \"%s\": got %d \"%s\", libc %d \"%s\"\n", fmt, got_n, got,
		       want_n, want);
		check_fail(file, line, fmt);
	}
}

/* Formats the same arguments with both implementations into 256-byte buffers. */
#define SAME(fmt, ...)                                                                             \
	do {                                                                                       \
		char got_[256], want_[256];                                                        \
		int got_n_ = fmt_snprintf(got_, sizeof got_, fmt, __VA_ARGS__);                    \
		int want_n_ = snprintf(want_, sizeof want_, fmt, __VA_ARGS__);                     \
		same(__FILE__, __LINE__, fmt, got_n_, got_, want_n_, want_);                       \
	} while (0)

TEST(plain_text_and_percent)
{
	SAME("%s", "");
	SAME("hello, world%s", "");
	SAME("100%% sure%c", '!');
	SAME("%%%d%%", 5);
}

TEST(signed_decimal)
{
	SAME("%d|%i|%d|%d", 0, 42, -42, 7);
	SAME("%d %d", INT_MAX, INT_MIN);
}

TEST(unsigned_decimal)
{
	SAME("%u %u %u", 0u, 4000000000u, UINT_MAX);
	SAME("%u", (unsigned)-1);
}

TEST(hex_lower_and_upper)
{
	SAME("%x %X %x", 0xdeadbeefu, 0xdeadbeefu, 0u);
	SAME("%x", 0xau);
}

TEST(octal)
{
	SAME("%o %o %o", 0u, 8u, 0777u);
	SAME("%o", UINT_MAX);
}

TEST(field_width_right_aligns)
{
	SAME("[%5d][%5s][%3c][%8x]", 42, "ab", 'z', 0xbeefu);
	SAME("[%2d]", 12345); /* width never truncates */
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* redundant flags are defined by C99 */
TEST(minus_flag_left_aligns)
{
	SAME("[%-5d][%-5s][%-3c][%-8x]", 42, "ab", 'z', 0xbeefu);
	SAME("[%-05d]", 42); /* '-' wins over '0' */
}
#pragma GCC diagnostic pop

TEST(zero_flag_pads_with_zeros)
{
	SAME("[%05d][%08x][%08X][%05u]", 42, 0xbeefu, 0xbeefu, 7u);
	SAME("[%03d][%02u]", 42, 7u); /* a single pad character */
}

TEST(zero_padding_goes_after_sign_and_prefix)
{
	SAME("[%05d][%+05d][% 05d]", -42, 42, 42);
	SAME("[%#010x][%#010X]", 0x1234u, 0x1234u);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* redundant flags are defined by C99 */
TEST(plus_and_space_flags)
{
	SAME("[%+d][%+d][% d][% d][%+ d]", 5, -5, 5, -5, 5);
	SAME("[%+u][% x]", 5u, 5u); /* sign flags do not apply to unsigned conversions */
}
#pragma GCC diagnostic pop

TEST(alt_flag_hex_prefix)
{
	SAME("%#x %#X %#x", 0xabu, 0xabu, 0u); /* no prefix for zero */
	SAME("[%#8x][%-#8x]", 0xabu, 0xabu);
}

TEST(alt_flag_octal_leading_zero)
{
	SAME("%#o %#o %#o", 8u, 0u, 0777u);
	SAME("%#.3o %#.0o", 8u, 0u);
}

TEST(precision_sets_minimum_digits)
{
	SAME("[%.5d][%.5d][%.3x][%.1u]", 42, -42, 0xau, 123u);
	SAME("[%8.5d][%-8.5d]", 42, -42);
}

TEST(precision_zero_with_zero_value_prints_nothing)
{
	SAME("[%.0d][%.0u][%.0x][%5.0d][%.d]", 0, 0u, 0u, 0, 0);
	SAME("[%.0d]", 7);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* redundant flags are defined by C99 */
TEST(precision_disables_zero_flag)
{
	SAME("[%08.3d][%08.3x][%010.5d]", 42, 0xau, -42);
}
#pragma GCC diagnostic pop

TEST(star_width_and_precision)
{
	SAME("[%*d][%.*d][%*.*d]", 6, 42, 4, 42, 8, 5, 42);
	SAME("[%*d]", -6, 42);		     /* negative width: left-aligned */
	SAME("[%.*d][%.*d]", -3, 42, -1, 0); /* negative precision: as if none */
	SAME("[%-*s]", 5, "ab");
	SAME("[%.*s]", 2, "abcdef");
}

TEST(length_hh_and_h_truncate)
{
	SAME("%hhd %hhd %hhu %hhx", 300, -129, 300, 0x1ff);
	SAME("%hd %hu %hx", 70000, 70000, 0x12345);
}

TEST(length_l_and_ll)
{
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdef0ul);
	SAME("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ull, ULLONG_MAX);
	SAME("%lli %llX", -1ll, 0xabcdefull);
}

TEST(length_z_t_j)
{
	SAME("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)0x1000, (ptrdiff_t)-5);
	SAME("%td %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)0x7f);
	SAME("%jd %ju %jx", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (uintmax_t)0xabc);
}

TEST(string_width_and_precision)
{
	SAME("[%s][%10s][%-10s][%.3s][%10.3s][%-10.3s]", "hello", "hello", "hello", "hello",
	     "hello", "hello");
	SAME("[%.0s][%.10s]", "hello", "hi");
}

TEST(string_precision_does_not_read_past_it)
{
	char unterminated[3] = {'a', 'b', 'c'};
	char out[16];
	CHECK_EQ(fmt_snprintf(out, sizeof out, "%.3s", unterminated), 3);
	CHECK_STR(out, "abc");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-overflow" /* NULL for %s is our extension */
TEST(null_string_prints_null)
{
	char out[32];
	const char *none = NULL;
	CHECK_EQ(fmt_snprintf(out, sizeof out, "<%s>", none), 8);
	CHECK_STR(out, "<(null)>");
	CHECK_EQ(fmt_snprintf(out, sizeof out, "<%8s>", none), 10);
	CHECK_STR(out, "<  (null)>");
}
#pragma GCC diagnostic pop

TEST(char_conversion)
{
	SAME("%c%c%c", 'a', 'B', '0');
	SAME("[%4c][%-4c]", 'x', 'y');
}

TEST(pointer_is_0x_and_16_hex_digits)
{
	char out[64];
	CHECK_EQ(fmt_snprintf(out, sizeof out, "%p", (void *)0x1234), 18);
	CHECK_STR(out, "0x0000000000001234");
	CHECK_EQ(fmt_snprintf(out, sizeof out, "%p", (void *)NULL), 18);
	CHECK_STR(out, "0x0000000000000000");
	fmt_snprintf(out, sizeof out, "%p", (void *)0xffff800000abcdefull);
	CHECK_STR(out, "0xffff800000abcdef");
	fmt_snprintf(out, sizeof out, "[%20p][%-20p]", (void *)1, (void *)1);
	CHECK_STR(out, "[  0x0000000000000001][0x0000000000000001  ]");
}

TEST(mixed_arguments_stay_in_order)
{
	SAME("%s=%d (%#x) %c %llu %s %zu %hhd", "v", -3, 255u, 'q', 1ull << 40, "end", (size_t)9,
	     65);
}

TEST(truncation_returns_full_length)
{
	char out[8];
	memset(out, 'X', sizeof out);
	CHECK_EQ(fmt_snprintf(out, sizeof out, "%s-%d", "abcdef", 12345), 12);
	CHECK_STR(out, "abcdef-");
	memset(out, 'X', sizeof out);
	CHECK_EQ(fmt_snprintf(out, 5, "%08x", 0xbeefu), 8);
	CHECK_STR(out, "0000");
	CHECK_EQ(out[5], 'X'); /* nothing written past size */
}

TEST(exact_fit_and_one_short)
{
	char out[8];
	CHECK_EQ(fmt_snprintf(out, 8, "%s", "1234567"), 7);
	CHECK_STR(out, "1234567");
	CHECK_EQ(fmt_snprintf(out, 7, "%s", "1234567"), 7);
	CHECK_STR(out, "123456");
}

TEST(size_zero_writes_nothing)
{
	char out[4] = {'X', 'X', 'X', 'X'};
	CHECK_EQ(fmt_snprintf(out, 0, "%d-%s", 12345, "abc"), 9);
	CHECK_EQ(out[0], 'X');
	CHECK_EQ(fmt_snprintf(NULL, 0, "%5d", 1), 5);
}

TEST(size_one_writes_only_nul)
{
	char out[4] = {'X', 'X', 'X', 'X'};
	CHECK_EQ(fmt_snprintf(out, 1, "%s", "abc"), 3);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[1], 'X');
}

TEST(unknown_conversion_is_copied)
{
	char out[32];
	const char *fmt = "a%yb%5wc"; /* held in a variable: the compiler would reject it */
	CHECK_EQ(fmt_snprintf(out, sizeof out, fmt, 0), 8);
	CHECK_STR(out, "a%yb%5wc");
	const char *cut = "end%";
	CHECK_EQ(fmt_snprintf(out, sizeof out, cut, 0), 4);
	CHECK_STR(out, "end%");
}

static int via_va_list(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

TEST(vsnprintf_takes_a_va_list)
{
	char out[32];
	CHECK_EQ(via_va_list(out, sizeof out, "%s:%d:%llx", "f", 10, 0xabcull), 8);
	CHECK_STR(out, "f:10:abc");
}

CHECK_MAIN("format", CASE(plain_text_and_percent), CASE(signed_decimal), CASE(unsigned_decimal),
	   CASE(hex_lower_and_upper), CASE(octal), CASE(field_width_right_aligns),
	   CASE(minus_flag_left_aligns), CASE(zero_flag_pads_with_zeros),
	   CASE(zero_padding_goes_after_sign_and_prefix), CASE(plus_and_space_flags),
	   CASE(alt_flag_hex_prefix), CASE(alt_flag_octal_leading_zero),
	   CASE(precision_sets_minimum_digits), CASE(precision_zero_with_zero_value_prints_nothing),
	   CASE(precision_disables_zero_flag), CASE(star_width_and_precision),
	   CASE(length_hh_and_h_truncate), CASE(length_l_and_ll), CASE(length_z_t_j),
	   CASE(string_width_and_precision), CASE(string_precision_does_not_read_past_it),
	   CASE(null_string_prints_null), CASE(char_conversion),
	   CASE(pointer_is_0x_and_16_hex_digits), CASE(mixed_arguments_stay_in_order),
	   CASE(truncation_returns_full_length), CASE(exact_fit_and_one_short),
	   CASE(size_zero_writes_nothing), CASE(size_one_writes_only_nul),
	   CASE(unknown_conversion_is_copied), CASE(vsnprintf_takes_a_va_list))
