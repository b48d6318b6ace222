#include "kernel/vm_config.h"
#include "tests/unit/check.h"
#include <stdlib.h>

static struct vm_config cfg;
static char err[160];

static bool parse(const char *line)
{
	err[0] = 0;
	return vm_config_parse(line, &cfg, err, sizeof err);
}

/* The line is rejected with exactly this reason. */
static bool rejects(const char *line, const char *reason)
{
	if (parse(line))
		return false;
	if (strcmp(err, reason) != 0)
		printf("    got error '%s', want '%s'\n", err, reason);
	return strcmp(err, reason) == 0;
}

TEST(defaults_from_image_word)
{
	CHECK(parse("hlt.bin"));
	CHECK_STR(cfg.image, "hlt.bin");
	CHECK_STR(cfg.name, "hlt.bin");
	CHECK_EQ(cfg.mem_bytes, 16ull << 20);
	CHECK_EQ(cfg.cpus, 1);
	CHECK(!cfg.have_load && !cfg.have_entry);
	CHECK_STR(cfg.cmdline, "");
	CHECK_STR(cfg.initrd, "");
	CHECK(!cfg.reset_restarts);
	CHECK_EQ(cfg.nmodules, 0);
	CHECK(!cfg.bios);
}

TEST(default_name_drops_directory_and_is_truncated)
{
	CHECK(parse("/boot/guests/kernel.elf mem=4"));
	CHECK_STR(cfg.image, "/boot/guests/kernel.elf");
	CHECK_STR(cfg.name, "kernel.elf");
	CHECK(parse("/b/abcdefghijklmnopqrstuvwxyz.bin"));
	CHECK_STR(cfg.name, "abcdefghijklmnopqrstuvw");
	CHECK_EQ(strlen(cfg.name), VM_NAME_MAX - 1);
}

TEST(every_setting_parsed)
{
	CHECK(parse("img name=web-1.a_b mem=64 cpus=4 load=0x100000 entry=1048592 "
		    "initrd=/boot/initrd.img on_reset=restart cmdline=quiet"));
	CHECK_STR(cfg.name, "web-1.a_b");
	CHECK_EQ(cfg.mem_bytes, 64ull << 20);
	CHECK_EQ(cfg.cpus, 4);
	CHECK(cfg.have_load && cfg.have_entry);
	CHECK_EQ(cfg.load, 0x100000);
	CHECK_EQ(cfg.entry, 0x100010);
	CHECK_STR(cfg.initrd, "/boot/initrd.img");
	CHECK(cfg.reset_restarts);
	CHECK_STR(cfg.cmdline, "quiet");
	CHECK(parse("img on_reset=exit"));
	CHECK(!cfg.reset_restarts);
}

TEST(limits_accepted)
{
	CHECK(parse(
	    "img mem=3072 cpus=8 load=0xFFFFFFFF entry=0XfffFFFF0 name=abcdefghijklmnopqrstuvw"));
	CHECK_EQ(cfg.mem_bytes, 3072ull << 20);
	CHECK_EQ(cfg.cpus, VM_MAX_CPUS);
	CHECK_EQ(cfg.load, 0xffffffff);
	CHECK_EQ(cfg.entry, 0xfffffff0);
	CHECK_STR(cfg.name, "abcdefghijklmnopqrstuvw");
	CHECK(parse("img mem=1 cpus=1 load=0"));
	CHECK_EQ(cfg.mem_bytes, 1ull << 20);
	CHECK(cfg.have_load);
	CHECK_EQ(cfg.load, 0);
}

TEST(double_quoted_cmdline_keeps_spaces)
{
	CHECK(parse("img cmdline=\"console=ttyS0 quiet  x\" mem=8"));
	CHECK_STR(cfg.cmdline, "console=ttyS0 quiet  x");
	CHECK_EQ(cfg.mem_bytes, 8ull << 20);
}

TEST(grub_requoted_whole_word_with_escapes)
{
	/* GRUB >= 2.04 rebuilds cmdline="a b \"c\" it's" as one quoted, escaped word. */
	CHECK(parse("img \"cmdline=a b \\\"c\\\" it\\'s \\\\\" mem=8"));
	CHECK_STR(cfg.cmdline, "a b \"c\" it's \\");
	CHECK_EQ(cfg.mem_bytes, 8ull << 20);
}

