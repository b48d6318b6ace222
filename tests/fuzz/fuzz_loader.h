/* Shared by the image-loader harnesses: guest RAM that crashes on any write outside it (the
 * loaders must check placement before they write), a VM configuration from the input, and
 * the checks every load ends with. */
#pragma once
#include "kernel/loader.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/shim.h"

#define MIB	     (1ull << 20)
#define RAM_MAX	     (16 * MIB)
#define BLOB_MAX     (2 * MIB) /* modules and initrd are views of one zeroed blob */
#define ERR_MAX	     160
#define CMDLINE_FILL 'c'

static uint8_t ram_bytes[RAM_MAX];
static const uint8_t blob[BLOB_MAX];

static bool ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t n)
{
	const struct gmem *mem = ctx;
	FUZZ_CHECK(gpa <= mem->size && n <= mem->size - gpa);
	memcpy(ram_bytes + gpa, src, n);
	return true;
}

static char module_cmdlines[VM_MAX_MODULES][32];

/* 1-16 MiB of RAM, bios=, a command line of any length up to the maximum, and (for
 * Multiboot and Linux) modules and an initrd of random sizes. */
static inline void fuzz_loader_config(struct fuzz_input *in, struct vm_config *cfg,
				      struct gmem *mem)
{
	memset(cfg, 0, sizeof *cfg);
	strcpy(cfg->name, "fuzz");
	cfg->mem_bytes = (1 + fuzz_below(in, 16)) * MIB;
	cfg->cpus = 1;
	uint8_t flags = fuzz_u8(in);
	cfg->bios = flags & 1;
	if (flags & 2) {
		size_t n = fuzz_u16(in) % VM_CMDLINE_MAX;
		memset(cfg->cmdline, CMDLINE_FILL, n);
		cfg->cmdline[n] = 0;
	} else {
		fuzz_string(in, cfg->cmdline, 32);
	}
	if (flags & 4) {
		cfg->initrd_image = blob;
		cfg->initrd_size = fuzz_u32(in) % BLOB_MAX;
	}
	if (flags & 8) {
		cfg->nmodules = 1 + fuzz_below(in, VM_MAX_MODULES);
		for (unsigned m = 0; m < cfg->nmodules; m++) {
			fuzz_string(in, module_cmdlines[m], sizeof module_cmdlines[m] - 1);
			cfg->module_data[m] =
			    (struct vm_module){blob, fuzz_u32(in) % BLOB_MAX, module_cmdlines[m]};
			strcpy(cfg->module_names + 2 * m, "m"); /* "m\0m\0..." */
		}
	}
	*mem = (struct gmem){.ctx = mem, .size = cfg->mem_bytes, .write = ram_write};
}

/* Loads `image` and checks the outcome: a reason that fits its buffer on failure; on
 * success an entry point inside guest RAM. */
static inline void fuzz_load(const uint8_t *image, size_t size, const struct vm_config *cfg,
			     struct gmem *mem, size_t errlen)
{
	struct guest_entry entry;
	char *err = malloc(errlen);
	bool ok = image_load(image, size, cfg, mem, &entry, err, errlen);
	if (!ok) {
		FUZZ_CHECK(memchr(err, 0, errlen) != NULL);
	} else {
		uint64_t pc = entry.rip;
		if (entry.mode == GUEST_REAL16)
			pc += (uint64_t)entry.cs_selector << 4;
		FUZZ_CHECK(entry.mode <= GUEST_LONG64 && pc < mem->size);
	}
	free(err);
	shim_log_take();
}
