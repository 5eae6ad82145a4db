/*
 * dict_check.c: the arena hash table's part of the arena checker
 * (dict_check() in dict.h, called through value_check()).
 *
 * Run by hydractl and tests, with the key's stripe locked by the
 * keyspace's checker.  It walks a table's chain from the root, marking
 * each chunk once and checking its back links, then checks that the
 * chain holds exactly the root, the segments the directory names and the
 * nodes the bucket slots below N name; that the segments present are the
 * ones N allows; that every node holds the well-formed pairs it counts,
 * each hashing to its bucket, no field twice; and that the counts agree.
 */
#include <stdlib.h>
#include <string.h>

#include "hydra/check.h"
#include "hydra/object.h"
#include "hydra/slab.h"
#include "dict_internal.h"

struct dict_check_ctx {
	struct check	*ck;
	unsigned	 db;
	uint32_t	 stripe;
	uint32_t	*chunk;		/* the chain's chunks, sorted */
	uint8_t		*claimed;
	size_t		 n;
};

static int
dict_cmp_u32(const void *x, const void *y)
{
	uint32_t	 a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a < b ? -1 : a > b);
}

/*
 * The table names chunk o (as `what'): it must be on the chain, not the
 * root, and named once.  0, or -1 (reported).
 */
static int
dict_check_claim(struct dict_check_ctx *cx, aoff_t o, aoff_t root,
    const char *what)
{
	uint32_t	*p;

	p = bsearch(&o.u, cx->chunk, cx->n, sizeof(*cx->chunk),
	    dict_cmp_u32);
	if (p == NULL || aoff_eq(o, root) || cx->claimed[p - cx->chunk]) {
		check_error(cx->ck, "db %u stripe %u: table %s %u is %s",
		    cx->db, cx->stripe, what, o.u, p == NULL ?
		    "not on the table's chain" : "named twice");
		return (-1);
	}
	cx->claimed[p - cx->chunk] = 1;
	return (0);
}

/* Node o of bucket b: sound, its pairs well formed, distinct, at home. */
static uint32_t
dict_check_node(struct dict_check_ctx *cx, const struct dict_root *r,
    aoff_t o, uint32_t b)
{
	struct arena		*a = cx->ck->ck_arena;
	const struct dict_node	*n = dict_node(a, o);
	struct dict_pair	 p, p2;
	const char		*q, *q2, *end;

	if (slab_usable_size(a, o) < sizeof(*n) ||
	    slab_usable_size(a, o) - sizeof(*n) < n->dn_bytes ||
	    n->dn_count == 0 || !pack_valid(dict_node_data(n), n->dn_bytes,
	    (uint64_t)n->dn_count * 2)) {
		check_error(cx->ck, "db %u stripe %u: table node %u of bucket "
		    "%u does not hold the %u pairs it counts", cx->db,
		    cx->stripe, o.u, b, n->dn_count);
		return (0);
	}
	q = dict_node_data(n);
	end = q + n->dn_bytes;
	while (q < end && (q = dict_pair_at(q, end, &p)) != NULL) {
		if (dict_bucket_of(r->dr_buckets, dict_hash(r->dr_seed,
		    p.dp_field, p.dp_flen)) != b)
			check_error(cx->ck, "db %u stripe %u: a field of table "
			    "node %u hashes to another bucket than %u", cx->db,
			    cx->stripe, o.u, b);
		for (q2 = q; q2 < end && (q2 = dict_pair_at(q2, end,
		    &p2)) != NULL;)
			if (p2.dp_flen == p.dp_flen && memcmp(p2.dp_field,
			    p.dp_field, p.dp_flen) == 0)
				check_error(cx->ck, "db %u stripe %u: table "
				    "node %u holds a field twice", cx->db,
				    cx->stripe, o.u);
	}
	return (n->dn_count);
}

