/* virtio test guest: drives every virtio-pci device of its VM the way a real driver would,
 * one report() per property, and exits 0 only if every check passed. Two instances with
 * role=a and role=b on one switch also exchange frames. The command line is described in
 * vtest.h; run it with mem=16. */
#include "guests/lib/cmdline.h"
#include "guests/lib/lapic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/virtio-test/vtest.h"

#define MAX_FUNCS  16
#define ARENA_SIZE (256u * 1024)

struct vtest_config vtest = {.console_rng = true};
static u8 arena[ARENA_SIZE] __attribute__((aligned(4096)));

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

static bool parse_mac(const char *s, u8 mac[ETH_ALEN])
{
	for (unsigned i = 0; i < ETH_ALEN; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hex_digit(s[1]);
		if (hi < 0 || lo < 0 || s[2] != (i + 1 < ETH_ALEN ? ':' : '\0'))
			return false;
		mac[i] = (u8)(hi << 4 | lo);
	}
	return true;
}

static bool parse_disk(const char *v)
{
	if (vtest.ndisks == VTEST_MAX_DISKS)
		return false;
	struct vtest_disk *d = &vtest.disk[vtest.ndisks++];
	size_t n = 0;
	while (v[n] && v[n] != ',' && n + 1 < VTEST_NAME_MAX)
		n++;
	memcpy(d->name, v, n);
	d->name[n] = '\0';
	if (!v[n])
		return true;
	d->ro = v[n] == ',' && v[n + 1] == 'r' && v[n + 2] == 'o' && !v[n + 3];
	return d->ro;
}

static bool parse_word(const char *w)
{
	const char *v;

	if ((v = cmdline_value(w, "role"))) {
		vtest.role = v[0];
		return (v[0] == 'a' || v[0] == 'b') && !v[1];
	}
	if ((v = cmdline_value(w, "disk")))
		return parse_disk(v);
	if ((v = cmdline_value(w, "mac"))) {
		vtest.have_mac = parse_mac(v, vtest.mac);
		return vtest.have_mac;
	}
	if (!strcmp(w, "net")) {
		vtest.net = true;
		return true;
	}
	if (!strcmp(w, "typein")) {
		vtest.typein = true;
		return true;
	}
	if (!strcmp(w, "novirtio")) {
		vtest.console_rng = false;
		return true;
	}
	return false;
}

static void parse_cmdline(const struct mb1_info *mbi)
{
	const char *c = cmdline_of(mbi);
	char w[CMDLINE_WORD_MAX];

	printf("virtio-test: command line '%s'\n", c);
	while (cmdline_next(&c, w))
		if (!parse_word(w))
			report(false, "cmdline: cannot parse '%s'", w);
}

int main(u32 magic, const struct mb1_info *mbi)
{
	struct pci_func funcs[MAX_FUNCS];

	(void)magic;
	parse_cmdline(mbi);
	report(tsc_khz_for_timeouts() != 0, "tsc: a rate for timeouts");
	lapic_enable();
	virtio_arena_init(arena, sizeof arena);

	unsigned n = pci_scan(funcs, MAX_FUNCS);
	test_enumeration(funcs, n < MAX_FUNCS ? n : MAX_FUNCS);
	/* Slots as test_enumeration() checked them: disks, NIC, console, rng from 00:01.0 on. */
	if (n > 1)
		test_decode(&funcs[1]);
	unsigned slot = 1;
	for (unsigned i = 0; i < vtest.ndisks; i++, slot++)
		if (slot < n)
			test_blk(&funcs[slot], slot, &vtest.disk[i], i == 0);
	if (vtest.net && slot < n) {
		test_net(&funcs[slot], slot);
		slot++;
	}
	if (vtest.console_rng && slot + 1 < n) {
		test_console(&funcs[slot], slot);
		test_rng(&funcs[slot + 1], slot + 1);
	}
	report_summary();
}