TEST(single_quotes_and_other_backslashes)
{
	CHECK(parse("img cmdline='a \"b\" \\c' name=x"));
	CHECK_STR(cfg.cmdline, "a \"b\" \\c");
	CHECK_STR(cfg.name, "x");
	CHECK(parse("img cmdline=\\x41\\\"q"));
	CHECK_STR(cfg.cmdline, "\\x41\"q");
}

TEST(whitespace_between_words_and_empty_cmdline)
{
	CHECK(parse("  img\t mem=2 \n  cpus=2  cmdline=  "));
	CHECK_EQ(cfg.mem_bytes, 2ull << 20);
	CHECK_EQ(cfg.cpus, 2);
	CHECK_STR(cfg.cmdline, "");
	CHECK(parse("img cmdline=\"\""));
	CHECK_STR(cfg.cmdline, "");
}

TEST(missing_closing_quote_rejected)
{
	CHECK(rejects("img cmdline=\"a b", "cmdline=\"a b: missing closing quote"));
	CHECK(rejects("img cmdline='a", "cmdline='a: missing closing quote"));
}

TEST(bad_mem_rejected)
{
	CHECK(rejects("img mem=abc", "mem=abc: not a number of MiB"));
	CHECK(rejects("img mem=0", "mem=0: must be 1..3072 MiB"));
	CHECK(rejects("img mem=3073", "mem=3073: must be 1..3072 MiB"));
	CHECK(rejects("img mem=0x10", "mem=0x10: not a number of MiB"));
	CHECK(rejects("img mem=16M", "mem=16M: not a number of MiB"));
	CHECK(rejects("img mem=-1", "mem=-1: not a number of MiB"));
	/* 2^64 + 16: must not wrap around to 16 */
	CHECK(rejects("img mem=18446744073709551632",
		      "mem=18446744073709551632: must be 1..3072 MiB"));
}

TEST(bad_cpus_rejected)
{
	CHECK(rejects("img cpus=0", "cpus=0: must be 1..8"));
	CHECK(rejects("img cpus=9", "cpus=9: must be 1..8"));
	CHECK(rejects("img cpus=two", "cpus=two: not a number"));
}

TEST(bad_addresses_rejected)
{
	CHECK(rejects("img load=", "load=: missing value"));
	CHECK(rejects("img load=0x100000000", "load=0x100000000: must be below 4 GiB"));
	CHECK(rejects("img entry=4294967296", "entry=4294967296: must be below 4 GiB"));
	CHECK(rejects("img load=0xzz", "load=0xzz: not an address (0x hex or decimal)"));
	CHECK(rejects("img entry=12ab", "entry=12ab: not an address (0x hex or decimal)"));
	CHECK(rejects("img load=0x", "load=0x: not an address (0x hex or decimal)"));
	CHECK(rejects("img load=0x10000000000000010",
		      "load=0x10000000000000010: must be below 4 GiB"));
}

TEST(unknown_setting_and_bare_word_rejected)
{
	CHECK(rejects("img foo=1", "foo=1: unknown setting"));
	CHECK(rejects("img mem=4 quiet", "quiet: not a key=value setting"));
	CHECK(rejects("img Mem=4", "Mem=4: unknown setting"));
}

TEST(duplicate_setting_rejected)
{
	CHECK(rejects("img mem=8 mem=16", "mem=16: mem= given twice"));
	CHECK(rejects("img cmdline=a cmdline=b", "cmdline=b: cmdline= given twice"));
}

TEST(bad_name_rejected)
{
	CHECK(rejects("img name=a/b",
		      "name=a/b: only letters, digits, '_', '-' and '.' are allowed"));
	CHECK(rejects("img \"name=a b\"",
		      "name=a b: only letters, digits, '_', '-' and '.' are allowed"));
	CHECK(rejects("img name=abcdefghijklmnopqrstuvwx",
		      "name=abcdefghijklmnopqrstuvwx: longer than 23 characters"));
	CHECK(rejects("img name=", "name=: missing value"));
}

TEST(bad_on_reset_and_initrd_rejected)
{
	CHECK(rejects("img on_reset=reboot", "on_reset=reboot: must be exit or restart"));
	CHECK(rejects("img initrd=", "initrd=: missing value"));
}

