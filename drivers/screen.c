/* Text is kept in a shadow buffer and drawn cell by cell; the framebuffer is never read
 * (reads of device memory are slow, uncached). When the text reaches the bottom, a pixel
 * screen moves up by half its height at once and is redrawn from the shadow: scrolling a
 * few megabytes for every line would make logging the slowest thing the hypervisor does. */
#include "drivers/screen.h"
#include "drivers/font5x7.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/mem.h"

#define MAX_COLS     320
#define MAX_ROWS     160
#define EGA_ATTR     0x0700 /* light grey on black */
#define FG_LEVEL     0xc0   /* light grey: each of R, G and B at this intensity */
#define TARGET_WIDTH 800    /* the scale makes the screen about this many pixels wide */

static char text[MAX_ROWS][MAX_COLS];

static struct {
	volatile uint8_t *base;
	uint32_t pitch;
	unsigned bytes_pp, scale, cols, rows, width, height;
	bool ega;
	uint32_t fg;
} scr;
static unsigned cur_row, cur_col;

static uint32_t channel(unsigned level, unsigned pos, unsigned size)
{
	return size ? (uint32_t)(level >> (8 - (size > 8 ? 8 : size))) << pos : 0;
}

static void put_pixel(volatile uint8_t *p, uint32_t v)
{
	switch (scr.bytes_pp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static const uint8_t *glyph(char c)
{
	unsigned char u = (unsigned char)c;
	return font5x7[(u >= FONT_FIRST && u <= FONT_LAST ? u : '?') - FONT_FIRST];
}

static void draw_cell(unsigned row, unsigned col)
{
	char c = text[row][col];
	if (scr.ega) {
		((volatile uint16_t *)scr.base)[row * scr.cols + col] =
		    (uint16_t)(EGA_ATTR | (unsigned char)c);
		return;
	}
	const uint8_t *g = glyph(c);
	unsigned s = scr.scale;
	for (unsigned y = 0; y < SCREEN_CELL_H * s; y++) {
		unsigned gy = y / s;
		uint8_t bits = gy >= SCREEN_GLYPH_Y && gy < SCREEN_GLYPH_Y + FONT_HEIGHT
				   ? g[gy - SCREEN_GLYPH_Y]
				   : 0;
		volatile uint8_t *p = scr.base + (uint64_t)(row * SCREEN_CELL_H * s + y) * scr.pitch +
				      (uint64_t)col * SCREEN_CELL_W * s * scr.bytes_pp;
		for (unsigned x = 0; x < SCREEN_CELL_W * s; x++, p += scr.bytes_pp) {
			unsigned gx = x / s;
			bool on = gx < FONT_WIDTH && (bits >> (FONT_WIDTH - 1 - gx)) & 1;
			put_pixel(p, on ? scr.fg : 0);
		}
	}
}

static void redraw(void)
{
	for (unsigned r = 0; r < scr.rows; r++)
		for (unsigned c = 0; c < scr.cols; c++)
			draw_cell(r, c);
}

static void scroll(void)
{
	unsigned by = scr.ega ? 1 : scr.rows / 2;
	memmove(text[0], text[by], (size_t)(scr.rows - by) * MAX_COLS);
	memset(text[scr.rows - by], ' ', (size_t)by * MAX_COLS);
	cur_row -= by;
	redraw();
}

static void newline(void)
{
	cur_col = 0;
	if (++cur_row == scr.rows)
		scroll();
}

bool screen_init(const struct mb2_framebuffer *fb)
{
	bool ega = fb->type == MB2_FB_EGA_TEXT;
	bool rgb = fb->type == MB2_FB_RGB && (fb->bpp == 16 || fb->bpp == 24 || fb->bpp == 32);
	if ((!ega && !rgb) || !fb->addr || !fb->width || !fb->height)
		return false;
	unsigned scale = fb->width / TARGET_WIDTH ? fb->width / TARGET_WIDTH : 1;
	unsigned cols = ega ? fb->width : fb->width / (SCREEN_CELL_W * scale);
	unsigned rows = ega ? fb->height : fb->height / (SCREEN_CELL_H * scale);
	if (cols < 2 || rows < 2)
		return false;
	uint64_t bytes = (uint64_t)fb->pitch * fb->height;
	if (ega) {
		bytes = (uint64_t)cols * rows * 2;
		mem_map_uncached(fb->addr, bytes);
	} else {
		mem_map_wc(fb->addr, bytes);
	}
	scr.base = phys_to_virt(fb->addr);
	scr.pitch = fb->pitch;
	scr.bytes_pp = (fb->bpp + 7) / 8;
	scr.scale = scale;
	scr.cols = cols < MAX_COLS ? cols : MAX_COLS;
	scr.rows = rows < MAX_ROWS ? rows : MAX_ROWS;
	scr.width = fb->width;
	scr.height = fb->height;
	scr.ega = ega;
	scr.fg = channel(FG_LEVEL, fb->red_pos, fb->red_size) |
		 channel(FG_LEVEL, fb->green_pos, fb->green_size) |
		 channel(FG_LEVEL, fb->blue_pos, fb->blue_size);
	memset(text, ' ', sizeof text);
	cur_row = cur_col = 0;
	redraw();
	return true;
}

void screen_write(const char *s, size_t n)
{
	if (!scr.base)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			newline();
			continue;
		}
		if (c == '\r')
			continue;
		if (cur_col == scr.cols)
			newline();
		text[cur_row][cur_col] = c == '\t' ? ' ' : c;
		draw_cell(cur_row, cur_col++);
	}
}

void screen_describe(char *buf, size_t len)
{
	if (scr.ega)
		fmt_snprintf(buf, len, "VGA text, %ux%u characters", scr.cols, scr.rows);
	else
		fmt_snprintf(buf, len, "%ux%u, %u bpp, %ux%u characters", scr.width, scr.height,
			     scr.bytes_pp * 8, scr.cols, scr.rows);
}
