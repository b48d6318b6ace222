/* Reads back the text on mhv's screen console from a screenshot (QEMU's monitor command
 * "screendump" writes a binary PPM): every character cell is matched against the font the
 * console draws with (drivers/font5x7.c), at each scale the console may have picked, and
 * the scale that reads the most characters wins. Prints the screen as text lines.
 *
 *   screen-text FILE.ppm
 *
 * Reading the pixels, not a copy of the text kept elsewhere, is the point: the test then
 * sees what a person at the machine would. */
#include "drivers/font5x7.h"
#include "drivers/screen.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCALE 4
#define LIT	  0x60 /* a pixel whose brightest channel is above this is drawn */

struct image {
	unsigned w, h;
	unsigned char *rgb;
};

static int read_ppm(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	unsigned maxval;
	if (!f || fscanf(f, "P6 %u %u %u", &img->w, &img->h, &maxval) != 3 || maxval != 255 ||
	    fgetc(f) == EOF)
		return -1;
	size_t n = (size_t)img->w * img->h * 3;
	img->rgb = malloc(n);
	if (!img->rgb || fread(img->rgb, 1, n, f) != n)
		return -1;
	fclose(f);
	return 0;
}

static int lit(const struct image *img, unsigned x, unsigned y)
{
	const unsigned char *p = img->rgb + ((size_t)y * img->w + x) * 3;
	return p[0] > LIT || p[1] > LIT || p[2] > LIT;
}

/* The character in the cell at (col, row), ' ' for an empty cell, 0 if no glyph matches. */
static char read_cell(const struct image *img, unsigned scale, unsigned col, unsigned row)
{
	uint8_t rows[FONT_HEIGHT] = {0};
	unsigned x0 = col * SCREEN_CELL_W * scale, y0 = row * SCREEN_CELL_H * scale;
	for (unsigned r = 0; r < FONT_HEIGHT; r++)
		for (unsigned c = 0; c < FONT_WIDTH; c++)
			if (lit(img, x0 + c * scale + scale / 2,
				y0 + (SCREEN_GLYPH_Y + r) * scale + scale / 2))
				rows[r] |= (uint8_t)(1u << (FONT_WIDTH - 1 - c));
	for (unsigned g = 0; g <= FONT_LAST - FONT_FIRST; g++)
		if (!memcmp(rows, font5x7[g], FONT_HEIGHT))
			return (char)(FONT_FIRST + g);
	return 0;
}

static unsigned read_screen(const struct image *img, unsigned scale, FILE *out)
{
	unsigned cols = img->w / (SCREEN_CELL_W * scale), rows = img->h / (SCREEN_CELL_H * scale);
	unsigned known = 0;
	char line[1024];
	for (unsigned r = 0; r < rows; r++) {
		unsigned n = 0;
		for (unsigned c = 0; c < cols && n < sizeof line - 1; c++) {
			char ch = read_cell(img, scale, c, r);
			known += ch && ch != ' ';
			line[n++] = ch ? ch : '?';
		}
		while (n && line[n - 1] == ' ')
			n--;
		line[n] = 0;
		if (out)
			fprintf(out, "%s\n", line);
	}
	return known;
}

int main(int argc, char **argv)
{
	struct image img;
	if (argc != 2 || read_ppm(argv[1], &img)) {
		fprintf(stderr, "usage: screen-text FILE.ppm (a binary PPM, maxval 255)\n");
		return 2;
	}
	unsigned best = 1, best_known = 0;
	for (unsigned s = 1; s <= MAX_SCALE; s++) {
		unsigned k = read_screen(&img, s, NULL);
		if (k > best_known) {
			best = s;
			best_known = k;
		}
	}
	read_screen(&img, best, stdout);
	free(img.rgb);
	return 0;
}