TEST(empty_line_and_setting_as_first_word_rejected)
{
	CHECK(rejects("", "empty module command line: expected IMAGE [key=value ...]"));
	CHECK(rejects("   \t", "empty module command line: expected IMAGE [key=value ...]"));
	CHECK(!parse("mem=4 cpus=1"));
	CHECK(strncmp(err, "mem=4: the first word must be the image name", 44) == 0);
}

TEST(cmdline_length_limit)
{
	char *line = malloc(VM_CMDLINE_MAX + 64);
	strcpy(line, "img cmdline=");
	memset(line + strlen(line), 'x', VM_CMDLINE_MAX - 1);
	line[12 + VM_CMDLINE_MAX - 1] = 0;
	CHECK(parse(line));
	CHECK_EQ(strlen(cfg.cmdline), VM_CMDLINE_MAX - 1);
	strcat(line, "y");
	CHECK(!parse(line));
	CHECK(strstr(err, "longer than 1023 characters") != NULL);
	CHECK(strncmp(err, "cmdline=xxx", 11) == 0);
	free(line);
}

TEST(overlong_word_rejected_without_overflow)
{
	size_t n = VM_CMDLINE_MAX * 3;
	char *line = malloc(n + 8);
	strcpy(line, "img ");
	memset(line + 4, 'z', n);
	line[4 + n] = 0;
	CHECK(!parse(line));
	CHECK(strstr(err, "word too long") != NULL);
	free(line);
}

TEST(modules_list_parsed_in_order)
{
	CHECK(parse("k.elf modules=env.txt"));
	CHECK_EQ(cfg.nmodules, 1);
	CHECK_STR(vm_config_module_name(&cfg, 0), "env.txt");
	CHECK(parse("k.elf modules=a,/boot/guests/b.bin,c.1 mem=8"));
	CHECK_EQ(cfg.nmodules, 3);
	CHECK_STR(vm_config_module_name(&cfg, 0), "a");
	CHECK_STR(vm_config_module_name(&cfg, 1), "/boot/guests/b.bin");
	CHECK_STR(vm_config_module_name(&cfg, 2), "c.1");
	CHECK_EQ(cfg.mem_bytes, 8ull << 20);
	CHECK(parse("k.elf modules=a,a")); /* the same file twice is two modules */
	CHECK_EQ(cfg.nmodules, 2);
	CHECK(parse("k.elf modules=1,2,3,4,5,6,7,8"));
	CHECK_EQ(cfg.nmodules, VM_MAX_MODULES);
	CHECK_STR(vm_config_module_name(&cfg, 7), "8");
}

TEST(bad_modules_rejected)
{
	const char *empty = "empty module name (names are separated by single commas)";
	char want[160];
	static const char *const lines[] = {"modules=,a", "modules=a,", "modules=a,,b",
					    "modules=,"};
	for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		char line[64];
		snprintf(line, sizeof line, "k %s", lines[i]);
		snprintf(want, sizeof want, "%s: %s", lines[i], empty);
		CHECK(rejects(line, want));
	}
	CHECK(rejects("k modules=", "modules=: missing value"));
	CHECK(rejects("k modules=1,2,3,4,5,6,7,8,9",
		      "modules=1,2,3,4,5,6,7,8,9: more than 8 modules"));
	CHECK(rejects("k modules=a modules=b", "modules=b: modules= given twice"));
	char line[VM_MODULES_MAX + 32];
	strcpy(line, "k modules=");
	memset(line + 10, 'm', VM_MODULES_MAX - 1);
	line[10 + VM_MODULES_MAX - 1] = 0;
	CHECK(parse(line));
	CHECK_EQ(strlen(vm_config_module_name(&cfg, 0)), VM_MODULES_MAX - 1);
	strcat(line, "m");
	CHECK(!parse(line));
	CHECK(strstr(err, "longer than 255 characters") != NULL);
}

TEST(bios_on_off)
{
	CHECK(parse("flat.bin load=0x7c00 bios=on"));
	CHECK(cfg.bios);
	CHECK(parse("flat.bin bios=off"));
	CHECK(!cfg.bios);
	CHECK(rejects("flat.bin bios=yes", "bios=yes: must be on or off"));
	CHECK(rejects("flat.bin bios=", "bios=: missing value"));
	CHECK(rejects("flat.bin bios=on bios=off", "bios=off: bios= given twice"));
}

