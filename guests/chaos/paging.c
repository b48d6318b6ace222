/* Paging, 32-bit (with 4 MiB pages) or PAE, everything identity-mapped except a victim window
 * whose page-table entries are random: any frame of a scratch pool, a device page, not present,
 * reserved bits, NX, caching and PAT bits, user and read-only pages. Accesses to the window
 * (every width, straddling two victim pages, string stores, string port I/O) run inside
 * recovery points; entries change under the TLB's feet with and without INVLPG. The test
 * device seen through the window is checked against its model. Paging is off again after. */
#include "guests/chaos/chaos.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define PTE_P	   (1u << 0)
#define PTE_RW	   (1u << 1)
#define PTE_PS	   (1u << 7)
#define PTE_FLAGS  0xffeu /* RW, US, PWT, PCD, A, D, PAT/PS, G, AVL */
#define PAE_NX	   (1ull << 63)
#define PAE_RSVD   0x000ff00000000000ull /* above any MAXPHYADDR we offer */
#define CR4_PSE_   (1u << 4)
#define CR4_PAE	   (1u << 5)
#define CR4_PGE	   (1u << 7)
#define CR0_WP	   (1u << 16)
#define EFER_NXE   (1ull << 11)
#define MSR_EFER   0xc0000080
#define VICTIM_VA  0x40000000u
#define VICTIMS	   8
#define POOL_PAGES 16

static u32 pd32[1024] __attribute__((aligned(4096)));
static u32 pt32[1024] __attribute__((aligned(4096)));
static u64 pdpt[4] __attribute__((aligned(32)));
static u64 pae_pd[4][512] __attribute__((aligned(4096)));
static u64 pae_pt[512] __attribute__((aligned(4096)));
static u8 pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));

enum frame_kind { FRAME_POOL, FRAME_DEVICE, FRAME_RAM, FRAME_NONE };

static bool pae;
static enum frame_kind kind[VICTIMS];

static u32 random_frame(u32 k)
{
	static const u32 devices[] = {LAPIC_BASE, IOAPIC_BASE, MHV_TESTDEV_GPA};
	u32 r = rnd_below(100);
	kind[k] = r < 65 ? FRAME_POOL : r < 80 ? FRAME_DEVICE : r < 90 ? FRAME_RAM : FRAME_NONE;
	switch (kind[k]) {
	case FRAME_POOL:
		return (u32)pool[rnd_below(POOL_PAGES)];
	case FRAME_DEVICE:
		return rnd_pick(devices, COUNT(devices));
	default:
		return rnd_below(env.ram_bytes / PAGE_SIZE) * PAGE_SIZE;
	}
}

static void set_victim(u32 k)
{
	u32 frame = random_frame(k), flags = (rnd() & PTE_FLAGS) | PTE_P;
	if (kind[k] == FRAME_NONE)
		flags &= ~PTE_P;
	if (kind[k] != FRAME_POOL)
		flags &= ~PTE_RW; /* only the pool may be written: the rest is ours or a device's */
	if (!pae) {
		pt32[k] = frame | flags;
		return;
	}
	u64 e = (u64)frame | flags;
	if (rnd_chance(20))
		e |= PAE_NX;
	if (rnd_chance(5))
		e |= PAE_RSVD;
	pae_pt[k] = e;
}

static void build_tables(void)
{
	for (u32 i = 0; i < 1024; i++)
		pd32[i] = i << 22 | PTE_PS | PTE_RW | PTE_P;
	pd32[VICTIM_VA >> 22] = (u32)pt32 | PTE_RW | PTE_P | (rnd() & 0x18); /* PWT/PCD */
	for (u32 i = 0; i < 1024; i++)
		pt32[i] = 0;
	for (u32 d = 0; d < 4; d++) {
		pdpt[d] = (u32)pae_pd[d] | PTE_P;
		for (u32 i = 0; i < 512; i++)
			pae_pd[d][i] = ((u64)d << 30 | (u64)i << 21) | PTE_PS | PTE_RW | PTE_P;
	}
	pae_pd[VICTIM_VA >> 30][0] = (u32)pae_pt | PTE_RW | PTE_P;
	for (u32 i = 0; i < 512; i++)
		pae_pt[i] = 0;
	for (u32 k = 0; k < VICTIMS; k++)
		set_victim(k);
}

/* INS stores to the victim page (not present, read-only with CR0.WP: #PF), OUTS loads from
 * it. Device pages are left out: string I/O to MMIO stops the VM. A read-only page of our own
 * RAM takes stores when CR0.WP is clear, so then only the pool does. */
static void string_io(u32 k, u32 va, u32 n)
{
	bool ins = rnd_chance(50);
	if (kind[k] == FRAME_DEVICE || (ins && kind[k] != FRAME_POOL && !(read_cr0() & CR0_WP)))
		return;
	if (ins)
		__asm__ volatile(TRAP_TRY("rep insb") : "+D"(va), "+c"(n) : "d"(0x61) : "memory");
	else
		__asm__ volatile(TRAP_TRY("rep outsb") : "+S"(va), "+c"(n) : "d"(0x80) : "memory");
}

