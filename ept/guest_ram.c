/* Guest RAM. The slot array (one uint64_t per 2 MiB of guest-physical space, in frames of its own
 * so that gigabytes of RAM need no static table) holds per slot either a 2 MiB block's address
 * tagged SLOT_LARGE, or tagged SLOT_FRAMES the address of a frame listing the slot's 4 KiB frames.
 * 0 marks a slot not filled yet (creation failed part way). */
#include "ept/guest_ram.h"
#include "kernel/kstring.h"
#include "kernel/mem.h"

#define PAGES_PER_SLOT (LARGE_PAGE_SIZE / PAGE_SIZE)
#define SLOT_LARGE     1ull /* the slot is one 2 MiB-aligned block */
#define SLOT_FRAMES    2ull /* the slot is a frame list */
#define SLOT_TAGS      (SLOT_LARGE | SLOT_FRAMES)

static uint64_t *slot_array(const struct guest_ram *ram)
{
	return phys_to_virt(ram->slots_pa);
}

static uint64_t slot_array_pages(uint64_t nslots)
{
	return ALIGN_UP(nslots * sizeof(uint64_t), PAGE_SIZE) / PAGE_SIZE;
}

/* 512, except in a last slot that RAM only partly covers. */
static uint64_t slot_pages(const struct guest_ram *ram, uint64_t slot)
{
	uint64_t left = (ram->size - slot * LARGE_PAGE_SIZE) / PAGE_SIZE;
	return left < PAGES_PER_SLOT ? left : PAGES_PER_SLOT;
}

static bool slot_fill(struct guest_ram *ram, uint64_t slot)
{
	uint64_t n = slot_pages(ram, slot);
	if (n == PAGES_PER_SLOT) {
		uint64_t block = frame_alloc_contig(PAGES_PER_SLOT, PAGES_PER_SLOT);
		if (block != FRAME_NONE) {
			slot_array(ram)[slot] = block | SLOT_LARGE;
			ram->large++;
			return true;
		}
	}
	uint64_t list_pa = frame_alloc();
	if (list_pa == FRAME_NONE)
		return false;
	uint64_t *frames = phys_to_virt(list_pa);
	for (uint64_t i = 0; i < n; i++) {
		frames[i] = frame_alloc();
		if (frames[i] == FRAME_NONE) {
			while (i--)
				frame_free(frames[i], 1);
			frame_free(list_pa, 1);
			return false;
		}
	}
	slot_array(ram)[slot] = list_pa | SLOT_FRAMES;
	return true;
}

static bool slot_map(const struct guest_ram *ram, struct ept *ept, uint64_t slot)
{
	uint64_t gpa = slot * LARGE_PAGE_SIZE;
	uint64_t s = slot_array(ram)[slot];
	if (s & SLOT_LARGE)
		return ept_map(ept, gpa, s & ~SLOT_TAGS, LARGE_PAGE_SIZE, EPT_RWX);
	const uint64_t *frames = phys_to_virt(s & ~SLOT_TAGS);
	for (uint64_t i = 0; i < slot_pages(ram, slot); i++)
		if (!ept_map(ept, gpa + i * PAGE_SIZE, frames[i], PAGE_SIZE, EPT_RWX))
			return false;
	return true;
}

static void slot_free(const struct guest_ram *ram, uint64_t slot)
{
	uint64_t s = slot_array(ram)[slot];
	if (s & SLOT_LARGE) {
		frame_free(s & ~SLOT_TAGS, PAGES_PER_SLOT);
	} else if (s & SLOT_FRAMES) {
		const uint64_t *frames = phys_to_virt(s & ~SLOT_TAGS);
		for (uint64_t i = 0; i < slot_pages(ram, slot); i++)
			frame_free(frames[i], 1);
		frame_free(s & ~SLOT_TAGS, 1);
	}
}

bool guest_ram_create(struct guest_ram *ram, struct ept *ept, uint64_t size)
{
	*ram = (struct guest_ram){0};
	if (size == 0 || size > EPT_GPA_LIMIT)
		return false;
	uint64_t nslots = ALIGN_UP(size, LARGE_PAGE_SIZE) / LARGE_PAGE_SIZE;
	uint64_t array_pa = frame_alloc_contig(slot_array_pages(nslots), 1);
	if (array_pa == FRAME_NONE)
		return false;
	ram->size = ALIGN_UP(size, PAGE_SIZE);
	ram->slots_pa = array_pa;
	ram->nslots = nslots;
	for (uint64_t slot = 0; slot < nslots; slot++) {
		if (!slot_fill(ram, slot) || !slot_map(ram, ept, slot)) {
			guest_ram_destroy(ram, ept);
			return false;
		}
	}
	return true;
}

void guest_ram_destroy(struct guest_ram *ram, struct ept *ept)
{
	if (ram->nslots == 0)
		return;
	/* Whole slots are unmapped, so no large page needs splitting and this cannot fail. */
	ept_unmap(ept, 0, ram->size);
	for (uint64_t slot = 0; slot < ram->nslots; slot++)
		slot_free(ram, slot);
	frame_free(ram->slots_pa, slot_array_pages(ram->nslots));
	*ram = (struct guest_ram){0};
}

void *guest_ram_hva(const struct guest_ram *ram, uint64_t gpa)
{
	if (gpa >= ram->size)
		return NULL;
	uint64_t s = slot_array(ram)[gpa / LARGE_PAGE_SIZE];
	if (s & SLOT_LARGE)
		return phys_to_virt((s & ~SLOT_TAGS) + gpa % LARGE_PAGE_SIZE);
	const uint64_t *frames = phys_to_virt(s & ~SLOT_TAGS);
	return phys_to_virt(frames[gpa / PAGE_SIZE % PAGES_PER_SLOT] + gpa % PAGE_SIZE);
}

static bool in_ram(const struct guest_ram *ram, uint64_t gpa, uint64_t n)
{
	return n <= ram->size && gpa <= ram->size - n;
}

/* Bytes from gpa to the end of its page, at most n: adjacent guest pages may lie apart in the host.
 */
static uint64_t chunk_at(uint64_t gpa, uint64_t n)
{
	uint64_t to_page_end = PAGE_SIZE - gpa % PAGE_SIZE;
	return n < to_page_end ? n : to_page_end;
}

bool guest_ram_read(const struct guest_ram *ram, uint64_t gpa, void *dst, uint64_t n)
{
	if (!in_ram(ram, gpa, n))
		return false;
	for (uint8_t *d = dst; n;) {
		uint64_t chunk = chunk_at(gpa, n);
		memcpy(d, guest_ram_hva(ram, gpa), chunk);
		gpa += chunk;
		d += chunk;
		n -= chunk;
	}
	return true;
}

bool guest_ram_write(struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t n)
{
	if (!in_ram(ram, gpa, n))
		return false;
	for (const uint8_t *s = src; n;) {
		uint64_t chunk = chunk_at(gpa, n);
		memcpy(guest_ram_hva(ram, gpa), s, chunk);
		gpa += chunk;
		s += chunk;
		n -= chunk;
	}
	return true;
}

uint64_t guest_ram_large_pages(const struct guest_ram *ram)
{
	return ram->large;
}
