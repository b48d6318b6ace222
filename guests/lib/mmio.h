/* Device register accesses for the 32-bit guests: each is exactly one MOV of the register's
 * width, which the compiler may neither merge, split, repeat nor drop, and which mhv's MMIO
 * emulation handles in its simplest form. Paging is off: an address is guest-physical. */
#pragma once
#include "guests/lib/types.h"

static inline u8 mmio_read8(u32 addr)
{
	u8 v;
	__asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(addr) : "memory");
	return v;
}

static inline u16 mmio_read16(u32 addr)
{
	u16 v;
	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline u32 mmio_read32(u32 addr)
{
	u32 v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(u32 addr, u8 v)
{
	__asm__ volatile("movb %0, (%1)" : : "q"(v), "r"(addr) : "memory");
}

static inline void mmio_write16(u32 addr, u16 v)
{
	__asm__ volatile("movw %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(u32 addr, u32 v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}
