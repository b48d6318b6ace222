#include "kernel/kstring.h"
#include <stdint.h>

/* REP MOVS/STOS: the CPU's fast-string path (and Bochs's) beats a byte loop by far on the
 * big copies and clears of guest RAM. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	q = n % 8;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8;
	uint64_t pattern = 0x0101010101010101ull * (uint8_t)c;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	q = n % 8;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;
	for (; n; n--, p++)
		if (*p == (uint8_t)c)
			return (void *)p;
	return 0;
}
