/* The few libc string functions the guests use; GCC may also emit calls to the mem* ones. */
#pragma once
#include "guests/lib/types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
