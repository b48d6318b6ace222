/* The hypervisor's screen console: the same lines as the serial console, on the framebuffer
 * GRUB handed over (a UEFI GOP or VBE linear framebuffer, drawn with drivers/font5x7.h, or
 * the VGA text screen). For machines without a serial port. Output only. */
#pragma once
#include "kernel/mb2.h"
#include <stdbool.h>
#include <stddef.h>

#define SCREEN_CELL_W 6	 /* pixels per character cell at scale 1: the glyph, one column gap */
#define SCREEN_CELL_H 10 /* one row above the glyph, two below */
#define SCREEN_GLYPH_Y 1 /* the glyph's first row inside the cell */

/* Maps the framebuffer and clears it; false (nothing changed) if its type or depth is not
 * one this console draws: RGB with 16, 24 or 32 bits per pixel, or EGA text. */
bool screen_init(const struct mb2_framebuffer *fb);
void screen_write(const char *s, size_t n);
/* "1280x800, 32 bpp, 106x40 characters" for the boot log. */
void screen_describe(char *buf, size_t len);
