/* Guest image loading: which format an image is, and handing it to that format's loader. */
#include "kernel/loader.h"
#include "kernel/bios.h"
#include "kernel/elf.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/linux_boot.h"
#include "kernel/loader_priv.h"
#include "kernel/log.h"

const struct gpa_range loader_bios_areas[LOADER_BIOS_AREAS] = {
    {LOADER_BIOS_LOW_GPA, LOADER_BIOS_LOW_END},
    {LOADER_BIOS_EBDA_GPA, LOADER_BIOS_EBDA_END},
    {LOADER_BIOS_ROM_GPA, LOADER_BIOS_ROM_END},
};

bool loader_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

const char *image_format_name(enum image_format f)
{
	switch (f) {
	case IMAGE_MULTIBOOT1:
		return "Multiboot";
	case IMAGE_ELF32:
		return "ELF32";
	case IMAGE_ELF64:
		return "ELF64";
	case IMAGE_FLAT:
		return "flat";
	case IMAGE_LINUX:
		return "Linux bzImage";
	case IMAGE_UNKNOWN:
		break;
	}
	return "unknown";
}

static bool is_linux_bzimage(const uint8_t *image, size_t size)
{
	return size >= LINUX_HDR_MAGIC_OFFSET + 4 &&
	       memcmp(image + LINUX_HDR_MAGIC_OFFSET, LINUX_HDR_MAGIC, 4) == 0;
}

enum image_format image_detect(const void *image, size_t size, const struct vm_config *cfg)
{
	if (mb1_find_header(image, size, true) >= 0)
		return IMAGE_MULTIBOOT1;
	switch (elf_class(image, size)) {
	case ELFCLASS32:
		return IMAGE_ELF32;
	case ELFCLASS64:
		return IMAGE_ELF64;
	}
	if (is_linux_bzimage(image, size))
		return IMAGE_LINUX;
	if (cfg->have_load)
		return IMAGE_FLAT;
	return IMAGE_UNKNOWN;
}

/* The most likely reason nothing matched, so a broken header is not reported as "unknown". */
static bool fail_unknown(const void *image, size_t size, char *err, size_t errlen)
{
	long mb = mb1_find_header(image, size, false);
	if (mb >= 0)
		return loader_fail(err, errlen,
				   "Multiboot header at offset 0x%lx has a bad checksum", mb);
	if (size >= 4 && memcmp(image, ELF_MAG0_3, 4) == 0)
		return loader_fail(err, errlen,
				   "ELF file is not a little-endian x86 executable (ET_EXEC)");
	return loader_fail(err, errlen,
			   "unknown image format (not Multiboot, ELF or Linux; give load=ADDR "
			   "for a flat binary)");
}

bool image_load(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		struct guest_entry *entry, char *err, size_t errlen)
{
	memset(entry, 0, sizeof *entry);
	if (size > mem->size)
		return loader_fail(err, errlen, "image (%zu bytes) does not fit in mem=%llu MiB",
				   size, (unsigned long long)(mem->size >> 20));
	enum image_format f = image_detect(image, size, cfg);
	if (f != IMAGE_FLAT && f != IMAGE_UNKNOWN && (cfg->have_load || cfg->have_entry))
		log_warn("vm %s: load= and entry= apply to flat binaries only; ignored for this %s "
			 "image",
			 cfg->name, image_format_name(f));
	if (f != IMAGE_LINUX && f != IMAGE_UNKNOWN && cfg->initrd_image)
		log_warn("vm %s: initrd= applies to Linux kernels only; ignored for this %s image",
			 cfg->name, image_format_name(f));
	if (f != IMAGE_MULTIBOOT1 && f != IMAGE_UNKNOWN && cfg->nmodules)
		log_warn("vm %s: modules= applies to Multiboot kernels only; ignored for this %s "
			 "image",
			 cfg->name, image_format_name(f));
	bool bios_applies = f == IMAGE_MULTIBOOT1 || f == IMAGE_FLAT;
	if (cfg->bios && !bios_applies && f != IMAGE_UNKNOWN)
		return loader_fail(err, errlen,
				   "bios=on applies to Multiboot and flat images only, not to this "
				   "%s image",
				   image_format_name(f));
	bool ok = false;
	switch (f) {
	case IMAGE_MULTIBOOT1:
		ok = load_multiboot1(image, size, cfg, mem, entry, err, errlen);
		break;
	case IMAGE_ELF32:
	case IMAGE_ELF64:
		ok = load_elf(image, size, mem, entry, err, errlen);
		break;
	case IMAGE_FLAT:
		ok = load_flat(image, size, cfg, mem, entry, err, errlen);
		break;
	case IMAGE_LINUX:
		ok = load_linux(image, size, cfg, mem, entry, err, errlen);
		break;
	case IMAGE_UNKNOWN:
		return fail_unknown(image, size, err, errlen);
	}
	if (ok && cfg->bios && !bios_write_tables(mem))
		return loader_fail(err, errlen, "cannot write the BIOS tables of bios=on");
	return ok;
}
