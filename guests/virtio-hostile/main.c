/* Hostile virtio guest: feeds its virtio devices malicious descriptors, rings, layouts and
 * register writes, and checks each time that the device reports the error as the spec says
 * and works again after a reset. It exits 0 only if every answer was right; mhv must
 * outlive it, and VMs next to it must not notice. Needs a disk, a NIC and the default
 * console and rng; with victim=MAC (twice) it also impersonates those two NICs. Run it with
 * mem=16. */
#include "guests/lib/cmdline.h"
#include "guests/lib/lapic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/virtio-hostile/hostile.h"

#define MAX_FUNCS  16
#define ARENA_SIZE (192u * 1024)
#define MIB	   (1024u * 1024)

struct hostile_env env;
static u8 arena[ARENA_SIZE] __attribute__((aligned(4096)));
static struct rig blk = {.name = "blk"}, net = {.name = "net"}, rng = {.name = "rng"};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
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

static void parse_cmdline(const struct mb1_info *mbi)
{
	const char *c = cmdline_of(mbi), *v;
	char w[CMDLINE_WORD_MAX];
	unsigned victims = 0;

	while (cmdline_next(&c, w)) {
		if ((v = cmdline_value(w, "victim")) && victims < 2 &&
		    parse_mac(v, env.victim[victims]))
			victims++;
		else
			report(false, "cmdline: cannot parse '%s'", w);
	}
	env.have_victims = victims == 2;
}

/* The end of the highest usable RAM in the memory map: where the VM's RAM ends. */
static u32 ram_end(const struct mb1_info *mbi)
{
	u32 at = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	u64 top = 0;

	if (!(mbi->flags & MB1_INFO_MMAP))
		return 0;
	while (at < end) {
		const struct mb1_mmap_entry *e = (const void *)at;
		if (e->type == MB1_MMAP_AVAILABLE && e->base + e->length > top)
			top = e->base + e->length;
		at += e->size + sizeof(e->size);
	}
	return top < 0xffffffffu ? (u32)top : 0;
}

/* The first function of each virtio type, opened as its rig. */
static bool find_devices(void)
{
	struct pci_func funcs[MAX_FUNCS];
	unsigned n = pci_scan(funcs, MAX_FUNCS), index = 0;
	bool have_blk = false, have_net = false, have_rng = false;

	for (unsigned i = 0; i < n && i < MAX_FUNCS; i++) {
		const struct pci_func *f = &funcs[i];
		if (f->vendor != VIRTIO_PCI_VENDOR)
			continue;
		u32 type = f->device - VIRTIO_PCI_MODERN_BASE;
		if (type == VIRTIO_ID_BLOCK && !have_blk)
			have_blk = rig_open(&blk, "blk", f, index++, 1);
		else if (type == VIRTIO_ID_NET && !have_net)
			have_net = rig_open(&net, "net", f, index++, 2);
		else if (type == VIRTIO_ID_RNG && !have_rng)
			have_rng = rig_open(&rng, "rng", f, index++, 1);
	}
	report(have_blk && have_net && have_rng, "hostile: found virtio-blk, -net and -rng");
	return have_blk && have_net && have_rng;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	parse_cmdline(mbi);
	env.ram_end = ram_end(mbi);
	report(env.ram_end >= 16 * MIB, "hostile: RAM ends at 0x%x", env.ram_end);
	report(tsc_khz_for_timeouts() != 0, "tsc: a rate for timeouts");
	lapic_enable();
	virtio_arena_init(arena, sizeof arena);
	env.scratch = virtio_alloc(SCRATCH_BYTES, 4096);
	if (!find_devices() || env.ram_end < 16 * MIB)
		report_summary();

	if (env.have_victims)
		abuse_rx_ring(&net);
	spoof_burst(&net);
	abuse_net(&net);
	abuse_registers(&rng);
	abuse_messages(&rng);
	spoof_burst(&net);
	abuse_chains(&rng);
	abuse_indirect(&rng);
	spoof_burst(&net);
	abuse_layout(&rng);
	abuse_budget(&rng);
	abuse_blk(&blk);
	spoof_burst(&net);
	printf("hostile: every abuse answered; mhv is still here\n");
	report_summary();
}
