/* Memory and console for host unit tests: a 2 MiB-aligned arena posing as physical memory
 * at SHIM_PHYS_BASE, a first-fit bitmap of its frames, and a log captured in a buffer. */
#include "tests/unit/shim.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFRAMES (SHIM_ARENA_SIZE / PAGE_SIZE)

static uint8_t *arena;
static uint8_t used[NFRAMES];
static uint64_t in_use;
static long fail_after = -1;
static char logbuf[1 << 16];
static size_t loglen;

static void arena_init(void)
{
	if (!arena) {
		arena = aligned_alloc(LARGE_PAGE_SIZE, SHIM_ARENA_SIZE);
		assert(arena);
	}
}

void *phys_to_virt(uint64_t pa)
{
	arena_init();
	assert(pa >= SHIM_PHYS_BASE && pa < SHIM_PHYS_BASE + SHIM_ARENA_SIZE);
	return arena + (pa - SHIM_PHYS_BASE);
}

uint64_t virt_to_phys(const void *va)
{
	const uint8_t *p = va;
	assert(arena && p >= arena && p < arena + SHIM_ARENA_SIZE);
	return SHIM_PHYS_BASE + (uint64_t)(p - arena);
}

uint64_t frame_alloc_contig(uint64_t npages, uint64_t align_pages)
{
	arena_init();
	if (fail_after == 0)
		return FRAME_NONE;
	if (fail_after > 0)
		fail_after--;
	if (align_pages == 0)
		align_pages = 1;
	for (uint64_t i = 0; i + npages <= NFRAMES; i += align_pages) {
		uint64_t j = 0;
		while (j < npages && !used[i + j])
			j++;
		if (j < npages)
			continue;
		memset(used + i, 1, npages);
		in_use += npages;
		memset(arena + i * PAGE_SIZE, 0, npages * PAGE_SIZE);
		return SHIM_PHYS_BASE + i * PAGE_SIZE;
	}
	return FRAME_NONE;
}

uint64_t frame_alloc(void)
{
	return frame_alloc_contig(1, 1);
}

void frame_free(uint64_t pa, uint64_t npages)
{
	uint64_t first = (pa - SHIM_PHYS_BASE) / PAGE_SIZE;
	for (uint64_t i = first; i < first + npages; i++) {
		assert(i < NFRAMES && used[i]);
		used[i] = 0;
	}
	in_use -= npages;
}

uint64_t frame_free_count(void)
{
	return NFRAMES - in_use;
}

uint64_t shim_frames_in_use(void)
{
	return in_use;
}

void shim_fail_after(long n)
{
	fail_after = n;
}

static void log_append(const char *fmt, va_list ap)
{
	if (loglen < sizeof logbuf) {
		int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
		if (n > 0)
			loglen += (size_t)n;
		if (loglen >= sizeof logbuf)
			loglen = sizeof logbuf - 1;
	}
}

void vklog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = {"error: ", "warning: ", "", "debug: "};
	size_t start = loglen;
	va_list copy;
	va_copy(copy, ap);
	log_append(names[level], copy);
	va_end(copy);
	log_append(fmt, ap);
	if (loglen < sizeof logbuf - 1)
		logbuf[loglen++] = '\n';
	logbuf[loglen] = 0;
	if (getenv("SHIM_VERBOSE"))
		fputs(logbuf + start, stdout);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
}

const char *shim_log_take(void)
{
	static char out[sizeof logbuf];
	memcpy(out, logbuf, loglen + 1);
	loglen = 0;
	logbuf[0] = 0;
	return out;
}
