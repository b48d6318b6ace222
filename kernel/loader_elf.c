/* ELF executables: PT_LOAD segments at their physical addresses, entry at e_entry. ELF32
 * starts in flat protected mode, ELF64 in long mode on identity page tables. */
#include "kernel/elf.h"
#include "kernel/kstring.h"
#include "kernel/loader_priv.h"

#define ELF_TYPE_OFFSET	   16 /* e_type, then e_machine: same place in both classes */
#define ELF_MACHINE_OFFSET 18

int elf_class(const void *image, size_t size)
{
	const uint8_t *id = image;
	if (size < sizeof(struct elf32_ehdr) || memcmp(id, ELF_MAG0_3, 4) != 0 ||
	    id[ELF_EI_DATA] != ELFDATA2LSB)
		return 0;
	uint16_t type, machine;
	memcpy(&type, id + ELF_TYPE_OFFSET, sizeof type);
	memcpy(&machine, id + ELF_MACHINE_OFFSET, sizeof machine);
	if (type != ELF_ET_EXEC || (machine != ELF_EM_386 && machine != ELF_EM_X86_64))
		return 0;
	if (id[ELF_EI_CLASS] == ELFCLASS32)
		return ELFCLASS32;
	if (id[ELF_EI_CLASS] == ELFCLASS64 && size >= sizeof(struct elf64_ehdr))
		return ELFCLASS64;
	return 0;
}

/* Program header `i` as a segment; false when it is not a PT_LOAD that occupies memory. */
static bool read_phdr(const uint8_t *image, int cls, uint64_t at, struct load_segment *seg)
{
	uint32_t type;
	if (cls == ELFCLASS32) {
		struct elf32_phdr ph;
		memcpy(&ph, image + at, sizeof ph);
		type = ph.p_type;
		*seg = (struct load_segment){.gpa = ph.p_paddr,
					     .vaddr = ph.p_vaddr,
					     .file_off = ph.p_offset,
					     .filesz = ph.p_filesz,
					     .memsz = ph.p_memsz};
	} else {
		struct elf64_phdr ph;
		memcpy(&ph, image + at, sizeof ph);
		type = ph.p_type;
		*seg = (struct load_segment){.gpa = ph.p_paddr,
					     .vaddr = ph.p_vaddr,
					     .file_off = ph.p_offset,
					     .filesz = ph.p_filesz,
					     .memsz = ph.p_memsz};
	}
	return type == ELF_PT_LOAD && (seg->memsz || seg->filesz);
}

bool elf_read_segments(const void *image, size_t size, struct load_segment *segs, unsigned *nsegs,
		       uint64_t *entry, char *err, size_t errlen)
{
	int cls = elf_class(image, size);
	uint64_t phoff;
	unsigned phnum, phentsize, min_phentsize;
	if (cls == ELFCLASS32) {
		struct elf32_ehdr eh;
		memcpy(&eh, image, sizeof eh);
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		*entry = eh.e_entry;
		min_phentsize = sizeof(struct elf32_phdr);
	} else if (cls == ELFCLASS64) {
		struct elf64_ehdr eh;
		memcpy(&eh, image, sizeof eh);
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		*entry = eh.e_entry;
		min_phentsize = sizeof(struct elf64_phdr);
	} else {
		return loader_fail(err, errlen, "not an x86 ELF executable");
	}
	if (phnum && phentsize < min_phentsize)
		return loader_fail(err, errlen, "ELF program header size %u is too small",
				   phentsize);
	if (phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return loader_fail(err, errlen,
				   "ELF program headers run past the end of the image (%zu bytes): "
				   "truncated file?",
				   size);
	unsigned n = 0;
	for (unsigned i = 0; i < phnum; i++) {
		struct load_segment seg;
		if (!read_phdr(image, cls, phoff + (uint64_t)i * phentsize, &seg))
			continue;
		if (n == LOADER_MAX_SEGMENTS)
			return loader_fail(err, errlen, "more than %d ELF PT_LOAD segments",
					   LOADER_MAX_SEGMENTS);
		segs[n++] = seg;
	}
	if (n == 0)
		return loader_fail(err, errlen, "ELF image has no PT_LOAD segments");
	*nsegs = n;
	return true;
}

bool load_elf(const void *image, size_t size, struct gmem *mem, struct guest_entry *entry,
	      char *err, size_t errlen)
{
	struct load_segment segs[LOADER_MAX_SEGMENTS];
	unsigned n;
	uint64_t e_entry, rip;
	bool is64 = elf_class(image, size) == ELFCLASS64;
	struct gpa_range reserved = {0, 0};
	if (is64)
		reserved = (struct gpa_range){LOADER_PML4_GPA, LOADER_LONGMODE_END};
	if (!elf_read_segments(image, size, segs, &n, &e_entry, err, errlen) ||
	    !segments_check(segs, n, size, mem, reserved, err, errlen))
		return false;
	if (!segments_entry_gpa(segs, n, e_entry, &rip))
		return loader_fail(err, errlen, "ELF entry point 0x%llx is not in a loaded segment",
				   (unsigned long long)e_entry);
	if (!segments_place(image, segs, n, mem, err, errlen))
		return false;
	entry->rip = rip;
	if (!is64) {
		entry->mode = GUEST_PROT32;
		return true;
	}
	entry->mode = GUEST_LONG64;
	return longmode_setup(mem, entry, err, errlen);
}
