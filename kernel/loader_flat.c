/* Flat binaries: the file's bytes at load=, entered at entry= (default: load=). Below 1 MiB
 * the guest starts in real mode, as after a BIOS jump; above, in flat protected mode. */
#include "kernel/loader_priv.h"

#define REAL_MODE_LIMIT 0x100000ull /* first address real mode cannot reach */

bool load_flat(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
	       struct guest_entry *entry, char *err, size_t errlen)
{
	uint64_t load = cfg->load;
	uint64_t start = cfg->have_entry ? cfg->entry : load;
	if (load > mem->size || size > mem->size - load)
		return loader_fail(
		    err, errlen, "image (%zu bytes at load=0x%llx) does not fit in mem=%llu MiB",
		    size, (unsigned long long)load, (unsigned long long)(mem->size >> 20));
	if (start < load || start - load >= size)
		return loader_fail(err, errlen,
				   "entry=0x%llx is outside the image [0x%llx, 0x%llx)",
				   (unsigned long long)start, (unsigned long long)load,
				   (unsigned long long)(load + size));
	struct load_segment seg = {.gpa = load, .filesz = size, .memsz = size};
	if (cfg->bios && !segments_avoid(&seg, 1, loader_bios_areas, LOADER_BIOS_AREAS,
					 "the BIOS areas of bios=on", err, errlen))
		return false;
	if (!mem->write(mem->ctx, load, image, size))
		return loader_fail(err, errlen, "cannot write guest memory at 0x%llx",
				   (unsigned long long)load);
	if (start < REAL_MODE_LIMIT) {
		entry->mode = GUEST_REAL16;
		entry->cs_selector = (uint16_t)((start >> 4) & 0xf000);
		entry->rip = start - ((uint64_t)entry->cs_selector << 4);
	} else {
		entry->mode = GUEST_PROT32;
		entry->rip = start;
	}
	return true;
}
