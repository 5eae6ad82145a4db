/*
 * value.c: the hooks through which the keyspace and its checker handle
 * values beyond their entry's bytes (value.h), dispatched by type.
 *
 * Run by workers, tools and tests, with the entry's stripe locked (the
 * checker's walk: with every stripe it visits locked in turn).
 */
#include <string.h>

#include "hydra/check.h"
#include "hydra/dict.h"
#include "hydra/intset.h"
#include "hydra/hmap.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/slab.h"
#include "hydra/value.h"
#include "hydra/zset.h"

aoff_t
value_chain(struct arena *a, const struct entry *e)
{
	switch (OBJ_TYPE(e->e_type)) {
	case OBJ_LIST:
		return (list_chain(a, e));
	case OBJ_HASH:
	case OBJ_SET:
		return (dict_chain(a, e));
	case OBJ_ZSET:
		return (zset_chain(a, e));
	default:
		return (AOFF_NULL);
	}
}

size_t
value_memory(struct arena *a, const struct entry *e)
{
	size_t	 bytes;
	aoff_t	 o;

	bytes = slab_usable_size(a, arena_off(a, e));
	for (o = value_chain(a, e); !aoff_isnull(o);
	    o = *(const aoff_t *)arena_ptr(a, o))
		bytes += slab_usable_size(a, o);
	return (bytes);
}

int
value_copy_locked(struct keyspace *ks, struct ks_stripe *to,
    const struct ks_key *dst, const struct entry *e)
{
	switch (OBJ_TYPE(e->e_type)) {
	case OBJ_LIST:
		return (list_copy_locked(ks, to, dst, e));
	case OBJ_HASH:
	case OBJ_SET:
		if (dict_is_table(e->e_type))
			return (dict_copy_locked(ks, to, dst, e));
		return (-1);
	case OBJ_ZSET:
		return (zset_copy_locked(ks, to, dst, e));
	default:
		return (-1);
	}
}

const void *
value_move_bytes(const struct entry *e, size_t klen, char buf[VALUE_MOVE_MAX],
    size_t *vlen)
{
	if (e->e_type == (OBJ_LIST | OBJ_LIST_CHAIN))
		return (list_move_bytes(e, klen, buf, vlen));
	return (entry_value(e, vlen));
}

/*
 * A value packed in its entry after a 32-bit count: `per' elements for
 * each thing counted (1 for a list's elements, 2 for a hash's fields and
 * values), at least one thing.  0, or -1 after the problem is reported.
 */
static int
value_check_packed(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe, const char *what, unsigned per)
{
	const char	*v;
	size_t		 vlen;
	uint32_t	 n;

	v = entry_value(e, &vlen);
	if (vlen < 4) {
		check_error(ck, "db %u stripe %u: packed %s of %zu bytes",
		    db, stripe, what, vlen);
		return (-1);
	}
	memcpy(&n, v, 4);
	if (n == 0 || !pack_valid(v + 4, vlen - 4, (uint64_t)n * per)) {
		check_error(ck, "db %u stripe %u: packed %s does not hold "
		    "the %u %s it counts", db, stripe, what, n,
		    per == 2 ? "pairs" : "elements");
		return (-1);
	}
	return (0);
}

/* Lists. */