static void touch(u32 k)
{
	u32 va = VICTIM_VA + k * PAGE_SIZE, off = rnd_below(PAGE_SIZE - 4), v = rnd(), got;
	bool writable = kind[k] == FRAME_POOL;
	switch (rnd_below(6)) {
	case 0:
		__asm__ volatile(TRAP_TRY("movl (%1), %0") : "=r"(got) : "r"(va + off) : "memory");
		break;
	case 1:
		__asm__ volatile(TRAP_TRY("movzbl (%1), %0")
				 : "=r"(got)
				 : "r"(va + off)
				 : "memory");
		break;
	case 2: /* the last bytes of one victim page and the first of the next */
		if (k + 1 < VICTIMS && writable && kind[k + 1] == FRAME_POOL)
			__asm__ volatile(TRAP_TRY("movl %0, (%1)")
					 :
					 : "r"(v), "r"(va + PAGE_SIZE - 2)
					 : "memory");
		else if (kind[k] != FRAME_DEVICE) /* MMIO then RAM is a final operation */
			__asm__ volatile(TRAP_TRY("movl (%1), %0")
					 : "=r"(got)
					 : "r"(va + PAGE_SIZE - 2)
					 : "memory");
		break;
	case 3:
		if (writable)
			__asm__ volatile(TRAP_TRY("movw %w0, (%1)")
					 :
					 : "r"(v), "r"(va + off)
					 : "memory");
		break;
	case 4:
		if (writable) {
			u32 n = rnd_below(64), dst = va + rnd_below(PAGE_SIZE - 256);
			__asm__ volatile(TRAP_TRY("rep stosl")
					 : "+D"(dst), "+c"(n)
					 : "a"(v)
					 : "memory");
		}
		break;
	default: /* string port I/O: mhv walks our page tables and must raise our #PFs */
		string_io(k, va + rnd_below(PAGE_SIZE - 128), rnd_below(32));
		break;
	}
	faulted();
}

/* The test device through the window: the walk of our tables by mhv must find it. */
static void touch_testdev(void)
{
	for (u32 k = 0; k < VICTIMS; k++) {
		u32 e = pae ? (u32)pae_pt[k] : pt32[k];
		bool clean = !pae || !(pae_pt[k] & PAE_RSVD);
		if (kind[k] != FRAME_DEVICE || (e & ~0xfffu) != MHV_TESTDEV_GPA || !(e & PTE_P) ||
		    !clean)
			continue;
		u32 got = 0, va = VICTIM_VA + k * PAGE_SIZE;
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
		__asm__ volatile(TRAP_TRY("movl (%1), %0")
				 : "+r"(got)
				 : "r"(va + MHV_TESTDEV_SCRATCH)
				 : "memory");
		if (!faulted())
			testdev_check(0, 4, got, "read through paging");
		return;
	}
}

void op_paging(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4(), cr3;
	u64 efer = 0;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	rdmsr_safe(MSR_EFER, &efer);
	pae = rnd_chance(40);
	build_tables();
	if (pae && rnd_chance(10))
		pdpt[1] |= PAE_RSVD; /* the window's PDPTE: turning paging on must #GP */
	u32 new_cr4 = (cr4 & ~(CR4_PAE | CR4_PSE_)) | (pae ? CR4_PAE : CR4_PSE_) |
		      (rnd_chance(30) ? CR4_PGE : 0);
	u32 new_cr3 = (pae ? (u32)pdpt : (u32)pd32) | (rnd() & 0x18);
	u32 new_cr0 = cr0 | CR0_PG | (rnd_chance(50) ? CR0_WP : 0);
	trace("%s paging, cr3 0x%x cr4 0x%x", pae ? "PAE" : "32-bit", new_cr3, new_cr4);
	if (pae && rnd_chance(50))
		wrmsr_safe(MSR_EFER, efer | EFER_NXE);
	write_cr4(new_cr4);
	write_cr3(new_cr3);
	__asm__ volatile(TRAP_TRY("mov %0, %%cr0") : : "r"(new_cr0) : "memory");
	if (!faulted()) {
		u32 n = 4 + rnd_below(24);
		for (u32 i = 0; i < n; i++) {
			u32 k = rnd_below(VICTIMS);
			if (rnd_chance(15)) {
				/* A stale translation may be used for reads only: with CR0.WP clear
				 * a write through a stale read-only one would land in our RAM. */
				set_victim(k);
				if (kind[k] == FRAME_POOL || rnd_chance(50))
					__asm__ volatile("invlpg (%0)"
							 :
							 : "r"(VICTIM_VA + k * PAGE_SIZE)
							 : "memory");
			}
			touch(k);
		}
		touch_testdev();
		write_cr0(cr0);
	}
	write_cr3(cr3);
	write_cr4(cr4);
	wrmsr_safe(MSR_EFER, efer);
}
