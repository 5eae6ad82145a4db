/*
 * zset_batch.c: changes of several members of a sorted set, and of a run
 * of its ranks, each made as one change (zset.h).
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's intents and puts.
 *
 * A batch gathers, in private memory, what becomes of each member it
 * names: whether the set held it and at which score, whether it holds it
 * after and at which score.  A command reads its own earlier changes back
 * through the batch, so that an argument sees those before it as Redis
 * runs them one after another.  Applying it is one change of the set: an
 * index changes in place, only the nodes the members leave or go into,
 * the directory and the member table's nodes of those members, in one
 * intent (zset_index.c) that a process killed anywhere leaves wholly
 * undone or wholly done; a change of more than ZSET_BATCH_MAX members, or
 * of a packed set, writes the set whole in one put (zset_write_locked()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/keyspace.h"
#include "hydra/zset.h"
#include "zset_internal.h"

void
zset_batch_init(struct zset_batch *b, const struct entry *e)
{
	memset(b, 0, sizeof(*b));
	b->zb_e = e;
	b->zb_card = e != NULL ? zset_card(e) : 0;
}

void
zset_batch_free(struct zset_batch *b)
{
	free(b->zb_ch);
	free(b->zb_index);
	memset(b, 0, sizeof(*b));
}

/* FNV-1a of a member's bytes. */
static size_t
zset_batch_hash(const char *m, size_t len)
{
	uint64_t	 h = UINT64_C(0xcbf29ce484222325);
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)m[i];
		h *= UINT64_C(0x100000001b3);
	}
	return ((size_t)(h ^ h >> 32));
}

/* The index place of member m: its own, or the empty one it would take. */
static uint32_t *
zset_batch_place(const struct zset_batch *b, const char *m, size_t len)
{
	const struct zset_change	*c;
	size_t				 h = zset_batch_hash(m, len);
	uint32_t			*ix;

	for (;; h++) {
		ix = &b->zb_index[h & b->zb_mask];
		if (*ix == 0)
			return (ix);
		c = &b->zb_ch[*ix - 1];
		if (c->zc_len == len && (len == 0 ||
		    memcmp(c->zc_m, m, len) == 0))
			return (ix);
	}
}

/* The batch's record of member m, or NULL. */
static const struct zset_change *
zset_batch_find(const struct zset_batch *b, const char *m, size_t len)
{
	uint32_t	*ix;

	if (b->zb_cap == 0 || *(ix = zset_batch_place(b, m, len)) == 0)
		return (NULL);
	return (&b->zb_ch[*ix - 1]);
}

/* Room for one more member: 0, or -1 ENOMEM. */
static int
zset_batch_grow(struct zset_batch *b)
{
	struct zset_change	*ch;
	size_t			 cap, i;

	if (b->zb_n < b->zb_cap)
		return (0);
	cap = b->zb_cap == 0 ? 8 : 2 * b->zb_cap;
	if ((ch = reallocarray(b->zb_ch, cap, sizeof(*ch))) == NULL)
		return (-1);
	b->zb_ch = ch;
	free(b->zb_index);
	/* The index at most half full. */
	if ((b->zb_index = calloc(2 * cap, sizeof(*b->zb_index))) == NULL) {
		b->zb_mask = 0;
		b->zb_cap = 0;
		b->zb_n = 0;
		return (-1);
	}
	b->zb_mask = 2 * cap - 1;
	b->zb_cap = cap;
	for (i = 0; i < b->zb_n; i++)
		*zset_batch_place(b, ch[i].zc_m, ch[i].zc_len) =
		    (uint32_t)i + 1;
	return (0);
}

/* The batch's record of member m, made when it is new; NULL ENOMEM. */
static struct zset_change *
zset_batch_member(struct zset_batch *b, const char *m, size_t len)
{
	struct zset_change	*c;
	uint32_t		*ix;

	if (b->zb_cap > 0 && *(ix = zset_batch_place(b, m, len)) != 0)
		return (&b->zb_ch[*ix - 1]);
	if (b->zb_n >= UINT32_MAX - 1 || zset_batch_grow(b) == -1)
		return (NULL);
	c = &b->zb_ch[b->zb_n];
	c->zc_m = m;
	c->zc_len = len;
	c->zc_had = b->zb_e != NULL && zset_score(b->zb_e, m, len,
	    &c->zc_old);
	c->zc_put = c->zc_had;
	c->zc_score = c->zc_old;
	*zset_batch_place(b, m, len) = (uint32_t)++b->zb_n;
	return (c);
}

