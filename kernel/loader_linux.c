/* Linux bzImages by the x86 boot protocol 2.12+ (Documentation/arch/x86/boot.rst), entered
 * at the 64-bit entry point: the guest starts in long mode with identity page tables, so
 * the hypervisor emulates no 16-bit setup code or BIOS calls and the kernel skips its own
 * 32-bit to long-mode switch; the protocol prefers this path for 64-bit kernels.
 *
 * Guest memory (structures at the addresses in loader.h):
 *   [0x1000, 0x8000)  page tables and GDT;  0x10000 boot_params;  0x11000 command line
 *   load address      the protected-mode kernel, init_size bytes reserved for it
 *   highest fit       the initrd, page-aligned, below initrd_addr_max and the end of RAM;
 *                     under the kernel when there is no room above it
 * The load address is pref_address (rounded up to kernel_alignment and to at least 1 MiB
 * if relocatable): a relocatable 64-bit kernel decompresses itself to max(load address,
 * pref_address) anyway (its LOAD_PHYSICAL_ADDR), so a lower address would not save RAM and
 * a higher one would waste it. Only the file's bytes are written; the rest of init_size is
 * the kernel's own scratch space and needs no clearing. */
#include "kernel/kstring.h"
#include "kernel/linux_boot.h"
#include "kernel/loader_priv.h"
#include "kernel/mem.h"

#define LOW_RAM_END   0xa0000ull  /* conventional memory; VGA and BIOS area above */
#define HIGH_RAM_BASE 0x100000ull /* the protected-mode kernel loads at or above 1 MiB */
#define MIB	      (1ull << 20)

_Static_assert(LOADER_LINUX_BOOT_PARAMS_GPA + LINUX_BP_SIZE <= LOADER_LINUX_CMDLINE_GPA,
	       "boot_params before the command line");
_Static_assert(LOADER_LINUX_CMDLINE_GPA + VM_CMDLINE_MAX <= LOADER_LINUX_END, "cmdline fits");
_Static_assert(LOADER_LINUX_BOOT_PARAMS_GPA >= LOADER_LONGMODE_END &&
		   LOADER_LINUX_END <= LOW_RAM_END,
	       "Linux structures between the page tables and the end of low RAM");

/* Where everything goes, decided before anything is written. */
struct linux_plan {
	uint64_t kernel_off;   /* file offset of the protected-mode kernel */
	uint64_t kernel_bytes; /* its length: the rest of the file */
	uint64_t load;	       /* its guest-physical address */
	uint64_t init_size;
	unsigned hdr_end;    /* setup header bytes [LINUX_HDR_START, hdr_end) go to boot_params */
	uint64_t initrd_gpa; /* 0 without an initrd */
	uint64_t initrd_size;
};

static uint64_t get_le(const uint8_t *image, unsigned off, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)image[off + i] << (8 * i);
	return v;
}

