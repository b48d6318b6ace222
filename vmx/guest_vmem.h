/* Guest memory as an instruction sees it, for the accesses the hypervisor makes on the guest's
 * behalf (emulated instructions, string I/O). Linear addresses are checked and translated as
 * the CPU would (canonical form, then the guest's paging protections: vmx/guest_walk.h); an
 * access is split at page boundaries and, within a page, into guest RAM and device pieces, so
 * one that straddles RAM and MMIO (or two device regions) touches every byte where it lives:
 * RAM bytes in RAM, device bytes at their own offsets in naturally aligned pieces. Every page
 * of an access is translated before any byte moves, so a fault leaves memory and devices
 * untouched. Plain C over callbacks: no VMX, host-tested. */
#pragma once
#include "devices/access.h"
#include "vmx/guest_walk.h"
#include <stdbool.h>
#include <stdint.h>

#define VEC_SS 12 /* stack fault */
#define VEC_GP 13 /* general protection */
#define VEC_PF 14 /* page fault */

#define MEM_MAX_ACCESS 8 /* bytes one call moves at most */

/* Access flags beyond ACCESS_WRITE (read-modify-write reads check as writes). */
#define MEM_STACK (1u << 8) /* through SS: a non-canonical address raises #SS, not #GP */

/* An exception the access raises; all three vectors push an error code. */
struct mem_fault {
	uint8_t vector;
	uint32_t error;
	uint64_t cr2; /* #PF: the linear address that faulted */
};

/* The guest-physical side. */
struct guest_phys {
	void *ctx;
	/* Host address of guest RAM at `gpa`, valid to the end of its 4 KiB page; NULL when
	 * `gpa` is not RAM. */
	void *(*ram)(void *ctx, uint64_t gpa);
	/* Bytes from `gpa` to the end of the device region holding it; 0 when none does. */
	uint64_t (*mmio_span)(void *ctx, uint64_t gpa);
	/* One access (size 1, 2, 4 or 8) inside one device region. */
	void (*mmio)(void *ctx, struct mmio_access *a);
};

enum mem_result {
	MEM_OK,
	MEM_FAULT,     /* inject `fault` */
	MEM_UNHANDLED, /* neither RAM nor a device: `why`, at `unhandled_gpa` */
};

struct guest_vmem {
	struct guest_paging paging;
	unsigned mode_access; /* ACCESS_USER, ACCESS_AC: the accessing code's privilege */
	bool addr64;  /* 64-bit mode: canonical checks; else linear addresses wrap at 4 GiB */
	unsigned cpu; /* the accessing vCPU, for struct mmio_access */
	struct guest_phys phys;
	struct mem_fault fault;
	const char *why;
	uint64_t unhandled_gpa;
};

/* Accesses of 1..MEM_MAX_ACCESS bytes; values are little-endian in the low `size` bytes. */
enum mem_result guest_vmem_read(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
			       uint64_t *value);
enum mem_result guest_vmem_write(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
				uint64_t value);
/* Would an access (a write with ACCESS_WRITE) of `size` bytes at `gla` go through?
 * Translates and checks without touching memory or devices, for instructions that read a
 * device and then store elsewhere: the CPU finds the store's fault before the device sees
 * the read. */
enum mem_result guest_vmem_check(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags);