TEST(disks_in_order_with_read_only)
{
	CHECK(parse("vmlinuz disk=root.img disk=data.img,ro"));
	CHECK_EQ(cfg.ndisks, 2);
	CHECK_STR(cfg.disks[0].image, "root.img");
	CHECK(!cfg.disks[0].read_only);
	CHECK_STR(cfg.disks[1].image, "data.img");
	CHECK(cfg.disks[1].read_only);
	CHECK(rejects("k disk=a,b", "disk=a,b: expected IMAGE or IMAGE,ro"));
	CHECK(rejects("k disk=,ro", "disk=,ro: expected IMAGE or IMAGE,ro"));
	CHECK(rejects("k disk=", "disk=: missing value"));
	CHECK(rejects("k disk=a disk=b disk=c disk=d disk=e", "disk=e: more than 4 disks"));
	CHECK(parse("k disk=a disk=b disk=c disk=d"));
	CHECK_EQ(cfg.ndisks, 4);
	char line[200];
	strcpy(line, "k disk=");
	memset(line + 7, 'd', 127);
	line[7 + 127] = 0;
	CHECK(parse(line));
	CHECK_EQ(strlen(cfg.disks[0].image), 127);
	strcat(line, ",ro");
	CHECK(parse(line)); /* ",ro" does not count against the name */
	CHECK(cfg.disks[0].read_only);
	line[7 + 127] = 0;
	strcat(line, "d");
	CHECK(!parse(line));
}

TEST(net_and_mac)
{
	CHECK(parse("k net=lan0 mac=52:54:00:AB:cd:01"));
	CHECK_STR(cfg.net, "lan0");
	CHECK(cfg.have_mac);
	CHECK_EQ(cfg.mac[0], 0x52);
	CHECK_EQ(cfg.mac[3], 0xab);
	CHECK_EQ(cfg.mac[5], 0x01);
	CHECK(parse("k net=a-b_c"));
	CHECK(!cfg.have_mac);
	CHECK(rejects("k net=a.b", "net=a.b: switch names are letters, digits, _ and -"));
	CHECK(rejects("k net=0123456789abcdef", "net=0123456789abcdef: longer than 15 characters"));
	CHECK(rejects("k net=x mac=01:00:5e:00:00:01",
		      "mac=01:00:5e:00:00:01: a multicast address cannot be a NIC's"));
	CHECK(rejects("k net=x mac=52:54:00:ab:cd", "mac=52:54:00:ab:cd: expected xx:xx:xx:xx:xx:xx"));
	CHECK(rejects("k net=x mac=52-54-00-ab-cd-01",
		      "mac=52-54-00-ab-cd-01: expected xx:xx:xx:xx:xx:xx"));
	CHECK(rejects("k net=x mac=52:54:00:ab:cd:0g",
		      "mac=52:54:00:ab:cd:0g: expected xx:xx:xx:xx:xx:xx"));
	CHECK(rejects("k mac=52:54:00:ab:cd:01", "mac= without net=: there is no NIC to give it to"));
}

TEST(virtio_extras)
{
	CHECK(parse("k"));
	CHECK(!cfg.no_virtio_extras);
	CHECK(parse("k virtio=none"));
	CHECK(cfg.no_virtio_extras);
	CHECK(parse("k virtio=default"));
	CHECK(!cfg.no_virtio_extras);
	CHECK(rejects("k virtio=off", "virtio=off: must be default or none"));
}

TEST(scheduling_defaults)
{
	CHECK(parse("k"));
	CHECK_EQ(cfg.weight, VM_WEIGHT_DEFAULT);
	CHECK_EQ(cfg.cap, 0);
	CHECK_EQ(cfg.pin, 0);
}

TEST(weight_limits)
{
	CHECK(parse("k weight=1"));
	CHECK_EQ(cfg.weight, 1);
	CHECK(parse("k weight=65535"));
	CHECK_EQ(cfg.weight, VM_WEIGHT_MAX);
	CHECK(rejects("k weight=0", "weight=0: must be 1..65535"));
	CHECK(rejects("k weight=65536", "weight=65536: must be 1..65535"));
	CHECK(rejects("k weight=18446744073709551617", "weight=18446744073709551617: must be 1..65535"));
	CHECK(rejects("k weight=2x", "weight=2x: not a number"));
	CHECK(rejects("k weight=0x10", "weight=0x10: not a number"));
}

