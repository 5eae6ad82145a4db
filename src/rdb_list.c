/*
 * rdb_list.c: the RDB hooks of lists (rdb.h): a list is saved as Redis
 * 7.0 saves one, RDB_TYPE_LIST_QUICKLIST_2, and loaded from any list
 * encoding through list_write_locked().
 *
 * Run by workers (and the persister, later), with the key's stripe
 * locked by the caller; the nodes are built in private memory.
 *
 * Redis's nodes are listpacks cut where its quicklist would cut them
 * when the elements are pushed at the tail one by one: so a list that
 * Redis built by RPUSH, with the same list-max-listpack-size, is saved
 * byte for byte as Redis saves it, however hydra's own nodes lie.  An
 * element of 1 GiB or more is a node of its own, a plain one.
 */
#include <errno.h>

#include "hydra/list.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"

/* What Redis adds to a node's size to guess the size after a push. */
#define RDB_LIST_OVERHEAD	8
/* Redis's largest node size for any fill: its "safety limit". */
#define RDB_LIST_SAFETY		8192
/* Elements this large are plain nodes (Redis's packed_threshold). */
#define RDB_LIST_PLAIN_MIN	((size_t)1 << 30)

/*
 * May an element of len bytes join a node of `bytes' (header and end
 * included) holding `count' elements, under fill?  A negative fill (-1
 * to -5) limits the bytes to 4, 8, 16, 32 or 64 KiB; otherwise the node
 * stays within the safety limit, and a positive fill limits the count.
 */
static int
rdb_list_node_allows(size_t bytes, size_t count, size_t len, int fill)
{
	size_t	 sz = bytes + len + RDB_LIST_OVERHEAD;

	if (fill < 0 && fill >= -5 && sz <= (size_t)4096 << (-fill - 1))
		return (1);
	if (sz > RDB_LIST_SAFETY)
		return (0);
	return (fill > 0 && count < (size_t)fill);
}

/* Write the listpack being built as a packed node, and start another. */
static void
rdb_list_flush(struct rdb_out *nodes, struct rdb_lp *lp, uint64_t *count)
{
	const unsigned char	*p;
	size_t			 n;

	if (lp->lp_count == 0)
		return;
	if ((p = rdb_lp_finish(lp, &n)) == NULL) {
		nodes->ro_failed = 1;
		return;
	}
	rdb_put_len(nodes, RDB_QUICKLIST_PACKED);
	rdb_put_string(nodes, p, n);
	rdb_lp_reset(lp);
	(*count)++;
}

int
rdb_list_type(struct arena *a, const struct entry *e)
{
	(void)a;
	(void)e;
	return (RDB_TYPE_LIST_QUICKLIST_2);
}

int
rdb_list_save(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	struct list_iter	 it;
	struct rdb_out		 nodes;
	struct rdb_lp		 lp;
	const char		*s;
	size_t			 len;
	uint64_t		 count = 0;
	int			 fill = list_fill();

	rdb_out_init(&nodes);
	nodes.ro_compress = o->ro_compress;
	rdb_lp_init(&lp);
	list_iter_init(&it, a, e, 0, 0);
	while (list_iter_next(&it, &s, &len) && !nodes.ro_failed) {
		if (len >= RDB_LIST_PLAIN_MIN) {
			rdb_list_flush(&nodes, &lp, &count);
			rdb_put_len(&nodes, RDB_QUICKLIST_PLAIN);
			rdb_put_string(&nodes, s, len);
			count++;
			continue;
		}
		if (lp.lp_count > 0 && !rdb_list_node_allows(rdb_lp_bytes(&lp),
		    lp.lp_count, len, fill))
			rdb_list_flush(&nodes, &lp, &count);
		rdb_lp_append(&lp, s, len);
	}
	rdb_list_flush(&nodes, &lp, &count);
	if (lp.lp_out.ro_failed)
		nodes.ro_failed = 1;
	rdb_lp_free(&lp);
	if (!nodes.ro_failed) {
		rdb_put_len(o, count);
		rdb_put_raw(o, nodes.ro_buf, nodes.ro_len);
	}
	rdb_out_free(&nodes);
	if (nodes.ro_failed || o->ro_failed) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

int
rdb_list_load(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	struct list_vec	 lv;

	lv.lv_n = lv.lv_cap = v->rv_n;
	lv.lv_ptr = v->rv_ptr;
	lv.lv_len = v->rv_len;
	return (list_write_locked(ks, st, kk, &lv, expire_ms));
}
