/*
 * rdb_hash.c: the RDB hooks of hashes (rdb.h).  A packed hash is saved
 * as Redis 7.0 saves its listpack hashes, RDB_TYPE_HASH_LISTPACK, its
 * pairs in its order, so that a hash Redis built by the same commands
 * dumps to the same bytes; a table as RDB_TYPE_HASH, in the table's own
 * order.  A hash is loaded from any of its encodings through
 * hmap_write_locked(), in the encoding Redis 7.0 gives it on load.
 *
 * Run by workers (and the persister, later), with the key's stripe
 * locked by the caller; what is built is built in private memory.
 */
#include <errno.h>

#include "hydra/hmap.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"

int
rdb_hash_type(struct arena *a, const struct entry *e)
{
	(void)a;
	return (e->e_type == (OBJ_HASH | OBJ_HASH_TABLE) ? RDB_TYPE_HASH :
	    RDB_TYPE_HASH_LISTPACK);
}

int
rdb_hash_save(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	struct hmap_iter	 it;
	struct hmap_pair	 p;
	struct rdb_lp		 lp;

	hmap_iter_init(&it, a, e);
	if (rdb_hash_type(a, e) == RDB_TYPE_HASH) {
		rdb_put_len(o, hmap_count(a, e));
		while (hmap_iter_next(&it, &p) && !o->ro_failed) {
			rdb_put_string(o, p.hp_field, p.hp_flen);
			rdb_put_string(o, p.hp_value, p.hp_vlen);
		}
	} else {
		rdb_lp_init(&lp);
		while (hmap_iter_next(&it, &p) && !lp.lp_out.ro_failed) {
			rdb_lp_append(&lp, p.hp_field, p.hp_flen);
			rdb_lp_append(&lp, p.hp_value, p.hp_vlen);
		}
		rdb_lp_put(o, &lp);
	}
	if (o->ro_failed) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

/*
 * Redis 7.0 keeps a packed payload (listpack, ziplist) packed unless it
 * has more fields than hash-max-listpack-entries, whatever their
 * lengths; a zipmap, and a table's pairs, it packs only as HSET would.
 */
static int
rdb_hash_wants_table(const struct rdb_value *v)
{
	size_t	 i, longest = 0;

	if (v->rv_rdbtype == RDB_TYPE_HASH_LISTPACK ||
	    v->rv_rdbtype == RDB_TYPE_HASH_ZIPLIST)
		return (v->rv_n / 2 > object_limits.ol_hash_entries);
	for (i = 0; i < v->rv_n; i++)
		if (v->rv_len[i] > longest)
			longest = v->rv_len[i];
	return (hmap_wants_table(v->rv_n / 2, longest));
}

int
rdb_hash_load(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	struct hmap_vec	 hv;
	size_t		 i;
	int		 rv = -1;

	hmap_vec_init(&hv);
	for (i = 0; i + 1 < v->rv_n; i += 2)
		if (hmap_vec_add(&hv, v->rv_ptr[i], v->rv_len[i],
		    v->rv_ptr[i + 1], v->rv_len[i + 1]) == -1)
			goto out;
	rv = hmap_write_locked(ks, st, kk, &hv, rdb_hash_wants_table(v),
	    expire_ms);
out:
	hmap_vec_free(&hv);
	if (rv == -1)
		errno = ENOMEM;
	return (rv);
}
