/* A small encoder for AML, the bytecode of ACPI definition blocks (ACPI 6.3 §20.2), covering
 * what a static DSDT needs: Name, Scope, Device, integers, strings, EISA IDs, packages and
 * resource-template buffers (§6.4 resource descriptors). No methods: every object is data.
 *
 * Output goes into the caller's buffer. Scope, Device, Package and resource templates are
 * opened by their function and closed by aml_end(): only then is the body size known, so
 * aml_end() slides the body up to make room for its PkgLength (1 to 4 bytes, §20.2.4).
 * Errors (out of room, a malformed name or ID, an empty range, unbalanced aml_end) are
 * sticky and reported once, by aml_finish(). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8 /* objects open at once; the DSDT nests 4 deep */

struct aml {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool error;
	unsigned depth;
	struct {
		size_t start; /* offset of the body, where the PkgLength goes */
		uint8_t kind;
	} open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, uint8_t *buf, size_t size);
/* Bytes written, or 0 after any error or while an object is still open. */
size_t aml_finish(const struct aml *a);

/* Name paths: "\" for the root, "^" per parent level, then 1-4 character segments
 * separated by "." ("\_SB.PCI0", "_HID"); short segments are padded with '_'. */

/* Name(path, ...): the object emitted next is its value. */
void aml_name(struct aml *a, const char *path);
void aml_scope(struct aml *a, const char *path);
void aml_device(struct aml *a, const char *path);
/* Package(count) { ... }: the caller emits exactly `count` elements. */
void aml_package(struct aml *a, uint8_t count);
/* Closes the innermost open Scope, Device, Package or resource template. */
void aml_end(struct aml *a);

/* The shortest encoding: Zero, One, or a Byte/Word/DWord/QWord constant. */
void aml_integer(struct aml *a, uint64_t v);
/* A string constant of printable ASCII. */
void aml_string(struct aml *a, const char *s);
/* EISAID("PNP0A03"): three capital letters and four hex digits, compressed into the DWord
 * the ASL macro produces. */
void aml_eisaid(struct aml *a, const char *id);

/* ResourceTemplate() { ... }: a Buffer of resource descriptors; aml_end() adds the end tag. */
void aml_resources(struct aml *a);
/* IO(Decode16, port, port, 1, len). */
void aml_res_io(struct aml *a, uint16_t port, uint8_t len);
/* IRQNoFlags() {irq}: edge, active high, exclusive; irq 0-15. */
void aml_res_irq(struct aml *a, unsigned irq);
/* Windows a bridge decodes for its children (ResourceProducer, MinFixed, MaxFixed,
 * PosDecode, granularity and translation 0), inclusive [min, max]. */
void aml_res_bus_numbers(struct aml *a, uint16_t min, uint16_t max);  /* WordBusNumber */
void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max);    /* WordIO, EntireRange */
void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max); /* DWordMemory, uncached */
