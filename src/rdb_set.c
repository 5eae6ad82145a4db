/*
 * rdb_set.c: the RDB hooks of sets (rdb.h).  An intset is saved as Redis
 * 7.0 saves one, RDB_TYPE_SET_INTSET with Redis's intset bytes at the
 * intset's own width (which, as Redis's, never narrows), so that a set
 * Redis built by the same commands dumps to the same bytes; a table as
 * RDB_TYPE_SET, in the table's own order.  A set is loaded from any of
 * its encodings in the encoding Redis 7.0 gives it on load: an intset
 * payload stays an intset, at its width, unless it holds more than
 * set-max-intset-entries members; any other set is built as SADD would
 * build it (set_write_locked()).
 *
 * Run by workers (and the persister, later), with the key's stripe
 * locked by the caller; what is built is built in private memory.
 */
#include <errno.h>
#include <stdlib.h>

#include "hydra/intset.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"
#include "hydra/set.h"

int
rdb_set_type(struct arena *a, const struct entry *e)
{
	(void)a;
	return (set_is_ints(e) ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET);
}

/* The intset of entry e, as Redis lays one out. */
static void
rdb_set_save_ints(struct rdb_out *o, const struct entry *e)
{
	struct rdb_out	 is;
	const char	*v;
	int64_t		*vals;
	size_t		 vlen, n, i;

	v = entry_value(e, &vlen);
	n = intset_count(v, vlen);
	if ((vals = reallocarray(NULL, n, sizeof(*vals))) == NULL) {
		o->ro_failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		vals[i] = intset_get(v, i);
	rdb_out_init(&is);
	rdb_intset_put(&is, intset_width(v), vals, n);
	free(vals);
	if (is.ro_failed)
		o->ro_failed = 1;
	else
		rdb_put_string(o, is.ro_buf, is.ro_len);
	rdb_out_free(&is);
}

int
rdb_set_save(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	struct set_iter	 it;
	const char	*s;
	size_t		 len;

	if (set_is_ints(e))
		rdb_set_save_ints(o, e);
	else {
		rdb_put_len(o, set_count(a, e));
		set_iter_init(&it, a, e);
		while (set_iter_next(&it, &s, &len) && !o->ro_failed)
			rdb_put_string(o, s, len);
	}
	if (o->ro_failed) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

/* The intset of v's members, at least `width' wide, under key kk. */
static int
rdb_set_put_ints(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, unsigned width,
    int64_t expire_ms)
{
	int64_t	*vals;
	char	*buf = NULL;
	size_t	 i;
	int	 rv = -1;

	if ((vals = reallocarray(NULL, v->rv_n, sizeof(*vals))) == NULL)
		return (-1);
	/* The decoder spelt them in decimal, ascending. */
	for (i = 0; i < v->rv_n; i++) {
		if (intset_parse(v->rv_ptr[i], v->rv_len[i], &vals[i]) == -1)
			goto out;
		if (intset_width_of(vals[i]) > width)
			width = intset_width_of(vals[i]);
	}
	if ((buf = malloc(intset_size(width, v->rv_n))) == NULL)
		goto out;
	intset_build(buf, width, vals, v->rv_n);
	rv = keyspace_put_locked(ks, st, kk, OBJ_SET | OBJ_SET_INTS, buf,
	    intset_size(width, v->rv_n), expire_ms);
out:
	free(buf);
	free(vals);
	return (rv);
}

int
rdb_set_load(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	struct list_vec	 lv;
	int		 rv;

	if (v->rv_rdbtype == RDB_TYPE_SET_INTSET &&
	    v->rv_n <= object_limits.ol_set_intset_entries)
		rv = rdb_set_put_ints(ks, st, kk, v, v->rv_intset_width,
		    expire_ms);
	else {
		lv.lv_n = lv.lv_cap = v->rv_n;
		lv.lv_ptr = v->rv_ptr;
		lv.lv_len = v->rv_len;
		rv = set_write_locked(ks, st, kk, &lv, expire_ms);
	}
	if (rv == -1)
		errno = ENOMEM;
	return (rv);
}