/* A cap is per VM: up to 100 for each of its vCPUs, whichever order cpus= and cap= come in. */
TEST(cap_limits_follow_cpus)
{
	CHECK(parse("k cap=1"));
	CHECK_EQ(cfg.cap, 1);
	CHECK(parse("k cap=100"));
	CHECK_EQ(cfg.cap, 100);
	CHECK(rejects("k cap=101", "cap=101: more than 100% (100 per vCPU)"));
	CHECK(parse("k cap=200 cpus=2"));
	CHECK_EQ(cfg.cap, 200);
	CHECK(parse("k cpus=8 cap=800"));
	CHECK(rejects("k cpus=2 cap=201", "cap=201: more than 200% (100 per vCPU)"));
	CHECK(rejects("k cpus=8 cap=801", "cap=801: must be 1..100 per vCPU (percent of one CPU)"));
	CHECK(rejects("k cap=0", "cap=0: must be 1..100 per vCPU (percent of one CPU)"));
	CHECK(rejects("k cap=50%", "cap=50%: not a number of percent"));
}

TEST(pin_lists_and_ranges)
{
	CHECK(parse("k pin=1"));
	CHECK_EQ(cfg.pin, 0x2);
	CHECK(parse("k pin=0,2-3"));
	CHECK_EQ(cfg.pin, 0xd);
	CHECK(parse("k pin=7,0-7,3"));
	CHECK_EQ(cfg.pin, 0xff);
	CHECK(parse("k pin=5-5"));
	CHECK_EQ(cfg.pin, 0x20);
	CHECK(rejects("k pin=8", "pin=8: CPU numbers are 0..7"));
	CHECK(rejects("k pin=0-99999999999999999999", "pin=0-99999999999999999999: CPU numbers are 0..7"));
	CHECK(rejects("k pin=3-1", "pin=3-1: a range must go up (e.g. 2-3)"));
	CHECK(rejects("k pin=1,", "pin=1,: expected CPU numbers and ranges, e.g. 0,2-3"));
	CHECK(rejects("k pin=,1", "pin=,1: expected CPU numbers and ranges, e.g. 0,2-3"));
	CHECK(rejects("k pin=1--2", "pin=1--2: expected CPU numbers and ranges, e.g. 0,2-3"));
	CHECK(rejects("k pin=1-2-3", "pin=1-2-3: expected CPU numbers and ranges, e.g. 0,2-3"));
	CHECK(rejects("k pin=a", "pin=a: expected CPU numbers and ranges, e.g. 0,2-3"));
	CHECK(rejects("k pin=1 pin=2", "pin=2: pin= given twice"));
}

/* The default name is the image path's last component: a path ending in '/' has none, and
 * a VM needs a name (found by tests/fuzz/fuzz_vm_config: "/" made a VM named ""). */
TEST(image_without_file_name_needs_name)
{
	CHECK(rejects("/", "/: no file name to name the VM after; give name="));
	CHECK(rejects("boot/guests/ mem=4",
		      "boot/guests/: no file name to name the VM after; give name="));
	CHECK(parse("boot/guests/ name=g"));
	CHECK_STR(cfg.name, "g");
}

/* A word (quotes resolved) holds at most WORD_MAX - 1 = 1039 characters, the size of the
 * parser's buffer less its NUL; a word of exactly the buffer's size is too long. */
#define WORD_MAX (VM_CMDLINE_MAX + 16)
static bool parse_cmdline_word(size_t word_len, bool quoted)
{
	char *line = malloc(word_len + 16);
	size_t at = (size_t)sprintf(line, "img %scmdline=", quoted ? "\"" : "");
	memset(line + at, 'w', word_len - strlen("cmdline="));
	strcpy(line + at + word_len - strlen("cmdline="), quoted ? "\"" : "");
	bool ok = parse(line);
	free(line);
	return ok;
}

TEST(word_of_exactly_the_buffer_size)
{
	CHECK(!parse_cmdline_word(WORD_MAX - 1, false));
	CHECK(strstr(err, "longer than 1023 characters") != NULL); /* read whole, then judged */
	CHECK(!parse_cmdline_word(WORD_MAX, false));
	CHECK(strstr(err, "word too long") != NULL);
	CHECK(!parse_cmdline_word(WORD_MAX + 1, false));
	CHECK(strstr(err, "word too long") != NULL);
	CHECK(!parse_cmdline_word(WORD_MAX - 1, true)); /* quotes take no room */
	CHECK(strstr(err, "longer than 1023 characters") != NULL);
	CHECK(!parse_cmdline_word(WORD_MAX, true));
	CHECK(strstr(err, "word too long") != NULL);
}