static void
value_check_chain(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	struct arena		*a = ck->ck_arena;
	const struct list_root	*r;
	const struct list_node	*n;
	const char		*v;
	size_t			 vlen;
	uint64_t		 count = 0, nodes = 0;
	aoff_t			 o, prev = AOFF_NULL;

	v = entry_value(e, &vlen);
	r = (const struct list_root *)(((uintptr_t)v + 3) & ~(uintptr_t)3);
	if ((const char *)(r + 1) > v + vlen) {
		check_error(ck, "db %u stripe %u: list root does not fit its "
		    "%zu bytes", db, stripe, vlen);
		return;
	}
	for (o.u = r->lr_head; !aoff_isnull(o); o = n->ln_next) {
		if (!arena_contains(a, o, sizeof(*n)) ||
		    check_mark(ck, o, "list node") == -1) {
			check_error(ck, "db %u stripe %u: list node %u is "
			    "outside the arena or reached twice", db, stripe,
			    o.u);
			return;
		}
		n = arena_ptr(a, o);
		if (slab_usable_size(a, o) < sizeof(*n) + n->ln_bytes) {
			check_error(ck, "db %u stripe %u: list node %u of %u "
			    "bytes does not fit its chunk", db, stripe, o.u,
			    n->ln_bytes);
			return;
		}
		if (!aoff_eq(n->ln_prev, prev))
			check_error(ck, "db %u stripe %u: list node %u links "
			    "back to %u, not %u", db, stripe, o.u,
			    n->ln_prev.u, prev.u);
		if (n->ln_count == 0 ||
		    !pack_valid((const char *)(n + 1), n->ln_bytes,
		    n->ln_count))
			check_error(ck, "db %u stripe %u: list node %u does "
			    "not hold the %u elements it counts", db, stripe,
			    o.u, n->ln_count);
		count += n->ln_count;
		nodes++;
		prev = o;
	}
	if (prev.u != r->lr_tail || count != r->lr_count ||
	    nodes != r->lr_nodes || count == 0)
		check_error(ck, "db %u stripe %u: list root says %u elements "
		    "in %u nodes ending at %u; found %llu in %llu ending at "
		    "%u", db, stripe, r->lr_count, r->lr_nodes, r->lr_tail,
		    (unsigned long long)count, (unsigned long long)nodes,
		    prev.u);
}

/* Sorted sets. */

static void
value_check_packed_zset(struct check *ck, const struct entry *e,
    unsigned db, uint32_t stripe)
{
	const char	*v, *why;
	size_t		 vlen;

	v = entry_value(e, &vlen);
	if ((why = zset_check_packed(v, vlen)) != NULL)
		check_error(ck, "db %u stripe %u: packed sorted set: %s", db,
		    stripe, why);
}

/* Sets. */

static void
value_check_intset(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	const char	*v;
	size_t		 vlen;

	v = entry_value(e, &vlen);
	if (!intset_valid(v, vlen))
		check_error(ck, "db %u stripe %u: intset of %zu bytes is not "
		    "a sound ascending array", db, stripe, vlen);
}

void
value_check(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	switch (e->e_type) {
	case OBJ_LIST | OBJ_LIST_PACKED:
		(void)value_check_packed(ck, e, db, stripe, "list", 1);
		break;
	case OBJ_HASH | OBJ_HASH_PACKED:
		if (value_check_packed(ck, e, db, stripe, "hash", 2) == 0)
			hmap_check(ck, e, db, stripe);
		break;
	case OBJ_LIST | OBJ_LIST_CHAIN:
		value_check_chain(ck, e, db, stripe);
		break;
	case OBJ_ZSET | OBJ_ZSET_PACKED:
		value_check_packed_zset(ck, e, db, stripe);
		break;
	case OBJ_ZSET | OBJ_ZSET_INDEX:
		zset_check_index(ck, e, db, stripe);
		break;
	case OBJ_SET | OBJ_SET_INTS:
		value_check_intset(ck, e, db, stripe);
		break;
	case OBJ_HASH | OBJ_HASH_TABLE:
	case OBJ_SET | OBJ_SET_TABLE:
		dict_check(ck, e, db, stripe);
		break;
	default:
		/* Strings, and tags the keyspace carries as plain bytes. */
		break;
	}
}

void
value_check_unmark(struct check *ck, const struct entry *e)
{
	aoff_t	 o;

	for (o = value_chain(ck->ck_arena, e); check_is_marked(ck, o);
	    o = *(const aoff_t *)arena_ptr(ck->ck_arena, o))
		ck->ck_marks[o.u >> 6] &= ~(1ULL << (o.u & 63));
}
