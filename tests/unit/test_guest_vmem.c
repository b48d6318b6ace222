/* Emulated accesses by linear address: translation with the guest's protections, and
 * accesses that straddle RAM, device regions and holes split the way the hardware splits
 * them. Page tables are built by hand in a fake guest RAM; devices log every access. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/guest_vmem.h"

#define RAM_SIZE (256u << 10)

#define P  (1ull << 0)
#define RW (1ull << 1)
#define US (1ull << 2)
#define A  (1ull << 5)
#define D  (1ull << 6)

#define PML4 0x1000
#define PDPT 0x2000
#define PD   0x3000
#define PT   0x4000
#define LIN  0x400000ull /* linear pages below are PT entries 0, 1, 2... */
#define PAGE 0x1000ull

#define DEV_A	       0xfeb00000ull /* two adjacent one-page device regions */
#define DEV_B	       0xfeb01000ull
#define DEV_SMALL      0xfec00000ull /* 32 bytes, then nothing in the rest of its page */
#define DEV_SMALL_SIZE 0x20
#define DEV_TOP	       0xfffff000ull /* the last page below 4 GiB */

static uint8_t ram[RAM_SIZE];

struct device {
	uint64_t base, size;
	uint8_t bytes[0x1000];
};

static struct device devices[] = {
    {.base = DEV_A, .size = 0x1000},
    {.base = DEV_B, .size = 0x1000},
    {.base = DEV_SMALL, .size = DEV_SMALL_SIZE},
    {.base = DEV_TOP, .size = 0x1000},
};
#define NDEVICES (sizeof devices / sizeof devices[0])

#define LOG_MAX 16
static struct mmio_access log_[LOG_MAX];
static unsigned nlog;

static void *fake_ram(void *ctx, uint64_t gpa)
{
	return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static struct device *device_at(uint64_t gpa)
{
	for (unsigned i = 0; i < NDEVICES; i++)
		if (gpa >= devices[i].base && gpa - devices[i].base < devices[i].size)
			return &devices[i];
	return NULL;
}

static uint64_t fake_span(void *ctx, uint64_t gpa)
{
	struct device *d = device_at(gpa);
	return d ? d->base + d->size - gpa : 0;
}

static void fake_mmio(void *ctx, struct mmio_access *a)
{
	struct device *d = device_at(a->gpa);
	CHECK(d && a->gpa + a->size <= d->base + d->size);
	CHECK(a->size == 1 || a->size == 2 || a->size == 4 || a->size == 8);
	if (!d)
		return;
	uint8_t *p = d->bytes + (a->gpa - d->base);
	if (a->write) {
		for (unsigned i = 0; i < a->size; i++)
			p[i] = (uint8_t)(a->value >> (8 * i));
	} else {
		a->value = 0;
		for (unsigned i = 0; i < a->size; i++)
			a->value |= (uint64_t)p[i] << (8 * i);
	}
	if (nlog < LOG_MAX)
		log_[nlog++] = *a;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, sizeof v);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, ram + gpa, sizeof v);
	return v;
}

static void map(unsigned page, uint64_t gpa, uint64_t flags)
{
	put64(PT + 8 * page, gpa | flags);
}

/* Linear pages (LIN + n * PAGE), 4-level paging:
 *   0 RAM 0x10000, 1 device A, 2 device B, 3 RAM 0x11000, 4 not present,
 *   5 read-only RAM 0x12000, 6 nothing (0xfed00000), 7 the small device's page,
 *   8 device A again, 9 RAM 0x13000 (device then RAM), 10 supervisor-only RAM 0x14000 */
static struct guest_vmem setup(void)
{
	memset(ram, 0, sizeof ram);
	for (unsigned i = 0; i < NDEVICES; i++)
		memset(devices[i].bytes, 0, sizeof devices[i].bytes);
	nlog = 0;
	put64(PML4, PDPT | P | RW | US);
	put64(PDPT, PD | P | RW | US);
	put64(PD + 8 * (LIN >> 21), PT | P | RW | US);
	map(0, 0x10000, P | RW | US);
	map(1, DEV_A, P | RW | US);
	map(2, DEV_B, P | RW | US);
	map(3, 0x11000, P | RW | US);
	map(5, 0x12000, P | US);
	map(6, 0xfed00000, P | RW | US);
	map(7, DEV_SMALL, P | RW | US);
	map(8, DEV_A, P | RW | US);
	map(9, 0x13000, P | RW | US);
	map(10, 0x14000, P | RW);
	return (struct guest_vmem){
	    .paging = {.cr0 = CR0_PE | CR0_PG | CR0_WP,
		       .cr3 = PML4,
		       .cr4 = CR4_PAE,
		       .efer = EFER_LME | EFER_LMA},
	    .addr64 = true,
	    .cpu = 3,
	    .phys = {.ram = fake_ram, .mmio_span = fake_span, .mmio = fake_mmio},
	};
}

