/* A 5x7 dot-matrix font for the printable ASCII characters, drawn for mhv's screen console
 * (drivers/screen.c) and read back by its boot test (tests/boot/screen_text.c). */
#pragma once
#include <stdint.h>

#define FONT_WIDTH  5
#define FONT_HEIGHT 7
#define FONT_FIRST  0x20 /* space */
#define FONT_LAST   0x7e /* tilde */

/* Row r of character c (FONT_FIRST..FONT_LAST) is font5x7[c - FONT_FIRST][r]; bit 4 is the
 * leftmost dot. Every glyph differs from every other, so the screen can be read back. */
extern const uint8_t font5x7[FONT_LAST - FONT_FIRST + 1][FONT_HEIGHT];
