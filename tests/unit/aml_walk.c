#include "tests/unit/aml_walk.h"
#include <string.h>

/* PkgLength at *p: steps over it and returns the end of its package, or NULL. */
static const uint8_t *pkg_end(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *start = *p;
	unsigned follow = *start >> 6;
	size_t len = *start & (follow ? 0x0f : 0x3f);
	if (start + 1 + follow > end)
		return NULL;
	for (unsigned i = 1; i <= follow; i++)
		len |= (size_t)start[i] << (4 + 8 * (i - 1));
	*p = start + 1 + follow;
	return len > follow && start + len <= end ? start + len : NULL;
}

/* NameString at *p (root prefix, dual/multi name prefixes), resolved against `scope`. */
static bool name_path(const uint8_t **p, const uint8_t *end, const char *scope, char *out)
{
	const uint8_t *q = *p;
	strcpy(out, scope);
	if (q < end && *q == '\\') {
		strcpy(out, "\\");
		q++;
	}
	unsigned segs = 1;
	if (q < end && *q == 0x2e) {
		segs = 2;
		q++;
	} else if (q + 1 < end && *q == 0x2f) {
		segs = q[1];
		q += 2;
	}
	if (q + 4 * segs > end || strlen(out) + 5 * segs >= AML_WALK_PATH)
		return false;
	for (unsigned i = 0; i < segs; i++, q += 4) {
		if (strcmp(out, "\\") != 0)
			strcat(out, ".");
		strncat(out, (const char *)q, 4);
	}
	*p = q;
	return true;
}

static bool integer(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned width;
	switch (**p) {
	case 0x00: /* Zero */
	case 0x01: /* One */
		*v = **p;
		(*p)++;
		return true;
	case 0x0a:
		width = 1;
		break;
	case 0x0b:
		width = 2;
		break;
	case 0x0c:
		width = 4;
		break;
	case 0x0e:
		width = 8;
		break;
	default:
		return false;
	}
	if (*p + 1 + width > end)
		return false;
	*v = 0;
	for (unsigned i = 0; i < width; i++)
		*v |= (uint64_t)(*p)[1 + i] << (8 * i);
	*p += 1 + width;
	return true;
}

static bool data_object(const uint8_t **p, const uint8_t *end, struct aml_obj *o)
{
	const uint8_t *q = *p + 1, *obj_end;
	uint64_t size;
	switch (**p) {
	case 0x11: /* Buffer: PkgLength BufferSize ByteList, the size filling the package */
		obj_end = pkg_end(&q, end);
		if (!obj_end || !integer(&q, obj_end, &size) || size != (size_t)(obj_end - q))
			return false;
		o->type = 'B';
		o->data = q;
		o->len = size;
		break;
	case 0x12: /* Package: PkgLength NumElements elements */
		obj_end = pkg_end(&q, end);
		if (!obj_end || q >= obj_end || *q > 4)
			return false;
		o->type = 'P';
		o->len = *q++;
		for (size_t i = 0; i < o->len; i++)
			if (!integer(&q, obj_end, &o->elems[i]))
				return false;
		if (q != obj_end)
			return false;
		break;
	default:
		o->type = 'I';
		return integer(p, end, &o->value);
	}
	*p = obj_end;
	return true;
}

static bool term_list(struct aml_walk *w, const uint8_t *p, const uint8_t *end, const char *scope)
{
	while (p < end) {
		if (w->n == AML_WALK_MAX_OBJS)
			return false;
		struct aml_obj *o = &w->objs[w->n];
		memset(o, 0, sizeof *o);
		if (p[0] == 0x08) { /* Name */
			p++;
			if (!name_path(&p, end, scope, o->path) || !data_object(&p, end, o))
				return false;
			w->n++;
			continue;
		}
		bool device = p[0] == 0x5b && p + 1 < end && p[1] == 0x82;
		if (!device && p[0] != 0x10) /* neither Device nor Scope */
			return false;
		p += device ? 2 : 1;
		char path[AML_WALK_PATH];
		const uint8_t *body_end = pkg_end(&p, end);
		if (!body_end || !name_path(&p, body_end, scope, path))
			return false;
		if (device) {
			strcpy(o->path, path);
			o->type = 'D';
			w->n++;
		}
		if (!term_list(w, p, body_end, path))
			return false;
		p = body_end;
	}
	return true;
}

bool aml_walk(struct aml_walk *w, const uint8_t *aml, size_t len)
{
	w->n = 0;
	return term_list(w, aml, aml + len, "\\");
}

const struct aml_obj *aml_walk_find(const struct aml_walk *w, const char *path, char type)
{
	for (int i = 0; i < w->n; i++)
		if (strcmp(w->objs[i].path, path) == 0 && w->objs[i].type == type)
			return &w->objs[i];
	return NULL;
}
