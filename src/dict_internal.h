/*
 * dict_internal.h: the arena hash table's layout, for dict.c and its
 * checker (dict_check.c) only: where a table's root, segments, bucket
 * slots and pairs lie, and which bucket a field's hash falls in.
 *
 * Pure functions on arena memory; the caller holds the key's stripe lock.
 */
#ifndef HYDRA_DICT_INTERNAL_H
#define HYDRA_DICT_INTERNAL_H

#include <string.h>

#include "hydra/dict.h"
#include "hydra/hash.h"
#include "hydra/pack.h"

/* The other half of the hash key, next to a table's own seed. */
#define DICT_SEED_MIX		UINT64_C(0x6a09e667f3bcc908)

static inline aoff_t
dict_root_off(const struct entry *e)
{
	const char	*v;
	size_t		 vlen;
	aoff_t		 o;

	v = entry_value(e, &vlen);
	memcpy(&o, v, sizeof(o));
	return (o);
}

static inline struct dict_root *
dict_root(struct arena *a, const struct entry *e)
{
	return (arena_ptr(a, dict_root_off(e)));
}

static inline struct dict_node *
dict_node(struct arena *a, aoff_t o)
{
	return (arena_ptr(a, o));
}

static inline const char *
dict_node_data(const struct dict_node *n)
{
	return ((const char *)(n + 1));
}

/* The chain words of any chunk of a table: next, then prev. */
static inline uint32_t *
dict_next_word(struct arena *a, aoff_t o)
{
	return (&((aoff_t *)arena_ptr(a, o))[0].u);
}

static inline uint32_t *
dict_prev_word(struct arena *a, aoff_t o)
{
	return (&((aoff_t *)arena_ptr(a, o))[1].u);
}

static inline aoff_t
dict_aoff(uint32_t u)
{
	aoff_t	 o;

	o.u = u;
	return (o);
}

static inline uint64_t
dict_hash(uint64_t seed, const void *field, size_t flen)
{
	uint64_t	 key[2] = { seed, seed ^ DICT_SEED_MIX };

	return (hash_sip13(key, field, flen));
}

/* floor(log2(x)), x > 0. */
static inline unsigned
dict_log2(uint32_t x)
{
	return (31 - (unsigned)__builtin_clz(x));
}

/* The bucket of hash h in a table of nb buckets (see dict.h). */
static inline uint32_t
dict_bucket_of(uint32_t nb, uint64_t h)
{
	uint64_t	 lo = (uint64_t)1 << dict_log2(nb);
	uint64_t	 b = h & (lo * 2 - 1);

	if (b >= nb)
		b = h & (lo - 1);
	return ((uint32_t)b);
}

/* The segment of bucket b (0: the root's slots), and b's slot in it. */
static inline unsigned
dict_seg_of(uint32_t b, uint32_t *slot)
{
	unsigned	 l;

	if (b < DICT_SEG0_BUCKETS) {
		*slot = b;
		return (0);
	}
	l = dict_log2(b);
	*slot = b - (1U << l);
	return (l - DICT_SEG0_LOG2 + 1);
}

/* Buckets of segment k >= 1. */
static inline uint32_t
dict_seg_buckets(unsigned k)
{
	return (DICT_SEG0_BUCKETS << (k - 1));
}

/* Segments (chunks, k >= 1) that buckets [0, nb) need. */
static inline unsigned
dict_segs_for(uint32_t nb)
{
	uint32_t	 slot;

	return (nb <= DICT_SEG0_BUCKETS ? 0 : dict_seg_of(nb - 1, &slot));
}

/* Segments present: the directory's leading non-null slots. */
static inline unsigned
dict_segs(const struct dict_root *r)
{
	unsigned	 k;

	for (k = 0; k < DICT_SEGS && !aoff_isnull(r->dr_seg[k]); k++)
		;
	return (k);
}

static inline aoff_t *
dict_slot(struct arena *a, const struct dict_root *r, uint32_t b)
{
	struct dict_seg	*s;
	uint32_t	 i;
	unsigned	 k = dict_seg_of(b, &i);

	if (k == 0)
		return ((aoff_t *)&r->dr_slot0[i]);
	s = arena_ptr(a, r->dr_seg[k - 1]);
	return (&s->ds_slot[i]);
}

/* Read the pair at p (before end): where the next one starts, or NULL. */
static inline const char *
dict_pair_at(const char *p, const char *end, struct dict_pair *dp)
{
	if ((p = pack_next(p, end, &dp->dp_field, &dp->dp_flen)) == NULL)
		return (NULL);
	return (pack_next(p, end, &dp->dp_value, &dp->dp_vlen));
}

#endif /* HYDRA_DICT_INTERNAL_H */