static bool put_le(struct gmem *mem, unsigned off, uint64_t value, unsigned width)
{
	uint8_t b[8];
	for (unsigned i = 0; i < width; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	return mem->write(mem->ctx, LOADER_LINUX_BOOT_PARAMS_GPA + off, b, width);
}

static bool check_header(const uint8_t *image, size_t size, struct linux_plan *p, char *err,
			 size_t errlen)
{
	if (size < LINUX_HDR_INIT_SIZE_END)
		return loader_fail(err, errlen, "Linux setup header truncated (file is %zu bytes)",
				   size);
	unsigned version = (unsigned)get_le(image, LINUX_HDR_VERSION, 2);
	if (version < LINUX_PROTOCOL_MIN)
		return loader_fail(err, errlen,
				   "Linux boot protocol %u.%02u is too old (need 2.12 or later, "
				   "kernel 3.8+)",
				   version >> 8, version & 0xff);
	unsigned hdr_end = LINUX_HDR_MAGIC_OFFSET + image[LINUX_HDR_JUMP_OFFSET];
	if (hdr_end < LINUX_HDR_INIT_SIZE_END)
		return loader_fail(err, errlen,
				   "Linux setup header ends at 0x%x, before init_size: not a "
				   "protocol 2.12 header",
				   hdr_end);
	p->hdr_end = hdr_end < LINUX_BP_HDR_END_MAX ? hdr_end : LINUX_BP_HDR_END_MAX;

	unsigned sects = image[LINUX_HDR_SETUP_SECTS];
	if (sects > LINUX_SETUP_SECTS_MAX)
		return loader_fail(err, errlen,
				   "Linux setup_sects %u is absurd (setup code is at most 32 KiB)",
				   sects);
	p->kernel_off =
	    (uint64_t)((sects ? sects : LINUX_SETUP_SECTS_DEFAULT) + 1) * LINUX_SECTOR_BYTES;
	uint64_t syssize = get_le(image, LINUX_HDR_SYSSIZE, 4) * LINUX_SYSSIZE_UNIT;
	if (size <= p->kernel_off || size - p->kernel_off < syssize)
		return loader_fail(err, errlen,
				   "Linux image is %zu bytes, shorter than its setup (0x%llx) and "
				   "kernel (0x%llx): truncated file?",
				   size, (unsigned long long)p->kernel_off,
				   (unsigned long long)syssize);
	p->kernel_bytes = size - p->kernel_off;
	if (p->kernel_bytes <= LINUX_STARTUP_64_OFFSET)
		return loader_fail(
		    err, errlen, "Linux kernel (%llu bytes) ends before its 64-bit entry at +0x200",
		    (unsigned long long)p->kernel_bytes);
	if (!(get_le(image, LINUX_HDR_XLOADFLAGS, 2) & LINUX_XLF_KERNEL_64))
		return loader_fail(err, errlen,
				   "Linux kernel has no 64-bit entry point (XLF_KERNEL_64 clear in "
				   "xloadflags): 32-bit kernels are not supported");
	p->init_size = get_le(image, LINUX_HDR_INIT_SIZE, 4);
	if (p->init_size < p->kernel_bytes)
		return loader_fail(
		    err, errlen, "Linux init_size 0x%llx is smaller than the kernel's 0x%llx bytes",
		    (unsigned long long)p->init_size, (unsigned long long)p->kernel_bytes);
	return true;
}

static bool place_kernel(const uint8_t *image, const struct gmem *mem, struct linux_plan *p,
			 char *err, size_t errlen)
{
	uint64_t pref = get_le(image, LINUX_HDR_PREF_ADDRESS, 8);
	uint64_t load = pref;
	if (image[LINUX_HDR_RELOCATABLE]) {
		uint64_t align = get_le(image, LINUX_HDR_KERNEL_ALIGN, 4);
		if (align == 0 || (align & (align - 1)))
			return loader_fail(err, errlen,
					   "Linux kernel_alignment 0x%llx is not a power of two",
					   (unsigned long long)align);
		if (load < HIGH_RAM_BASE)
			load = HIGH_RAM_BASE;
		if (load <= mem->size)
			load = ALIGN_UP(load, align);
	} else if (load < HIGH_RAM_BASE) {
		return loader_fail(err, errlen,
				   "Linux kernel is not relocatable and its pref_address 0x%llx is "
				   "below 1 MiB",
				   (unsigned long long)pref);
	}
	if (load > mem->size || p->init_size > mem->size - load)
		return loader_fail(
		    err, errlen,
		    "kernel needs %llu MiB (init_size) at 0x%llx, mem=%llu MiB is too "
		    "small",
		    (unsigned long long)ALIGN_UP(p->init_size, MIB) >> 20, (unsigned long long)load,
		    (unsigned long long)(mem->size >> 20));
	p->load = load;
	return true;
}

/* The highest page-aligned start for n bytes inside [lo, hi), or 0 when they do not fit. */
static uint64_t highest_fit(uint64_t lo, uint64_t hi, uint64_t n)
{
	if (hi <= lo || hi - lo < n)
		return 0;
	uint64_t start = ALIGN_DOWN(hi - n, PAGE_SIZE);
	return start >= lo ? start : 0;
}

/* Above the kernel's init_size region if there is room, else between 1 MiB and the kernel;
 * never above initrd_addr_max, the last byte the kernel can reach it at. */
static bool place_initrd(const uint8_t *image, const struct vm_config *cfg, const struct gmem *mem,
			 struct linux_plan *p, char *err, size_t errlen)
{
	if (!cfg->initrd_image || !cfg->initrd_size)
		return true;
	uint64_t max = get_le(image, LINUX_HDR_INITRD_ADDR_MAX, 4);
	uint64_t top = max + 1 < mem->size ? max + 1 : mem->size;
	uint64_t kernel_end = p->load + p->init_size;
	uint64_t gpa = highest_fit(kernel_end, top, cfg->initrd_size);
	if (!gpa)
		gpa = highest_fit(HIGH_RAM_BASE, p->load < top ? p->load : top, cfg->initrd_size);
	if (!gpa)
		return loader_fail(err, errlen,
				   "initrd (%llu bytes) does not fit below 0x%llx in mem=%llu MiB "
				   "beside the kernel at [0x%llx, 0x%llx)",
				   (unsigned long long)cfg->initrd_size, (unsigned long long)top,
				   (unsigned long long)(mem->size >> 20),
				   (unsigned long long)p->load, (unsigned long long)kernel_end);
	p->initrd_gpa = gpa;
	p->initrd_size = cfg->initrd_size;
	return true;
}

static struct linux_e820_entry e820_entry(uint64_t start, uint64_t end, uint32_t type)
{
	return (struct linux_e820_entry){.addr = start, .size = end - start, .type = type};
}

/* The same RAM layout the VM's EPT maps, as in the Multiboot memory map. */
static bool write_e820(struct gmem *mem)
{
	const struct linux_e820_entry map[] = {
	    e820_entry(0, LOW_RAM_END, LINUX_E820_RAM),
	    e820_entry(LOW_RAM_END, HIGH_RAM_BASE, LINUX_E820_RESERVED),
	    e820_entry(HIGH_RAM_BASE, mem->size, LINUX_E820_RAM),
	};
	return mem->write(mem->ctx, LOADER_LINUX_BOOT_PARAMS_GPA + LINUX_BP_E820_TABLE, map,
			  sizeof map) &&
	       put_le(mem, LINUX_BP_E820_ENTRIES, sizeof map / sizeof map[0], 1);
}

/* A zeroed zero page (so sentinel and ext_* are 0) with acpi_rsdp_addr pointing at the VM's
 * ACPI tables (Linux then skips the BIOS-area scan) and the image's setup
 * header and the fields a boot loader fills in. */
static bool write_boot_params(const uint8_t *image, struct gmem *mem, const struct linux_plan *p)
{
	uint8_t loadflags =
	    (image[LINUX_HDR_LOADFLAGS] | LINUX_LF_LOADED_HIGH) & (uint8_t)~LINUX_LF_CAN_USE_HEAP;
	return gmem_zero(mem, LOADER_LINUX_BOOT_PARAMS_GPA, LINUX_BP_SIZE) &&
	       mem->write(mem->ctx, LOADER_LINUX_BOOT_PARAMS_GPA + LINUX_HDR_START,
			  image + LINUX_HDR_START, p->hdr_end - LINUX_HDR_START) &&
	       put_le(mem, LINUX_HDR_TYPE_OF_LOADER, LINUX_LOADER_UNDEFINED, 1) &&
	       put_le(mem, LINUX_HDR_LOADFLAGS, loadflags, 1) &&
	       put_le(mem, LINUX_HDR_HEAP_END_PTR, 0, 2) &&
	       put_le(mem, LINUX_HDR_EXT_LOADER_VER, 0, 1) &&
	       put_le(mem, LINUX_HDR_EXT_LOADER_TYPE, 0, 1) &&
	       put_le(mem, LINUX_HDR_CMD_LINE_PTR, LOADER_LINUX_CMDLINE_GPA, 4) &&
	       put_le(mem, LINUX_HDR_RAMDISK_IMAGE, p->initrd_gpa, 4) &&
	       put_le(mem, LINUX_HDR_RAMDISK_SIZE, p->initrd_size, 4) &&
	       put_le(mem, LINUX_HDR_HW_SUBARCH, 0, 4) &&
	       put_le(mem, LINUX_HDR_HW_SUBARCH_DATA, 0, 8) &&
	       put_le(mem, LINUX_HDR_SETUP_DATA, 0, 8) &&
	       put_le(mem, LINUX_BP_ACPI_RSDP_ADDR, LOADER_ACPI_RSDP_GPA, 8) && write_e820(mem);
}

bool load_linux(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		struct guest_entry *entry, char *err, size_t errlen)
{
	const uint8_t *bytes = image;
	struct linux_plan p = {0};
	if (!check_header(bytes, size, &p, err, errlen) ||
	    !place_kernel(bytes, mem, &p, err, errlen) ||
	    !place_initrd(bytes, cfg, mem, &p, err, errlen))
		return false;
	size_t cmdline_len = strlen(cfg->cmdline);
	uint64_t cmdline_max = get_le(bytes, LINUX_HDR_CMDLINE_SIZE, 4);
	if (cmdline_len > cmdline_max)
		return loader_fail(err, errlen,
				   "cmdline is %zu bytes, the kernel accepts at most %llu "
				   "(cmdline_size)",
				   cmdline_len, (unsigned long long)cmdline_max);

	if (!mem->write(mem->ctx, p.load, bytes + p.kernel_off, p.kernel_bytes))
		return loader_fail(err, errlen, "cannot write the kernel at 0x%llx",
				   (unsigned long long)p.load);
	if (p.initrd_size && !mem->write(mem->ctx, p.initrd_gpa, cfg->initrd_image, p.initrd_size))
		return loader_fail(err, errlen, "cannot write the initrd at 0x%llx",
				   (unsigned long long)p.initrd_gpa);
	if (!mem->write(mem->ctx, LOADER_LINUX_CMDLINE_GPA, cfg->cmdline, cmdline_len + 1) ||
	    !write_boot_params(bytes, mem, &p))
		return loader_fail(err, errlen, "cannot write boot_params and the command line");
	if (!longmode_setup_gdt(mem, entry, LINUX_BOOT_CS, LINUX_BOOT_DS, err, errlen))
		return false;
	entry->mode = GUEST_LONG64;
	entry->rip = p.load + LINUX_STARTUP_64_OFFSET;
	entry->rsi = LOADER_LINUX_BOOT_PARAMS_GPA;
	return true;
}
