/* bios=on, guest RAM: the IVT, BDA, EBDA and interrupt stubs (kernel/bios.h). */
#include "kernel/bios.h"
#include "kernel/loader_priv.h" /* gmem_zero: the tables are the loader's last step */

#define IVT_VECTORS	   256
#define COM1_PORT	   0x3f8
#define EQUIPMENT	   0x0222 /* bit 1 FPU, bits 5:4 = 2 80x25 colour, bits 11:9 = 1 COM */
#define TEXT_MODE	   3
#define TEXT_COLUMNS	   80
#define TEXT_ROWS	   25
#define CRTC_PORT	   0x3d4 /* colour adapter */
#define EBDA_KIB	   ((LOADER_BIOS_EBDA_END - LOADER_BIOS_EBDA_GPA) >> 10)
#define STUB_IRET	   0x00 /* offsets of the stubs in the ROM page */
#define STUB_EOI_MASTER	   0x10
#define STUB_EOI_SLAVE	   0x20
#define ROM_SEGMENT_OFFSET (LOADER_BIOS_ROM_GPA - (BIOS_ROM_SEGMENT << 4))

/* 16-bit code, assembled by hand. */
static const uint8_t stub_iret[] = {0xcf}; /* iret */
static const uint8_t stub_eoi_master[] = {
    0x50,	/* push %ax */
    0xb0, 0x20, /* mov $0x20, %al: OCW2 non-specific EOI */
    0xe6, 0x20, /* out %al, $0x20: master */
    0x58,	/* pop %ax */
    0xcf,	/* iret */
};
static const uint8_t stub_eoi_slave[] = {
    0x50,	/* push %ax */
    0xb0, 0x20, /* mov $0x20, %al: OCW2 non-specific EOI */
    0xe6, 0xa0, /* out %al, $0xa0: slave */
    0xe6, 0x20, /* out %al, $0x20: master, for the cascade input */
    0x58,	/* pop %ax */
    0xcf,	/* iret */
};
_Static_assert(sizeof stub_eoi_master <= STUB_EOI_SLAVE - STUB_EOI_MASTER, "stubs apart");

static bool put16(struct gmem *mem, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	return mem->write(mem->ctx, gpa, b, sizeof b);
}

static bool put8(struct gmem *mem, uint64_t gpa, uint8_t v)
{
	return mem->write(mem->ctx, gpa, &v, 1);
}

static uint16_t vector_stub(unsigned v)
{
	if (v >= BIOS_IRQ0_VECTOR && v < BIOS_IRQ0_VECTOR + 8)
		return STUB_EOI_MASTER;
	if (v >= BIOS_IRQ8_VECTOR && v < BIOS_IRQ8_VECTOR + 8)
		return STUB_EOI_SLAVE;
	return STUB_IRET;
}

static bool write_ivt(struct gmem *mem)
{
	uint8_t ivt[IVT_VECTORS * 4];
	for (unsigned v = 0; v < IVT_VECTORS; v++) {
		uint16_t off = (uint16_t)(ROM_SEGMENT_OFFSET + vector_stub(v));
		ivt[4 * v] = (uint8_t)off;
		ivt[4 * v + 1] = (uint8_t)(off >> 8);
		ivt[4 * v + 2] = (uint8_t)BIOS_ROM_SEGMENT;
		ivt[4 * v + 3] = (uint8_t)(BIOS_ROM_SEGMENT >> 8);
	}
	return mem->write(mem->ctx, LOADER_BIOS_LOW_GPA, ivt, sizeof ivt);
}

bool bios_write_tables(struct gmem *mem)
{
	uint64_t rom = LOADER_BIOS_ROM_GPA;
	return gmem_zero(mem, LOADER_BIOS_LOW_GPA, LOADER_BIOS_LOW_END - LOADER_BIOS_LOW_GPA) &&
	       gmem_zero(mem, LOADER_BIOS_EBDA_GPA, LOADER_BIOS_EBDA_END - LOADER_BIOS_EBDA_GPA) &&
	       gmem_zero(mem, rom, LOADER_BIOS_ROM_END - rom) && write_ivt(mem) &&
	       put16(mem, BIOS_BDA_COM1, COM1_PORT) &&
	       put16(mem, BIOS_BDA_EBDA_SEG, LOADER_BIOS_EBDA_GPA >> 4) &&
	       put16(mem, BIOS_BDA_EQUIPMENT, EQUIPMENT) &&
	       put16(mem, BIOS_BDA_BASE_KIB, LOADER_BIOS_EBDA_GPA >> 10) &&
	       put8(mem, BIOS_BDA_VIDEO_MODE, TEXT_MODE) &&
	       put16(mem, BIOS_BDA_COLUMNS, TEXT_COLUMNS) &&
	       put16(mem, BIOS_BDA_CRTC_PORT, CRTC_PORT) &&
	       put8(mem, BIOS_BDA_LAST_ROW, TEXT_ROWS - 1) &&
	       put8(mem, LOADER_BIOS_EBDA_GPA, EBDA_KIB) &&
	       mem->write(mem->ctx, rom + STUB_IRET, stub_iret, sizeof stub_iret) &&
	       mem->write(mem->ctx, rom + STUB_EOI_MASTER, stub_eoi_master,
			  sizeof stub_eoi_master) &&
	       mem->write(mem->ctx, rom + STUB_EOI_SLAVE, stub_eoi_slave, sizeof stub_eoi_slave);
}
