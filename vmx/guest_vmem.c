/* Linear-address accesses for emulation: translate every page, then move the bytes. */
#include "vmx/guest_vmem.h"
#include "kernel/x86.h"

#define PAGE_BYTES	    4096ull
#define LINEAR32_MASK	    0xffffffffull
#define CANONICAL_BITS	    48 /* 57 with CR4.LA57 */
#define CANONICAL_BITS_LA57 57
#define MMIO_PIECE_MAX	    8 /* widest single device access */

/* One page's part of an access. */
struct piece {
	uint64_t gpa;
	unsigned offset, n; /* bytes [offset, offset + n) of the access */
};

static bool ram_read_entry(void *ctx, uint64_t gpa, void *dst, size_t n)
{
	const struct guest_phys *phys = ctx;
	const uint8_t *p = phys->ram(phys->ctx, gpa);
	if (!p || (gpa & (PAGE_BYTES - 1)) + n > PAGE_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = p[i];
	return true;
}

static bool ram_set_entry_bits(void *ctx, uint64_t gpa, uint64_t bits, unsigned size)
{
	const struct guest_phys *phys = ctx;
	void *p = phys->ram(phys->ctx, gpa);
	if (!p)
		return false;
	if (size == 8)
		__atomic_fetch_or((uint64_t *)p, bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or((uint32_t *)p, (uint32_t)bits, __ATOMIC_SEQ_CST);
	return true;
}

static bool canonical(const struct guest_vmem *m, uint64_t gla)
{
	unsigned bits = (m->paging.cr4 & CR4_LA57) ? CANONICAL_BITS_LA57 : CANONICAL_BITS;
	uint64_t upper = gla >> (bits - 1);
	return upper == 0 || upper == (~0ull >> (bits - 1));
}

static enum mem_result fault(struct guest_vmem *m, uint8_t vector, uint32_t error, uint64_t cr2)
{
	m->fault = (struct mem_fault){.vector = vector, .error = error, .cr2 = cr2};
	return MEM_FAULT;
}

static enum mem_result unhandled(struct guest_vmem *m, const char *why, uint64_t gpa)
{
	m->why = why;
	m->unhandled_gpa = gpa;
	return MEM_UNHANDLED;
}

/* Translates and checks every page of the access; fills at most two pieces. */
static enum mem_result translate(struct guest_vmem *m, uint64_t gla, unsigned n, unsigned flags,
				 struct piece *pieces, unsigned *count)
{
	if (n == 0 || n > MEM_MAX_ACCESS)
		return unhandled(m, "access wider than the emulator handles", 0);
	if (m->addr64 && (!canonical(m, gla) || !canonical(m, gla + n - 1)))
		return fault(m, (flags & MEM_STACK) ? VEC_SS : VEC_GP, 0, 0);
	unsigned access = (flags & ACCESS_WRITE) | m->mode_access;
	*count = 0;
	for (unsigned done = 0; done < n;) {
		uint64_t addr = gla + done;
		if (!m->addr64)
			addr &= LINEAR32_MASK;
		unsigned chunk = (unsigned)(PAGE_BYTES - (addr & (PAGE_BYTES - 1)));
		if (chunk > n - done)
			chunk = n - done;
		uint64_t gpa = addr & LINEAR32_MASK;
		uint32_t error = 0;
		enum walk_result r = WALK_OK; /* without paging: identity, nothing to check */
		if (m->paging.cr0 & CR0_PG) {
			struct walk_mem walk = {ram_read_entry, ram_set_entry_bits, &m->phys};
			r = guest_translate(&m->paging, addr, access, &walk, &gpa, &error);
		}
		switch (r) {
		case WALK_OK:
			break;
		case WALK_NOT_PRESENT:
		case WALK_RESERVED:
		case WALK_PROTECTION:
			return fault(m, VEC_PF, error, addr);
		case WALK_BAD_GPA:
			return unhandled(m, "guest page tables outside guest RAM", 0);
		}
		pieces[(*count)++] = (struct piece){gpa, done, chunk};
		done += chunk;
	}
	return MEM_OK;
}

static bool power_of_two_size(unsigned n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static uint64_t low_bytes(unsigned n)
{
	return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;
}

/* The widest naturally aligned device access starting at `gpa` within `n` bytes. */
static unsigned natural_size(uint64_t gpa, unsigned n)
{
	unsigned size = MMIO_PIECE_MAX;
	while (size > n || (gpa & (size - 1)))
		size /= 2;
	return size;
}

/* Bytes [offset, offset + n) of *value go to, or come from, the device at `gpa`. */
static void device_access(struct guest_vmem *m, uint64_t gpa, unsigned n, bool write,
			  uint64_t *value, unsigned offset)
{
	uint64_t mask = low_bytes(n);
	unsigned shift = 8 * offset;
	struct mmio_access a = {.gpa = gpa, .size = (uint8_t)n, .write = write, .cpu = m->cpu};
	if (write)
		a.value = (*value >> shift) & mask;
	m->phys.mmio(m->phys.ctx, &a);
	if (!write)
		*value = (*value & ~(mask << shift)) | ((a.value & mask) << shift);
}

/* Moves bytes [offset, offset + n) of *value, which live at `gpa` (inside one page).
 * `whole`: these are all the bytes of the instruction's access, which a device then sees
 * as one access if they fit its region; parts of a split access go to devices in
 * naturally aligned pieces. */
static enum mem_result phys_access(struct guest_vmem *m, uint64_t gpa, unsigned n, bool write,
				   bool whole, uint64_t *value, unsigned offset)
{
	const struct guest_phys *phys = &m->phys;
	while (n) {
		uint64_t span = phys->mmio_span(phys->ctx, gpa);
		unsigned part = span && span < n ? (unsigned)span : n;
		if (span && whole && part == n && power_of_two_size(n)) {
			device_access(m, gpa, n, write, value, offset);
		} else if (span) {
			for (unsigned done = 0, size; done < part; done += size) {
				size = natural_size(gpa + done, part - done);
				device_access(m, gpa + done, size, write, value, offset + done);
			}
		} else {
			uint8_t *ram = phys->ram(phys->ctx, gpa);
			uint8_t *bytes = (uint8_t *)value + offset; /* x86: little-endian */
			if (!ram)
				return unhandled(m, "no RAM or device there", gpa);
			for (unsigned i = 0; i < part; i++) {
				if (write)
					ram[i] = bytes[i];
				else
					bytes[i] = ram[i];
			}
		}
		gpa += part;
		offset += part;
		n -= part;
	}
	return MEM_OK;
}

static enum mem_result move(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
			    bool write, uint64_t *value)
{
	struct piece pieces[2];
	unsigned count;
	enum mem_result r =
	    translate(m, gla, size, flags | (write ? ACCESS_WRITE : 0), pieces, &count);
	for (unsigned i = 0; r == MEM_OK && i < count; i++)
		r = phys_access(m, pieces[i].gpa, pieces[i].n, write, count == 1, value,
				pieces[i].offset);
	return r;
}

enum mem_result guest_vmem_read(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
			       uint64_t *value)
{
	*value = 0;
	enum mem_result r = move(m, gla, size, flags, false, value);
	*value &= low_bytes(size);
	return r;
}

enum mem_result guest_vmem_write(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
				uint64_t value)
{
	return move(m, gla, size, flags, true, &value);
}

enum mem_result guest_vmem_check(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags)
{
	struct piece pieces[2];
	unsigned count;
	return translate(m, gla, size, flags, pieces, &count);
}
