/* A VM's RAM: host frames mapped RWX at guest-physical [0, size), in 2 MiB slots. A slot is one
 * contiguous 2 MiB block (an EPT large page) when the allocator has one, else 4 KiB frames. */
#pragma once
#include "ept/ept.h"
#include <stdbool.h>
#include <stdint.h>

struct guest_ram {
	uint64_t size;	   /* bytes mapped at gpa 0; 0 when there is no RAM */
	uint64_t slots_pa; /* frames holding one uint64_t per slot (see guest_ram.c) */
	uint64_t nslots;
	uint64_t large; /* slots backed by one 2 MiB block */
};

/* Takes `size` bytes (rounded up to 4 KiB) of zeroed frames and maps them RWX at gpa 0 in `ept`.
 * On failure returns everything it took, leaves ram->size 0 and returns false. */
bool guest_ram_create(struct guest_ram *ram, struct ept *ept, uint64_t size);
/* Unmaps the RAM from `ept`, then returns every frame. */
void guest_ram_destroy(struct guest_ram *ram, struct ept *ept);
/* The hypervisor's view of gpa, valid to the end of its 4 KiB page; NULL outside RAM. */
void *guest_ram_hva(const struct guest_ram *ram, uint64_t gpa);
/* Copy n bytes across page and slot boundaries; false (nothing copied) if any byte lies outside. */
bool guest_ram_read(const struct guest_ram *ram, uint64_t gpa, void *dst, uint64_t n);
bool guest_ram_write(struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t n);
/* How many 2 MiB slots are large pages. */
uint64_t guest_ram_large_pages(const struct guest_ram *ram);