static void check_log(unsigned i, uint64_t gpa, unsigned size, bool write)
{
	CHECK(i < nlog);
	if (i >= nlog)
		return;
	CHECK_EQ(log_[i].gpa, gpa);
	CHECK_EQ(log_[i].size, size);
	CHECK_EQ(log_[i].write, write);
	CHECK_EQ(log_[i].cpu, 3);
}

TEST(read_straddling_ram_then_device)
{
	struct guest_vmem m = setup();
	ram[0x10ffe] = 0xaa;
	ram[0x10fff] = 0xbb;
	devices[0].bytes[0] = 0x11;
	devices[0].bytes[1] = 0x22;
	devices[0].bytes[2] = 0x33;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + 0xffe, 4, 0, &v), MEM_OK);
	CHECK_EQ(v, 0x2211bbaa);
	CHECK_EQ(nlog, 1);
	check_log(0, DEV_A, 2, false);
}

TEST(write_straddling_ram_then_device)
{
	struct guest_vmem m = setup();
	const uint64_t src = 0xddccbbaa;
	CHECK_EQ(guest_vmem_write(&m, LIN + 0xffe, 4, 0, src), MEM_OK);
	CHECK_EQ(ram[0x10ffe], 0xaa);
	CHECK_EQ(ram[0x10fff], 0xbb);
	CHECK_EQ(nlog, 1);
	check_log(0, DEV_A, 2, true);
	CHECK_EQ(log_[0].value, 0xddcc);
	CHECK_EQ(devices[0].bytes[2], 0);
}

/* 3 RAM bytes and 5 device bytes: the device sees 4 bytes at 0, then 1 at 4. */
TEST(device_part_split_into_natural_pieces)
{
	struct guest_vmem m = setup();
	for (unsigned i = 0; i < 5; i++)
		devices[0].bytes[i] = (uint8_t)(0x10 + i);
	ram[0x10ffd] = 1, ram[0x10ffe] = 2, ram[0x10fff] = 3;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + 0xffd, 8, 0, &v), MEM_OK);
	CHECK_EQ(v, 0x1413121110030201ull);
	CHECK_EQ(nlog, 2);
	check_log(0, DEV_A, 4, false);
	check_log(1, DEV_A + 4, 1, false);
}

/* Device bytes 0xffd..0xfff, then RAM: pieces of 1 and 2 bytes, each aligned. */
TEST(write_straddling_device_then_ram)
{
	struct guest_vmem m = setup();
	const uint64_t src = 0x0504030201;
	CHECK_EQ(guest_vmem_write(&m, LIN + 8 * PAGE + 0xffd, 5, 0, src), MEM_OK);
	CHECK_EQ(nlog, 2);
	check_log(0, DEV_A + 0xffd, 1, true);
	CHECK_EQ(log_[0].value, 1);
	check_log(1, DEV_A + 0xffe, 2, true);
	CHECK_EQ(log_[1].value, 0x0302);
	CHECK_EQ(ram[0x13000], 4);
	CHECK_EQ(ram[0x13001], 5);
}

TEST(read_straddling_two_device_regions)
{
	struct guest_vmem m = setup();
	devices[0].bytes[0xffe] = 0xa1;
	devices[0].bytes[0xfff] = 0xa2;
	devices[1].bytes[0] = 0xb1;
	devices[1].bytes[1] = 0xb2;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + PAGE + 0xffe, 4, 0, &v), MEM_OK);
	CHECK_EQ(v, 0xb2b1a2a1);
	CHECK_EQ(nlog, 2);
	check_log(0, DEV_A + 0xffe, 2, false);
	check_log(1, DEV_B, 2, false);
}

