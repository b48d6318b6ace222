/* Reading the firmware's ACPI tables (ACPI 6.5 section 5.2.6, the system description table
 * header): little-endian fields at any alignment, the checksum rule (every byte of a table,
 * checksum included, adds up to 0 mod 256), and one table checked whole through a
 * physical-memory reader. Shared by the host table walker (drivers/acpi_host.c) and the MADT
 * parser (drivers/acpi_madt.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDT_HEADER_LEN 36	  /* signature, length, revision, checksum, OEM fields */
#define SDT_LENGTH     4	  /* u32 */
#define SDT_MAX_LEN    (1u << 20) /* real tables are a few KiB; a DSDT up to some 100 KiB */

/* Copies n bytes at physical address pa; false if that memory cannot be read. */
typedef bool (*phys_read_fn)(void *ctx, uint64_t pa, void *dst, size_t n);

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

/* The length of the table at `pa`, after checking its signature (`sig`, or any when NULL)
 * and its checksum by streaming it a chunk at a time (no buffer bounds a table's size); 0 if
 * it is unreadable or corrupt. */
uint32_t acpi_table_length(uint64_t pa, const char *sig, phys_read_fn read, void *ctx);
