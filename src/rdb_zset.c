/*
 * rdb_zset.c: the RDB hooks of sorted sets (rdb.h).  A packed sorted set
 * is saved as Redis 7.0 saves its listpack sorted sets,
 * RDB_TYPE_ZSET_LISTPACK: member, score, ... lowest first, each score
 * spelt as Redis spells it in a listpack, so that a sorted set Redis
 * holds packed dumps to the same bytes; an indexed one as
 * RDB_TYPE_ZSET_2, from the highest score down, each score as its
 * binary double.  Both are read through zset.h's walks only, whatever
 * the encoding's layout.  A sorted set is loaded from any encoding
 * through zset_write_locked(), which chooses the encoding.  (Redis 7.0
 * packs a sorted set read from RDB_TYPE_ZSET_2 as ZADD would, but keeps
 * a listpack payload packed whatever its members' lengths, converting
 * it only when it has more members than zset-max-listpack-entries.)
 *
 * Run by workers (and the persister, later), with the key's stripe
 * locked by the caller; what is built is built in private memory.
 */
#include <errno.h>

#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"
#include "hydra/zset.h"

int
rdb_zset_type(struct arena *a, const struct entry *e)
{
	(void)a;
	return (e->e_type == (OBJ_ZSET | OBJ_ZSET_INDEX) ? RDB_TYPE_ZSET_2 :
	    RDB_TYPE_ZSET_LISTPACK);
}

int
rdb_zset_save(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	struct rdb_lp		 lp;

	if (rdb_zset_type(a, e) == RDB_TYPE_ZSET_2) {
		rdb_put_len(o, zset_card(e));
		zset_iter_init(&it, e, 0, 1);
		while (zset_iter_next(&it, &el) && !o->ro_failed) {
			rdb_put_string(o, el.ze_member, el.ze_len);
			rdb_put_double(o, el.ze_score);
		}
	} else {
		rdb_lp_init(&lp);
		zset_iter_init(&it, e, 0, 0);
		while (zset_iter_next(&it, &el) && !lp.lp_out.ro_failed) {
			rdb_lp_append(&lp, el.ze_member, el.ze_len);
			rdb_lp_append_score(&lp, el.ze_score);
		}
		rdb_lp_put(o, &lp);
	}
	if (o->ro_failed) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

int
rdb_zset_load(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	struct zset_vec	 zv;
	size_t		 i;
	int		 rv = -1;

	zset_vec_init(&zv);
	for (i = 0; i < v->rv_n; i++)
		if (zset_vec_add(&zv, v->rv_ptr[i], v->rv_len[i],
		    v->rv_score[i]) == -1)
			goto out;
	zset_vec_sort(&zv);
	zv.zv_packed_load = v->rv_rdbtype == RDB_TYPE_ZSET_LISTPACK ||
	    v->rv_rdbtype == RDB_TYPE_ZSET_ZIPLIST;
	rv = zset_write_locked(ks, st, kk, &zv, expire_ms);
out:
	zset_vec_free(&zv);
	if (rv == -1)
		errno = ENOMEM;
	return (rv);
}