TEST(image_and_initrd_paths_127_and_128)
{
	char line[300];
	strcpy(line, "/");
	memset(line + 1, 'p', 126);
	line[127] = 0;
	CHECK(parse(line));
	CHECK_EQ(strlen(cfg.image), 127);
	strcat(line, "p");
	CHECK(!parse(line));
	CHECK(strstr(err, "image path longer than 127 characters") != NULL);
	strcpy(line, "img initrd=");
	memset(line + 11, 'i', 127);
	line[11 + 127] = 0;
	CHECK(parse(line));
	CHECK_EQ(strlen(cfg.initrd), 127);
	strcat(line, "i");
	CHECK(!parse(line));
	CHECK(strstr(err, "longer than 127 characters") != NULL);
}

/* Numbers saturate instead of wrapping at 2^64 (or being cut to 32 bits). */
TEST(numbers_at_2_64_do_not_wrap)
{
	CHECK(rejects("img cpus=4294967297", "cpus=4294967297: must be 1..8"));
	CHECK(rejects("img cpus=18446744073709551617", "cpus=18446744073709551617: must be 1..8"));
	CHECK(rejects("img mem=18446744073709551615",
		      "mem=18446744073709551615: must be 1..3072 MiB"));
	CHECK(
	    rejects("img mem=4294970368", "mem=4294970368: must be 1..3072 MiB")); /* 2^32 + 3072 */
	CHECK(rejects("img load=0x10000000000000000",
		      "load=0x10000000000000000: must be below 4 GiB"));
	CHECK(rejects("img entry=18446744073709551616",
		      "entry=18446744073709551616: must be below 4 GiB"));
	CHECK(
	    rejects("img load=0xffffffffffffffff", "load=0xffffffffffffffff: must be below 4 GiB"));
	CHECK(parse("img load=4294967295 entry=0"));
	CHECK_EQ(cfg.load, 0xffffffff);
}

TEST(eight_modules_and_not_nine)
{
	CHECK(parse("k modules=1,2,3,4,5,6,7,8"));
	CHECK_EQ(cfg.nmodules, 8);
	CHECK_STR(vm_config_module_name(&cfg, 7), "8");
}

TEST(error_fits_small_buffer)
{
	char small[12];
	CHECK(!vm_config_parse("img mem=abc", &cfg, small, sizeof small));
	CHECK_STR(small, "mem=abc: no");
}

CHECK_MAIN("vm_config", CASE(defaults_from_image_word),
	   CASE(default_name_drops_directory_and_is_truncated), CASE(every_setting_parsed),
	   CASE(limits_accepted), CASE(double_quoted_cmdline_keeps_spaces),
	   CASE(grub_requoted_whole_word_with_escapes), CASE(single_quotes_and_other_backslashes),
	   CASE(whitespace_between_words_and_empty_cmdline), CASE(missing_closing_quote_rejected),
	   CASE(bad_mem_rejected), CASE(bad_cpus_rejected), CASE(bad_addresses_rejected),
	   CASE(unknown_setting_and_bare_word_rejected), CASE(duplicate_setting_rejected),
	   CASE(bad_name_rejected), CASE(bad_on_reset_and_initrd_rejected),
	   CASE(empty_line_and_setting_as_first_word_rejected), CASE(cmdline_length_limit),
	   CASE(overlong_word_rejected_without_overflow), CASE(modules_list_parsed_in_order),
	   CASE(bad_modules_rejected), CASE(bios_on_off), CASE(disks_in_order_with_read_only), CASE(net_and_mac),
	   CASE(virtio_extras), CASE(error_fits_small_buffer),
	   CASE(image_without_file_name_needs_name), CASE(word_of_exactly_the_buffer_size),
	   CASE(image_and_initrd_paths_127_and_128), CASE(numbers_at_2_64_do_not_wrap),
	   CASE(eight_modules_and_not_nine), CASE(scheduling_defaults), CASE(weight_limits),
	   CASE(cap_limits_follow_cpus), CASE(pin_lists_and_ranges))
