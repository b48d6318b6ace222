#include "devices/guest_mem.h"
#include "kernel/kstring.h"

void *gmem_span(const struct guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *n)
{
	*n = 0;
	if (len == 0 || !gmem_in_ram(m, gpa, len))
		return NULL;
	uint64_t to_page_end = GMEM_PAGE_SIZE - gpa % GMEM_PAGE_SIZE;
	*n = len < to_page_end ? len : to_page_end;
	return m->hva(m->ctx, gpa);
}

void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t n;
	void *p = gmem_span(m, gpa, len, &n);
	return p && n == len ? p : NULL;
}

bool gmem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	if (!gmem_in_ram(m, gpa, len))
		return false;
	for (uint8_t *d = dst; len;) {
		uint64_t n;
		const void *p = gmem_span(m, gpa, len, &n); /* not NULL: all of it is RAM */
		memcpy(d, p, n);
		gpa += n;
		d += n;
		len -= n;
	}
	return true;
}

bool gmem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	if (!gmem_in_ram(m, gpa, len))
		return false;
	for (const uint8_t *s = src; len;) {
		uint64_t n;
		void *p = gmem_span(m, gpa, len, &n);
		memcpy(p, s, n);
		gpa += n;
		s += n;
		len -= n;
	}
	return true;
}