/* An access wholly inside one region reaches the device as the instruction made it. */
TEST(access_inside_one_region_stays_whole)
{
	struct guest_vmem m = setup();
	const uint64_t src = 0x04030201;
	CHECK_EQ(guest_vmem_write(&m, LIN + PAGE + 1, 4, 0, src), MEM_OK);
	CHECK_EQ(nlog, 1);
	check_log(0, DEV_A + 1, 4, true);
	CHECK_EQ(log_[0].value, 0x04030201);
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + PAGE + 8, 8, 0, &v), MEM_OK);
	check_log(1, DEV_A + 8, 8, false);
}

/* A region that ends inside its page: the device gets its bytes, the rest is nothing. */
TEST(hole_after_a_small_region_is_unhandled)
{
	struct guest_vmem m = setup();
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + 7 * PAGE + DEV_SMALL_SIZE - 2, 4, 0, &v), MEM_UNHANDLED);
	CHECK_EQ(m.unhandled_gpa, DEV_SMALL + DEV_SMALL_SIZE);
	CHECK_EQ(guest_vmem_read(&m, LIN + 6 * PAGE, 1, 0, &v), MEM_UNHANDLED);
	CHECK_EQ(m.unhandled_gpa, 0xfed00000);
}

/* Every page is translated before any byte moves. */
TEST(fault_in_second_page_moves_nothing)
{
	struct guest_vmem m = setup();
	const uint64_t src = 0x04030201;
	CHECK_EQ(guest_vmem_write(&m, LIN + 3 * PAGE + 0xffe, 4, 0, src), MEM_FAULT);
	CHECK_EQ(m.fault.vector, VEC_PF);
	CHECK_EQ(m.fault.error, PF_ERROR_W);
	CHECK_EQ(m.fault.cr2, LIN + 4 * PAGE);
	CHECK_EQ(ram[0x11ffe], 0);
	/* device first, then a not-present page: the device sees nothing */
	map(2, 0, 0);
	CHECK_EQ(guest_vmem_write(&m, LIN + PAGE + 0xffe, 4, 0, src), MEM_FAULT);
	CHECK_EQ(m.fault.cr2, LIN + 2 * PAGE);
	CHECK_EQ(nlog, 0);
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + PAGE + 0xffe, 4, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.error, 0);
	CHECK_EQ(nlog, 0);
}

TEST(protection_faults_carry_the_error_code)
{
	struct guest_vmem m = setup();
	const uint64_t src = 0x0201;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN + 5 * PAGE, 2, 0, &v), MEM_OK);
	CHECK_EQ(guest_vmem_write(&m, LIN + 5 * PAGE, 2, 0, src), MEM_FAULT);
	CHECK_EQ(m.fault.error, PF_ERROR_P | PF_ERROR_W);
	CHECK_EQ(m.fault.cr2, LIN + 5 * PAGE);
	/* a read-modify-write read checks as a write */
	CHECK_EQ(guest_vmem_read(&m, LIN + 5 * PAGE + 4, 2, ACCESS_WRITE, &v), MEM_FAULT);
	CHECK_EQ(m.fault.error, PF_ERROR_P | PF_ERROR_W);
	CHECK_EQ(m.fault.cr2, LIN + 5 * PAGE + 4);
	m.mode_access = ACCESS_USER;
	CHECK_EQ(guest_vmem_read(&m, LIN + 10 * PAGE, 2, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.error, PF_ERROR_P | PF_ERROR_U);
	CHECK_EQ(guest_vmem_write(&m, LIN + 10 * PAGE, 2, 0, src), MEM_FAULT);
	CHECK_EQ(m.fault.error, PF_ERROR_P | PF_ERROR_W | PF_ERROR_U);
	CHECK_EQ(guest_vmem_write(&m, LIN, 2, 0, src), MEM_OK);
}

TEST(smap_through_mode_access)
{
	struct guest_vmem m = setup();
	m.paging.cr4 |= CR4_SMAP;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN, 2, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.error, PF_ERROR_P);
	CHECK_EQ(guest_vmem_read(&m, LIN + 10 * PAGE, 2, 0, &v), MEM_OK);
	m.mode_access = ACCESS_AC;
	CHECK_EQ(guest_vmem_read(&m, LIN, 2, 0, &v), MEM_OK);
}