/* Walk the chain from the root, marking each chunk; -1 when broken. */
static int
dict_check_chain(struct dict_check_ctx *cx, aoff_t ro)
{
	struct arena	*a = cx->ck->ck_arena;
	aoff_t		 o, prev = AOFF_NULL;
	size_t		 cap = 0;
	uint32_t	*p;

	for (o = ro; !aoff_isnull(o); o = dict_aoff(*dict_next_word(a, o))) {
		if (!arena_contains(a, o, 2 * sizeof(aoff_t)) ||
		    check_mark(cx->ck, o, "table chunk") == -1) {
			check_error(cx->ck, "db %u stripe %u: table chunk %u "
			    "is outside the arena or reached twice", cx->db,
			    cx->stripe, o.u);
			return (-1);
		}
		if (*dict_prev_word(a, o) != prev.u)
			check_error(cx->ck, "db %u stripe %u: table chunk %u "
			    "links back to %u, not %u", cx->db, cx->stripe,
			    o.u, *dict_prev_word(a, o), prev.u);
		if (cx->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((p = reallocarray(cx->chunk, cap,
			    sizeof(*p))) == NULL)
				return (-1);
			cx->chunk = p;
		}
		cx->chunk[cx->n++] = o.u;
		prev = o;
	}
	qsort(cx->chunk, cx->n, sizeof(*cx->chunk), dict_cmp_u32);
	if ((cx->claimed = calloc(cx->n, 1)) == NULL)
		return (-1);
	return (0);
}

void
dict_check(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	struct arena		*a = ck->ck_arena;
	struct dict_check_ctx	 cx;
	const struct dict_root	*r;
	uint64_t		 count = 0;
	size_t			 vlen, i;
	unsigned		 k, have;
	uint32_t		 b;
	aoff_t			 ro, x;

	memset(&cx, 0, sizeof(cx));
	cx.ck = ck;
	cx.db = db;
	cx.stripe = stripe;
	(void)entry_value(e, &vlen);
	ro = dict_root_off(e);
	if (vlen != (e->e_type == (OBJ_ZSET | OBJ_ZSET_INDEX) ?
	    2 * sizeof(aoff_t) : sizeof(aoff_t)) ||
	    !arena_contains(a, ro, sizeof(*r)) ||
	    slab_usable_size(a, ro) < sizeof(*r)) {
		check_error(ck, "db %u stripe %u: table value of %zu bytes "
		    "does not name a root", db, stripe, vlen);
		return;
	}
	if (dict_check_chain(&cx, ro) == -1)
		goto out;
	r = arena_ptr(a, ro);
	have = dict_segs(r);
	if (r->dr_buckets == 0 || r->dr_buckets > DICT_MAX_BUCKETS ||
	    (have != dict_segs_for(r->dr_buckets) &&
	    have != dict_segs_for(r->dr_buckets + 1))) {
		check_error(ck, "db %u stripe %u: table of %u buckets with %u "
		    "segments", db, stripe, r->dr_buckets, have);
		goto out;
	}
	for (k = 1; k <= DICT_SEGS; k++) {
		x = r->dr_seg[k - 1];
		if (k > have) {
			if (!aoff_isnull(x))
				check_error(ck, "db %u stripe %u: table "
				    "segment %u follows a hole", db, stripe, k);
			continue;
		}
		if (dict_check_claim(&cx, x, ro, "segment") == -1)
			goto out;
		if (slab_usable_size(a, x) < sizeof(struct dict_seg) +
		    (size_t)dict_seg_buckets(k) * sizeof(aoff_t)) {
			check_error(ck, "db %u stripe %u: table segment %u "
			    "does not fit its chunk", db, stripe, k);
			goto out;
		}
	}
	for (b = 0; b < r->dr_buckets; b++) {
		x = *dict_slot(a, r, b);
		if (aoff_isnull(x))
			continue;
		if (dict_check_claim(&cx, x, ro, "node") == -1)
			goto out;
		count += dict_check_node(&cx, r, x, b);
	}
	if (count != r->dr_count || count == 0)
		check_error(ck, "db %u stripe %u: table counts %u pairs, holds "
		    "%llu", db, stripe, r->dr_count,
		    (unsigned long long)count);
	for (i = 0; i < cx.n; i++)
		if (!cx.claimed[i] && cx.chunk[i] != ro.u)
			check_error(ck, "db %u stripe %u: table chunk %u is on "
			    "the chain but not in the table", db, stripe,
			    cx.chunk[i]);
out:
	free(cx.chunk);
	free(cx.claimed);
}
