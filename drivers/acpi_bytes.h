/* Reading the firmware's ACPI tables: little-endian fields at any alignment, and the table
 * checksum rule (every byte of the table, checksum included, adds up to 0 mod 256). Shared
 * by the host table walker (drivers/acpi_host.c) and the MADT parser (drivers/acpi_madt.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static inline bool acpi_checksum_ok(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}