TEST(accessed_and_dirty_set_through_guest_ram)
{
	struct guest_vmem m = setup();
	uint64_t v = 7;
	CHECK_EQ(guest_vmem_read(&m, LIN, 1, 0, &v), MEM_OK);
	CHECK_EQ(get64(PT) & (A | D), A);
	CHECK_EQ(get64(PML4) & A, A);
	CHECK_EQ(guest_vmem_write(&m, LIN, 1, 0, v), MEM_OK);
	CHECK_EQ(get64(PT) & (A | D), A | D);
}

TEST(check_translates_without_touching_anything)
{
	struct guest_vmem m = setup();
	CHECK_EQ(guest_vmem_check(&m, LIN + PAGE, 4, ACCESS_WRITE), MEM_OK);
	CHECK_EQ(nlog, 0);
	CHECK_EQ(guest_vmem_check(&m, LIN + 3 * PAGE + 0xffc, 8, ACCESS_WRITE), MEM_FAULT);
	CHECK_EQ(m.fault.cr2, LIN + 4 * PAGE);
	CHECK_EQ(guest_vmem_check(&m, LIN + 5 * PAGE, 1, ACCESS_WRITE), MEM_FAULT);
	CHECK_EQ(guest_vmem_check(&m, LIN + 5 * PAGE, 1, 0), MEM_OK);
}

TEST(non_canonical_addresses_fault_gp_or_ss)
{
	struct guest_vmem m = setup();
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, 0x0000800000000000ull, 1, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.vector, VEC_GP);
	CHECK_EQ(m.fault.error, 0);
	CHECK_EQ(guest_vmem_read(&m, 0x00007ffffffffffcull, 8, MEM_STACK, &v), MEM_FAULT);
	CHECK_EQ(m.fault.vector, VEC_SS);
	CHECK_EQ(guest_vmem_read(&m, 0xffff800000000000ull, 1, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.vector, VEC_PF); /* canonical, just not mapped */
	m.paging.cr4 |= CR4_LA57;
	m.paging.cr3 = 0x8000; /* a PML5 whose entry 0 leads to the usual tables */
	put64(0x8000, PML4 | P | RW | US);
	CHECK_EQ(guest_vmem_read(&m, 0x0000800000000000ull, 1, 0, &v), MEM_FAULT);
	CHECK_EQ(m.fault.vector, VEC_PF);
	CHECK_EQ(guest_vmem_read(&m, LIN, 1, 0, &v), MEM_OK);
}

/* Outside 64-bit mode linear addresses are 32 bits and wrap from 4 GiB - 1 to 0. */
TEST(legacy_addresses_wrap_at_4g)
{
	struct guest_vmem m = setup();
	m.paging = (struct guest_paging){.cr0 = CR0_PE};
	m.addr64 = false;
	devices[3].bytes[0xffe] = 0xd1;
	devices[3].bytes[0xfff] = 0xd2;
	ram[0] = 0x51;
	ram[1] = 0x52;
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, 0xfffffffe, 4, 0, &v), MEM_OK);
	CHECK_EQ(v, 0x5251d2d1);
	CHECK_EQ(guest_vmem_read(&m, 0x100000000ull, 2, 0, &v), MEM_OK);
	CHECK_EQ(v, 0x5251);
}

TEST(oversized_access_refused)
{
	struct guest_vmem m = setup();
	uint64_t v;
	CHECK_EQ(guest_vmem_read(&m, LIN, MEM_MAX_ACCESS + 1, 0, &v), MEM_UNHANDLED);
	CHECK_EQ(guest_vmem_read(&m, LIN, 0, 0, &v), MEM_UNHANDLED);
}

CHECK_MAIN("guest_vmem", CASE(read_straddling_ram_then_device),
	   CASE(write_straddling_ram_then_device), CASE(device_part_split_into_natural_pieces),
	   CASE(write_straddling_device_then_ram), CASE(read_straddling_two_device_regions),
	   CASE(access_inside_one_region_stays_whole), CASE(hole_after_a_small_region_is_unhandled),
	   CASE(fault_in_second_page_moves_nothing), CASE(protection_faults_carry_the_error_code),
	   CASE(smap_through_mode_access), CASE(accessed_and_dirty_set_through_guest_ram),
	   CASE(check_translates_without_touching_anything),
	   CASE(non_canonical_addresses_fault_gp_or_ss), CASE(legacy_addresses_wrap_at_4g),
	   CASE(oversized_access_refused))
