/* Test helper: decodes the AML subset of a static DSDT (Scope, Device, and Name of an
 * integer, a buffer or a package of integers) into a flat list of named objects, checking
 * on the way that every PkgLength and BufferSize exactly covers its contents. Written from
 * the ACPI 6.3 grammar (§20.2), independently of devices/aml.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_WALK_MAX_OBJS 32
#define AML_WALK_PATH	  40

struct aml_obj {
	char path[AML_WALK_PATH]; /* absolute, full 4-character segments: \_SB_.PCI0._HID */
	char type;		  /* 'D'evice, 'I'nteger, 'B'uffer, 'P'ackage of integers */
	uint64_t value;		  /* integer */
	const uint8_t *data;	  /* buffer bytes */
	size_t len;		  /* buffer bytes, or package elements */
	uint64_t elems[4];	  /* package elements */
};

struct aml_walk {
	struct aml_obj objs[AML_WALK_MAX_OBJS];
	int n; /* in the order the AML declares them */
};

/* False on anything outside the subset or any inconsistent length. */
bool aml_walk(struct aml_walk *w, const uint8_t *aml, size_t len);
/* The object at `path` of `type`, or NULL. */
const struct aml_obj *aml_walk_find(const struct aml_walk *w, const char *path, char type);