int
zset_batch_score(const struct zset_batch *b, const char *m, size_t len,
    double *score)
{
	const struct zset_change	*c;

	if ((c = zset_batch_find(b, m, len)) == NULL)
		return (b->zb_e != NULL && zset_score(b->zb_e, m, len, score));
	if (c->zc_put)
		*score = c->zc_score;
	return (c->zc_put);
}

int
zset_batch_set(struct zset_batch *b, const char *m, size_t len,
    double score)
{
	struct zset_change	*c;

	if ((c = zset_batch_member(b, m, len)) == NULL)
		return (-1);
	b->zb_card += !c->zc_put;
	c->zc_put = 1;
	c->zc_score = score;
	return (0);
}

int
zset_batch_delete(struct zset_batch *b, const char *m, size_t len)
{
	struct zset_change	*c;

	if ((c = zset_batch_member(b, m, len)) == NULL)
		return (-1);
	b->zb_card -= c->zc_put;
	c->zc_put = 0;
	return (0);
}

/* Does the batch leave member c as the set holds it? */
static int
zset_batch_same(const struct zset_change *c)
{
	return (c->zc_had == c->zc_put && (!c->zc_put ||
	    c->zc_old == c->zc_score));
}

/*
 * The set as the batch leaves it, rewritten whole: its members the batch
 * does not change, then those it sets, in order.
 */
static int
zset_batch_rewrite(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct zset_batch *b)
{
	const struct zset_change	*c;
	struct zset_vec			 v, all;
	size_t				 i;
	int				 rv;

	zset_vec_init(&v);
	zset_vec_init(&all);
	rv = b->zb_e != NULL ? zset_vec_load(&all, b->zb_e) : 0;
	for (i = 0; rv == 0 && i < all.zv_n; i++) {
		c = zset_batch_find(b, all.zv_el[i].ze_member,
		    all.zv_el[i].ze_len);
		if (c == NULL || zset_batch_same(c))
			rv = zset_vec_add(&v, all.zv_el[i].ze_member,
			    all.zv_el[i].ze_len, all.zv_el[i].ze_score);
	}
	for (i = 0; rv == 0 && i < b->zb_n; i++) {
		c = &b->zb_ch[i];
		if (c->zc_put && !zset_batch_same(c))
			rv = zset_vec_add(&v, c->zc_m, c->zc_len, c->zc_score);
	}
	if (rv == 0) {
		zset_vec_sort(&v);
		rv = zset_write_locked(ks, st, kk, &v, b->zb_e != NULL ?
		    entry_expire(b->zb_e) : KEYSPACE_NO_EXPIRE);
	}
	zset_vec_free(&v);
	zset_vec_free(&all);
	return (rv);
}

int
zset_batch_apply_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, struct zset_batch *b)
{
	size_t	 i, n = 0;

	for (i = 0; i < b->zb_n; i++)
		if (!zset_batch_same(&b->zb_ch[i]))
			n++;
	if (n == 0)
		return (0);
	if (b->zb_card == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if (b->zb_e == NULL || !zset_is_index(b->zb_e) || n > ZSET_BATCH_MAX)
		return (zset_batch_rewrite(ks, st, kk, b));
	/* The changed members, in place of the index that finds them. */
	for (i = 0, n = 0; i < b->zb_n; i++)
		if (!zset_batch_same(&b->zb_ch[i]))
			b->zb_ch[n++] = b->zb_ch[i];
	free(b->zb_index);
	b->zb_index = NULL;
	b->zb_cap = b->zb_n = 0;
	return (zset_index_change_locked(ks, st, b->zb_e, b->zb_ch, n));
}

int
zset_remove_range_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, uint64_t from,
    uint64_t to)
{
	struct zset_vec	 v;
	uint64_t	 card = zset_card(e);
	int		 rv;

	if (to > card)
		to = card;
	if (from >= to)
		return (0);
	if (to - from == card) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if (zset_is_index(e) && to - from <= ZSET_BATCH_MAX)
		return (zset_index_remove_locked(ks, st, e, from, to));
	zset_vec_init(&v);
	if ((rv = zset_vec_load(&v, e)) == 0) {
		zset_vec_remove_range(&v, (size_t)from, (size_t)to);
		rv = zset_write_locked(ks, st, kk, &v, entry_expire(e));
	}
	zset_vec_free(&v);
	return (rv);
}
