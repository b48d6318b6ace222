/* Validating and placing load segments: the checks every image format shares. */
#include "kernel/kstring.h"
#include "kernel/loader_priv.h"
#include "kernel/mem.h"

static bool ranges_overlap(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end)
{
	return a_start < b_end && b_start < a_end;
}

bool segments_check(const struct load_segment *segs, unsigned n, size_t image_size,
		    const struct gmem *mem, struct gpa_range reserved, char *err, size_t errlen)
{
	for (unsigned i = 0; i < n; i++) {
		const struct load_segment *s = &segs[i];
		if (s->filesz > s->memsz)
			return loader_fail(
			    err, errlen, "segment %u: file size 0x%llx exceeds memory size 0x%llx",
			    i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
		if (s->file_off > image_size || s->filesz > image_size - s->file_off)
			return loader_fail(
			    err, errlen,
			    "segment %u: 0x%llx bytes at file offset 0x%llx run past the "
			    "end of the image (%zu bytes): truncated file?",
			    i, (unsigned long long)s->filesz, (unsigned long long)s->file_off,
			    image_size);
		if (s->gpa > mem->size || s->memsz > mem->size - s->gpa)
			return loader_fail(
			    err, errlen,
			    "segment %u (0x%llx bytes at 0x%llx) does not fit in mem=%llu MiB", i,
			    (unsigned long long)s->memsz, (unsigned long long)s->gpa,
			    (unsigned long long)(mem->size >> 20));
		uint64_t end = s->gpa + s->memsz;
		if (ranges_overlap(s->gpa, end, reserved.start, reserved.end))
			return loader_fail(
			    err, errlen,
			    "segment %u [0x%llx, 0x%llx) overlaps the loader's structures at "
			    "[0x%llx, 0x%llx)",
			    i, (unsigned long long)s->gpa, (unsigned long long)end,
			    (unsigned long long)reserved.start, (unsigned long long)reserved.end);
		for (unsigned j = 0; j < i; j++)
			if (ranges_overlap(s->gpa, end, segs[j].gpa, segs[j].gpa + segs[j].memsz))
				return loader_fail(
				    err, errlen,
				    "segments %u [0x%llx, 0x%llx) and %u [0x%llx, 0x%llx) "
				    "overlap",
				    j, (unsigned long long)segs[j].gpa,
				    (unsigned long long)(segs[j].gpa + segs[j].memsz), i,
				    (unsigned long long)s->gpa, (unsigned long long)end);
	}
	return true;
}

bool segments_avoid(const struct load_segment *segs, unsigned n, const struct gpa_range *ranges,
		    unsigned nranges, const char *what, char *err, size_t errlen)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = segs[i].gpa, end = segs[i].gpa + segs[i].memsz;
		for (unsigned r = 0; r < nranges; r++)
			if (ranges_overlap(start, end, ranges[r].start, ranges[r].end))
				return loader_fail(
				    err, errlen, "[0x%llx, 0x%llx) overlaps %s at [0x%llx, 0x%llx)",
				    (unsigned long long)start, (unsigned long long)end, what,
				    (unsigned long long)ranges[r].start,
				    (unsigned long long)ranges[r].end);
	}
	return true;
}

void gpa_use(struct gpa_used *u, uint64_t start, uint64_t end)
{
	if (u->n < LOADER_MAX_USED && start < end)
		u->range[u->n++] = (struct gpa_range){start, end};
}

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

bool gpa_find(const struct gpa_used *u, uint64_t from, uint64_t limit, uint64_t size, uint64_t *gpa)
{
	uint64_t at = page_up(from);
	for (bool moved = true; moved;) {
		moved = false;
		if (at > limit || size > limit - at)
			return false;
		for (unsigned i = 0; i < u->n && !moved; i++) {
			if (ranges_overlap(at, at + size, u->range[i].start, u->range[i].end)) {
				at = page_up(u->range[i].end);
				moved = true;
			}
		}
	}
	*gpa = at;
	return true;
}

bool gmem_zero(struct gmem *mem, uint64_t gpa, uint64_t n)
{
	static const uint8_t zeros[512];
	while (n) {
		uint64_t chunk = n < sizeof zeros ? n : sizeof zeros;
		if (!mem->write(mem->ctx, gpa, zeros, chunk))
			return false;
		gpa += chunk;
		n -= chunk;
	}
	return true;
}

bool segments_place(const void *image, const struct load_segment *segs, unsigned n,
		    struct gmem *mem, char *err, size_t errlen)
{
	const uint8_t *bytes = image;
	for (unsigned i = 0; i < n; i++) {
		const struct load_segment *s = &segs[i];
		bool ok =
		    s->filesz == 0 || mem->write(mem->ctx, s->gpa, bytes + s->file_off, s->filesz);
		if (!ok || !gmem_zero(mem, s->gpa + s->filesz, s->memsz - s->filesz))
			return loader_fail(err, errlen, "cannot write guest memory at 0x%llx",
					   (unsigned long long)s->gpa);
	}
	return true;
}

bool segments_entry_gpa(const struct load_segment *segs, unsigned n, uint64_t entry, uint64_t *gpa)
{
	for (unsigned i = 0; i < n; i++) {
		if (entry >= segs[i].gpa && entry - segs[i].gpa < segs[i].memsz) {
			*gpa = entry;
			return true;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (entry >= segs[i].vaddr && entry - segs[i].vaddr < segs[i].memsz) {
			*gpa = segs[i].gpa + (entry - segs[i].vaddr);
			return true;
		}
	}
	return false;
}
