/* bios=on: the state a PC BIOS leaves behind when it jumps to a boot loader, for Multiboot
 * and flat (real-mode) images that expect one (addresses in kernel/loader.h).
 *
 * Guest RAM:
 *   IVT   all 256 real-mode vectors point into the stub page at segment 0xf000: vectors
 *         0x08-0x0f (IRQ 0-7) to "non-specific EOI to the master PIC, IRET", 0x70-0x77
 *         (IRQ 8-15) to "EOI to the slave, then the master, IRET", every other one to a
 *         bare IRET. So a real-mode guest may enable interrupts without handlers of its
 *         own, and may chain to the stub from one.
 *   BDA   COM1 at 0x3f8 (no COM2-4, no LPT), the EBDA segment 0x9fc0, equipment word
 *         0x0222 (FPU, 80x25 colour, one serial port), 639 KiB of base memory, text mode 3
 *         (80x25, CRTC at 0x3d4). Everything else is zero (tick count, keyboard flags).
 *   EBDA  1 KiB at 0x9fc00, zero but its size byte (1); the memory maps report it, with
 *         the 640 KiB-1 MiB hole, as reserved.
 * Devices:
 *   PIC   both chips initialised (ICW1-ICW4: edge, cascade on IR2, 8086 mode) to vector
 *         bases 0x08 and 0x70; IRQ 0, 1 and 2 unmasked, every slave input masked.
 *   PIT   channel 0 in mode 3 with count 0 (65536): IRQ 0 at 18.2 Hz. */
#pragma once
#include "devices/pic.h"
#include "devices/pit.h"
#include "kernel/loader.h"

#define BIOS_ROM_SEGMENT    0xf000
#define BIOS_IRQ0_VECTOR    0x08  /* the master PIC's base: IRQ 0-7 */
#define BIOS_IRQ8_VECTOR    0x70  /* the slave PIC's base: IRQ 8-15 */
#define BIOS_BDA_COM1	    0x400 /* word: I/O base of the first serial port */
#define BIOS_BDA_EBDA_SEG   0x40e /* word: segment of the EBDA */
#define BIOS_BDA_EQUIPMENT  0x410 /* word: INT 11h equipment list */
#define BIOS_BDA_BASE_KIB   0x413 /* word: KiB of base memory (INT 12h) */
#define BIOS_BDA_VIDEO_MODE 0x449 /* byte */
#define BIOS_BDA_COLUMNS    0x44a /* word: text columns */
#define BIOS_BDA_CRTC_PORT  0x463 /* word: CRT controller index port */
#define BIOS_BDA_LAST_ROW   0x484 /* byte: text rows - 1 */

/* Writes the IVT, BDA, EBDA and the interrupt stubs; false if guest RAM cannot take them. */
bool bios_write_tables(struct gmem *mem);
/* Programs the PIC and the PIT through their ports, as POST code does. */
void bios_program_devices(struct pic_pair *pic, struct pit *pit);
