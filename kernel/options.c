#include "kernel/options.h"
#include "kernel/console.h"
#include "kernel/kstring.h"
#include "kernel/percpu.h"

struct hv_options hv_options = {.timeslice_us = 10000,
			       .apicv = APICV_FULL,
			       .console = {.serial = true, .screen = true}};

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

static const uint16_t com_ports[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8}; /* ttyS0-ttyS3 */

static bool parse_hex16(const char *s, size_t n, uint16_t *out)
{
	uint32_t v = 0;
	if (n < 3 || n > 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (size_t i = 2; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16;
		if (d > 15)
			return false;
		v = v * 16 + d;
	}
	if (v == 0 || v > 0xfff8)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* console=serial,screen style lists; every word must be valid or nothing changes. */
static bool parse_console(const char *val, size_t vlen, struct console_choice *out)
{
	struct console_choice c = {0};
	bool none = false;
	for (size_t i = 0; i < vlen;) {
		size_t j = i;
		while (j < vlen && val[j] != ',')
			j++;
		const char *w = val + i;
		size_t n = j - i;
		uint16_t port;
		if (word_is(w, n, "serial")) {
			c.serial = true;
		} else if (word_is(w, n, "screen")) {
			c.screen = true;
		} else if (word_is(w, n, "none")) {
			none = true;
		} else if (n == 5 && !memcmp(w, "ttyS", 4) && w[4] >= '0' && w[4] <= '3') {
			c.serial = true;
			c.port = com_ports[w[4] - '0'];
		} else if (parse_hex16(w, n, &port)) {
			c.serial = true;
			c.port = port;
		} else {
			return false;
		}
		i = j + 1;
	}
	if (none && (c.serial || c.screen))
		return false;
	*out = c;
	return vlen > 0;
}


static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 0xffffffffull)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool apply(const char *key, size_t klen, const char *val, size_t vlen, struct hv_options *o)
{
	static const char *const levels[] = {"error", "warn", "info", "debug"};
	static const char *const apicv[] = {[APICV_OFF] = "off", [APICV_BASIC] = "basic",
					    [APICV_FULL] = "full"};
	if (word_is(key, klen, "log")) {
		for (unsigned i = 0; i < 4; i++) {
			if (word_is(val, vlen, levels[i])) {
				console_level = (enum log_level)i;
				return true;
			}
		}
		return false;
	}
	if (word_is(key, klen, "selftest")) {
		o->selftest_exception = word_is(val, vlen, "exception");
		return o->selftest_exception;
	}
	if (word_is(key, klen, "runtime")) {
		uint32_t sec;
		if (!parse_u32(val, vlen, &sec) || sec == 0)
			return false;
		o->runtime_s = sec;
		return true;
	}
	if (word_is(key, klen, "rtc")) {
		uint32_t sec;
		if (!parse_u32(val, vlen, &sec) || sec == 0)
			return false;
		o->rtc_epoch = sec;
		return true;
	}
	if (word_is(key, klen, "apicv")) {
		for (unsigned i = 0; i < 3; i++) {
			if (word_is(val, vlen, apicv[i])) {
				o->apicv = (enum apicv_level)i;
				return true;
			}
		}
		return false;
	}
	if (word_is(key, klen, "cpus")) {
		uint32_t n;
		if (!parse_u32(val, vlen, &n) || n < 1 || n > MAX_CPUS)
			return false;
		o->host_cpus = n;
		return true;
	}
	if (word_is(key, klen, "spec")) {
		if (!word_is(val, vlen, "auto") && !word_is(val, vlen, "off"))
			return false;
		o->spec_off = word_is(val, vlen, "off");
		return true;
	}
	if (word_is(key, klen, "console"))
		return parse_console(val, vlen, &o->console);
	if (word_is(key, klen, "end")) {
		static const char *const ends[] = {[END_HALT] = "halt", [END_REBOOT] = "reboot",
						   [END_POWEROFF] = "poweroff"};
		for (unsigned i = 0; i < 3; i++) {
			if (word_is(val, vlen, ends[i])) {
				o->end = (enum end_action)i;
				return true;
			}
		}
		return false;
	}
	if (word_is(key, klen, "slicetimer")) {
		if (!word_is(val, vlen, "auto") && !word_is(val, vlen, "lapic"))
			return false;
		o->slice_timer_lapic = word_is(val, vlen, "lapic");
		return true;
	}
	if (word_is(key, klen, "timeslice")) {
		uint32_t us;
		if (!parse_u32(val, vlen, &us) || us < 100 || us > 1000000)
			return false;
		o->timeslice_us = us;
		return true;
	}
	return false;
}

unsigned hv_options_parse(const char *cmdline, struct hv_options *out)
{
	unsigned bad = 0;
	const char *p = cmdline ? cmdline : "";
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - w);
		if (!n)
			break;
		const char *eq = memchr(w, '=', n);
		if (!eq || !apply(w, (size_t)(eq - w), eq + 1, n - (size_t)(eq - w) - 1, out)) {
			log_err("command line: '%.*s' is not a valid option (ignored; see README)",
				(int)n, w);
			bad++;
		}
	}
	return bad;
}
