/* Parsing a VM's module command line: IMAGE key=value ... (grammar in vm_config.h). */
#include "kernel/vm_config.h"
#include "kernel/format.h"
#include "kernel/kstring.h"

#define DEFAULT_MEM_MIB 16
#define MEM_MIB_MAX	3072 /* RAM stays below the 32-bit device window (0xc0000000 up) */
#define ADDRESS_LIMIT	(1ull << 32)	      /* load= and entry= are 32-bit guest-physical */
#define WORD_MAX	(VM_CMDLINE_MAX + 16) /* room for "cmdline=" and a too-long value */

#define STR_(x) #x
#define STR(x)	STR_(x) /* a number macro as a string literal */

__attribute__((format(printf, 3, 4))) static bool fail(char *err, size_t errlen, const char *fmt,
						       ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* Error messages name the word, shortened so the reason still fits on the line. */
#define WORD_SHOWN_MAX 48
#define WORD_FMT       "%.*s%s"
#define WORD_ARGS(w)   shown_len(w), (w), strlen(w) > WORD_SHOWN_MAX ? "..." : ""

static int shown_len(const char *word)
{
	return strlen(word) > WORD_SHOWN_MAX ? WORD_SHOWN_MAX - 3 : (int)strlen(word);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters GRUB escapes with a backslash when it rebuilds the command line. */
static bool is_escapable(char c)
{
	return c == '\\' || c == '"' || c == '\'';
}

/* The next word at *p with quotes removed and escapes resolved, into out. Returns 1 for a
 * word, 0 at the end of the line, -1 on error (reason in err). */
static int next_word(const char **p, char *out, char *err, size_t errlen)
{
	const char *s = *p;
	while (is_space(*s))
		s++;
	if (!*s)
		return 0;
	const char *start = s;
	size_t n = 0;
	char quote = 0;
	while (*s && (quote || !is_space(*s))) {
		char c = *s++;
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		if (c == '\\' && quote != '\'' && is_escapable(*s))
			c = *s++;
		if (n == WORD_MAX - 1) {
			fail(err, errlen, "%.*s...: word too long", WORD_SHOWN_MAX - 3, start);
			return -1;
		}
		out[n++] = c;
	}
	if (quote) {
		fail(err, errlen, WORD_FMT ": missing closing quote", WORD_ARGS(start));
		return -1;
	}
	out[n] = 0;
	*p = s;
	return 1;
}

/* Decimal, or (if hex_ok) hexadecimal after 0x. *value saturates at UINT64_MAX; false when
 * s is not a number. */
static bool parse_number(const char *s, bool hex_ok, uint64_t *value)
{
	unsigned base = 10;
	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		v = v > (UINT64_MAX - d) / base ? UINT64_MAX : v * base + d;
	}
	*value = v;
	return true;
}

/* Each setting's parser returns NULL when the value is good, else the reason it is not. */
static const char *set_name(const char *v, struct vm_config *cfg)
{
	for (const char *c = v; *c; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.';
		if (!ok)
			return "only letters, digits, '_', '-' and '.' are allowed";
	}
	memcpy(cfg->name, v, strlen(v) + 1);
	return NULL;
}

static const char *set_mem(const char *v, struct vm_config *cfg)
{
	uint64_t mib;
	if (!parse_number(v, false, &mib))
		return "not a number of MiB";
	if (mib < 1 || mib > MEM_MIB_MAX)
		return "must be 1.." STR(MEM_MIB_MAX) " MiB";
	cfg->mem_bytes = mib << 20;
	return NULL;
}

static const char *set_cpus(const char *v, struct vm_config *cfg)
{
	uint64_t n;
	if (!parse_number(v, false, &n))
		return "not a number";
	if (n < 1 || n > VM_MAX_CPUS)
		return "must be 1.." STR(VM_MAX_CPUS);
	cfg->cpus = (unsigned)n;
	return NULL;
}

static const char *parse_address(const char *v, uint64_t *addr)
{
	if (!parse_number(v, true, addr))
		return "not an address (0x hex or decimal)";
	if (*addr >= ADDRESS_LIMIT)
		return "must be below 4 GiB";
	return NULL;
}

static const char *set_load(const char *v, struct vm_config *cfg)
{
	cfg->have_load = true;
	return parse_address(v, &cfg->load);
}

static const char *set_entry(const char *v, struct vm_config *cfg)
{
	cfg->have_entry = true;
	return parse_address(v, &cfg->entry);
}

static const char *set_cmdline(const char *v, struct vm_config *cfg)
{
	memcpy(cfg->cmdline, v, strlen(v) + 1);
	return NULL;
}

static const char *set_initrd(const char *v, struct vm_config *cfg)
{
	memcpy(cfg->initrd, v, strlen(v) + 1);
	return NULL;
}

static const char *set_on_reset(const char *v, struct vm_config *cfg)
{
	if (strcmp(v, "restart") == 0)
		cfg->reset_restarts = true;
	else if (strcmp(v, "exit") == 0)
		cfg->reset_restarts = false;
	else
		return "must be exit or restart";
	return NULL;
}

/* A comma-separated list of names, each stored NUL-terminated in turn. */
static const char *set_modules(const char *v, struct vm_config *cfg)
{
	size_t len = strlen(v);
	cfg->nmodules = 1;
	for (size_t i = 0; i < len; i++) {
		bool ends_name = v[i] == ',';
		if (ends_name && (i == 0 || v[i - 1] == ',' || i + 1 == len))
			return "empty module name (names are separated by single commas)";
		if (ends_name && ++cfg->nmodules > VM_MAX_MODULES)
			return "more than " STR(VM_MAX_MODULES) " modules";
		cfg->module_names[i] = ends_name ? 0 : v[i];
	}
	cfg->module_names[len] = 0;
	return NULL;
}

const char *vm_config_module_name(const struct vm_config *cfg, unsigned i)
{
	const char *name = cfg->module_names;
	while (i--)
		name += strlen(name) + 1;
	return name;
}

static const char *set_bios(const char *v, struct vm_config *cfg)
{
	if (strcmp(v, "on") == 0)
		cfg->bios = true;
	else if (strcmp(v, "off") == 0)
		cfg->bios = false;
	else
		return "must be on or off";
	return NULL;
}

static const char *set_disk(const char *v, struct vm_config *cfg)
{
	if (cfg->ndisks == VM_MAX_DISKS)
		return "more than " STR(VM_MAX_DISKS) " disks";
	struct vm_disk *d = &cfg->disks[cfg->ndisks];
	size_t len = strlen(v);
	const char *ro = ",ro";
	if (len > 3 && !strcmp(v + len - 3, ro)) {
		d->read_only = true;
		len -= 3;
	}
	if (!len || memchr(v, ',', len))
		return "expected IMAGE or IMAGE,ro";
	if (len >= sizeof d->image)
		return "image name too long";
	memcpy(d->image, v, len);
	d->image[len] = 0;
	cfg->ndisks++;
	return NULL;
}

static bool is_switch_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static const char *set_net(const char *v, struct vm_config *cfg)
{
	for (const char *c = v; *c; c++)
		if (!is_switch_char(*c))
			return "switch names are letters, digits, _ and -";
	memcpy(cfg->net, v, strlen(v) + 1);
	return NULL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *set_mac(const char *v, struct vm_config *cfg)
{
	if (strlen(v) != 17)
		return "expected xx:xx:xx:xx:xx:xx";
	for (unsigned i = 0; i < 6; i++) {
		int hi = hex_digit(v[3 * i]), lo = hex_digit(v[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && v[3 * i + 2] != ':'))
			return "expected xx:xx:xx:xx:xx:xx";
		cfg->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (cfg->mac[0] & 1)
		return "a multicast address cannot be a NIC's";
	cfg->have_mac = true;
	return NULL;
}

static const char *set_virtio(const char *v, struct vm_config *cfg)
{
	if (strcmp(v, "none") == 0)
		cfg->no_virtio_extras = true;
	else if (strcmp(v, "default") != 0)
		return "must be default or none";
	return NULL;
}

static const char *set_weight(const char *v, struct vm_config *cfg)
{
	uint64_t w;
	if (!parse_number(v, false, &w))
		return "not a number";
	if (w < 1 || w > VM_WEIGHT_MAX)
		return "must be 1.." STR(VM_WEIGHT_MAX);
	cfg->weight = (unsigned)w;
	return NULL;
}

/* Checked against cpus= once the whole line is read (cpus= may come later). */
static const char *set_cap(const char *v, struct vm_config *cfg)
{
	uint64_t pct;
	if (!parse_number(v, false, &pct))
		return "not a number of percent";
	if (pct < 1 || pct > 100 * VM_MAX_CPUS)
		return "must be 1..100 per vCPU (percent of one CPU)";
	cfg->cap = (unsigned)pct;
	return NULL;
}

_Static_assert(VM_PIN_CPUS == 8, "pin= messages say 0..7");

/* One CPU number of a pin= list, up to the next ',' or '-'. */
static const char *pin_cpu(const char **p, unsigned *cpu)
{
	const char *s = *p;
	unsigned n = 0, digits = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		n = n < VM_PIN_CPUS ? n * 10 + (unsigned)(*s - '0') : n;
	if (!digits || (*s && *s != ',' && *s != '-'))
		return "expected CPU numbers and ranges, e.g. 0,2-3";
	if (n >= VM_PIN_CPUS)
		return "CPU numbers are 0..7";
	*cpu = n;
	*p = s;
	return NULL;
}

static const char *set_pin(const char *v, struct vm_config *cfg)
{
	uint32_t mask = 0;
	for (const char *p = v;;) {
		unsigned first, last;
		const char *why = pin_cpu(&p, &first);
		if (why)
			return why;
		last = first;
		if (*p == '-') {
			p++;
			if ((why = pin_cpu(&p, &last)))
				return why;
			if (last < first)
				return "a range must go up (e.g. 2-3)";
		}
		for (unsigned c = first; c <= last; c++)
			mask |= 1u << c;
		if (!*p)
			break;
		if (*p != ',')
			return "expected CPU numbers and ranges, e.g. 0,2-3";
		p++;
	}
	cfg->pin = mask;
	return NULL;
}

struct setting {
	const char *key;
	const char *(*apply)(const char *value, struct vm_config *cfg);
	size_t max_len; /* of the value; 0: apply() bounds it */
	bool empty_ok;
	bool repeat_ok;
};

static const struct setting settings[] = {
    {"name", set_name, VM_NAME_MAX - 1, false, false},
    {"mem", set_mem, 0, false, false},
    {"cpus", set_cpus, 0, false, false},
    {"load", set_load, 0, false, false},
    {"entry", set_entry, 0, false, false},
    {"cmdline", set_cmdline, VM_CMDLINE_MAX - 1, true, false},
    {"initrd", set_initrd, sizeof((struct vm_config *)0)->initrd - 1, false, false},
    {"on_reset", set_on_reset, 0, false, false},
    {"modules", set_modules, VM_MODULES_MAX - 1, false, false},
    {"bios", set_bios, 0, false, false},
    {"disk", set_disk, sizeof((struct vm_disk *)0)->image + 2, false, true},
    {"net", set_net, VM_SWITCH_NAME_MAX - 1, false, false},
    {"mac", set_mac, 0, false, false},
    {"virtio", set_virtio, 0, false, false},
    {"weight", set_weight, 0, false, false},
    {"cap", set_cap, 0, false, false},
    {"pin", set_pin, 0, false, false},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

/* The setting `word` (key=value) names, or -1. */
static int find_setting(const char *word)
{
	const char *eq = memchr(word, '=', strlen(word));
	if (!eq)
		return -1;
	size_t keylen = (size_t)(eq - word);
	for (unsigned i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].key) == keylen &&
		    strncmp(settings[i].key, word, keylen) == 0)
			return (int)i;
	return -1;
}

static void set_default_name(struct vm_config *cfg)
{
	const char *base = cfg->image;
	for (const char *c = cfg->image; *c; c++)
		if (*c == '/')
			base = c + 1;
	size_t len = strlen(base);
	if (len >= VM_NAME_MAX)
		len = VM_NAME_MAX - 1;
	memcpy(cfg->name, base, len);
	cfg->name[len] = 0;
}

static bool parse_image(const char *word, struct vm_config *cfg, char *err, size_t errlen)
{
	if (find_setting(word) >= 0)
		return fail(err, errlen,
			    WORD_FMT ": the first word must be the image name (GRUB does not pass "
				     "the module's path)",
			    WORD_ARGS(word));
	size_t len = strlen(word);
	if (len >= sizeof cfg->image)
		return fail(err, errlen, WORD_FMT ": image path longer than %zu characters",
			    WORD_ARGS(word), sizeof cfg->image - 1);
	memcpy(cfg->image, word, len + 1);
	set_default_name(cfg);
	return true;
}

static bool parse_setting(const char *word, unsigned *seen, struct vm_config *cfg, char *err,
			  size_t errlen)
{
	if (!memchr(word, '=', strlen(word)))
		return fail(err, errlen, WORD_FMT ": not a key=value setting", WORD_ARGS(word));
	int i = find_setting(word);
	if (i < 0)
		return fail(err, errlen, WORD_FMT ": unknown setting", WORD_ARGS(word));
	const struct setting *s = &settings[i];
	if ((*seen & (1u << i)) && !s->repeat_ok)
		return fail(err, errlen, WORD_FMT ": %s= given twice", WORD_ARGS(word), s->key);
	*seen |= 1u << i;
	const char *value = word + strlen(s->key) + 1;
	if (!*value && !s->empty_ok)
		return fail(err, errlen, "%s: missing value", word);
	if (s->max_len && strlen(value) > s->max_len)
		return fail(err, errlen, WORD_FMT ": longer than %zu characters", WORD_ARGS(word),
			    s->max_len);
	const char *why = s->apply(value, cfg);
	if (why)
		return fail(err, errlen, WORD_FMT ": %s", WORD_ARGS(word), why);
	return true;
}

bool vm_config_parse(const char *module_cmdline, struct vm_config *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->mem_bytes = (uint64_t)DEFAULT_MEM_MIB << 20;
	cfg->cpus = 1;
	cfg->weight = VM_WEIGHT_DEFAULT;
	char word[WORD_MAX];
	const char *p = module_cmdline;
	int r = next_word(&p, word, err, errlen);
	if (r == 0)
		return fail(err, errlen,
			    "empty module command line: expected IMAGE [key=value ...]");
	if (r < 0 || !parse_image(word, cfg, err, errlen))
		return false;
	unsigned seen = 0;
	while ((r = next_word(&p, word, err, errlen)) > 0)
		if (!parse_setting(word, &seen, cfg, err, errlen))
			return false;
	if (r == 0 && cfg->have_mac && !cfg->net[0])
		return fail(err, errlen, "mac= without net=: there is no NIC to give it to");
	if (r == 0 && cfg->cap > 100 * cfg->cpus)
		return fail(err, errlen, "cap=%u: more than %u%% (100 per vCPU)", cfg->cap,
			    100 * cfg->cpus);
	if (r == 0 && !cfg->name[0])
		return fail(err, errlen, WORD_FMT ": no file name to name the VM after; give name=",
			    WORD_ARGS(cfg->image));
	return r == 0;
}
