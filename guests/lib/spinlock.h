/* A test-and-set lock for guests with several CPUs; PAUSE in the wait loop lets a
 * hypervisor with PAUSE-loop exiting run the holder instead. */
#pragma once
#include "guests/lib/x86.h"

struct spinlock {
	volatile u32 locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* EFLAGS before a CLI, for irq_restore. */
static inline u32 irq_save(void)
{
	u32 flags;
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(u32 flags)
{
	__asm__ volatile("pushl %0; popfl" : : "r"(flags) : "memory", "cc");
}
