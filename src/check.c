/*
 * check.c: the arena checker's driver and its mark bitmap.
 *
 * Run by hydractl and by tests, in their own process; takes the locks of
 * whatever it examines (through keyspace_check and slab_check), one at a
 * time, and writes nothing to the arena except what lock repair writes.
 * The mark bitmap is private memory: one bit per ARENA_ALIGN bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/check.h"

void
check_error(struct check *ck, const char *fmt, ...)
{
	va_list	 ap;

	ck->ck_errors++;
	if (ck->ck_out == NULL || ck->ck_errors > CHECK_MAX_REPORTED)
		return;
	fputs("check: ", ck->ck_out);
	va_start(ap, fmt);
	vfprintf(ck->ck_out, fmt, ap);
	va_end(ap);
	fputc('\n', ck->ck_out);
}

/* Mark a chunk reached: 0, or -1 (reported) when out of range or twice. */
int
check_mark(struct check *ck, aoff_t o, const char *what)
{
	uint64_t	 u = o.u;

	if (aoff_isnull(o) || !arena_contains(ck->ck_arena, o, 1) ||
	    u >= ck->ck_nunits) {
		check_error(ck, "%s at offset %u is outside the page area",
		    what, o.u);
		return (-1);
	}
	if (ck->ck_marks[u >> 6] & (1ULL << (u & 63))) {
		check_error(ck, "%s at offset %u is referenced twice", what,
		    o.u);
		return (-1);
	}
	ck->ck_marks[u >> 6] |= 1ULL << (u & 63);
	ck->ck_chunks++;
	return (0);
}

int
check_is_marked(const struct check *ck, aoff_t o)
{
	uint64_t	 u = o.u;

	return (u < ck->ck_nunits && (ck->ck_marks[u >> 6] >> (u & 63)) & 1);
}

int64_t
check_arena(struct arena *a, int flags, FILE *out, struct check *result)
{
	struct check	 ck;

	memset(&ck, 0, sizeof(ck));
	ck.ck_arena = a;
	ck.ck_out = out;
	ck.ck_flags = flags;
	ck.ck_nunits = a->ar_size / ARENA_ALIGN;
	ck.ck_marks = calloc((ck.ck_nunits + 63) / 64, sizeof(uint64_t));
	if (ck.ck_marks == NULL)
		return (-1);
	keyspace_check(&ck);
	blocking_check(&ck);
	slab_check(&ck);
	free(ck.ck_marks);
	ck.ck_marks = NULL;
	if (result != NULL)
		*result = ck;
	return ((int64_t)ck.ck_errors);
}
