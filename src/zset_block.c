/*
 * zset_block.c: what a wait on a sorted set takes and gives back (the
 * sorted-set kind of blocking.h): BZPOPMIN, BZPOPMAX and BZMPOP take up
 * to `count' members from the low or the high end, with their scores.
 *
 * Run by workers, with the key's stripe locked (blocking.c calls in).
 * A payload is each member and its score (the 8 bytes of a double) as
 * two packed elements (pack.h), in the order they were popped, which is
 * the order of the reply.  The set is read and changed through zset.h
 * only, whatever its encoding: a pop is one change (a run of ranks
 * removed, in place for an index), which carries the rider; a return is
 * one put.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/zset.h"

/* The payload bytes of elements el[0..n): their size, then the bytes. */
static size_t
zset_block_size(const struct zset_elem *el, size_t n)
{
	size_t	 i, bytes = 0;

	for (i = 0; i < n; i++)
		bytes += pack_elem_size(el[i].ze_len) +
		    pack_elem_size(sizeof(double));
	return (bytes);
}

static void
zset_block_encode(char *p, const struct zset_elem *el, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		p = pack_put(p, el[i].ze_member, el[i].ze_len);
		p = pack_put(p, &el[i].ze_score, sizeof(double));
	}
}

int
zset_block_decode(const struct bl_payload *pl, struct zset_vec *v)
{
	const char	*p, *end, *m, *s;
	size_t		 len, mlen, slen;
	double		 d;

	p = blocking_payload_bytes(pl, &len);
	end = p + len;
	while (p < end) {
		if ((p = pack_next(p, end, &m, &mlen)) == NULL ||
		    (p = pack_next(p, end, &s, &slen)) == NULL ||
		    slen != sizeof(double)) {
			errno = EINVAL;
			return (-1);
		}
		memcpy(&d, s, sizeof(d));
		if (zset_vec_add(v, m, mlen, d) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Take up to w_arg[1] members (at least one) of set e, from its high end
 * when w_arg[0], else from its low end, for record w.
 */
static int
zset_block_pop(struct blocking *b, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, struct bl_waiter *w)
{
	struct zset_vec		 out;
	uint64_t		 card = zset_card(e);
	size_t			 n, bytes;
	char			*buf = NULL;
	int			 max = w->w_arg[0] != 0, rv;

	zset_vec_init(&out);
	n = w->w_arg[1] > 0 ? w->w_arg[1] : 1;
	if (n > card)
		n = (size_t)card;
	rv = n == 0 ? -1 : zset_vec_take(&out, e, n, max);
	bytes = zset_block_size(out.zv_el, out.zv_n);
	if (rv == 0 && (buf = malloc(bytes + 1)) == NULL)
		rv = -1;
	if (rv == 0) {
		zset_block_encode(buf, out.zv_el, out.zv_n);
		rv = blocking_hand_locked(b, st, kk, w, buf, bytes,
		    (uint32_t)n, max);
	}
	/* The change that takes them carries the rider. */
	if (rv == 0)
		rv = zset_remove_range_locked(b->bl_ks, st, kk, e,
		    max ? card - n : 0, max ? card : n);
	free(buf);
	zset_vec_free(&out);
	return (rv);
}

/*
 * Put a payload's members back with their scores.  A member that is in
 * the set again (a later write) keeps the score that write gave it.
 * The set is written even when nothing was missing, so that the put
 * carries the rider.
 */
static int
zset_block_return(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct bl_payload *pl)
{
	struct zset_vec		 v, back;
	size_t			 i;
	int			 rv;

	zset_vec_init(&v);
	zset_vec_init(&back);
	rv = zset_vec_load(&v, e);
	if (rv == 0)
		rv = zset_block_decode(pl, &back);
	for (i = 0; rv == 0 && i < back.zv_n; i++)
		if (zset_vec_find(&v, back.zv_el[i].ze_member,
		    back.zv_el[i].ze_len) < 0)
			rv = zset_vec_add(&v, back.zv_el[i].ze_member,
			    back.zv_el[i].ze_len, back.zv_el[i].ze_score);
	if (rv == 0 && v.zv_n > 0) {
		zset_vec_sort(&v);
		rv = zset_write_locked(ks, st, kk, &v, e != NULL ?
		    entry_expire(e) : KEYSPACE_NO_EXPIRE);
	}
	zset_vec_free(&v);
	zset_vec_free(&back);
	return (rv);
}

const struct blocking_kind blocking_zset_pop = {
	OBJ_ZSET, zset_block_pop, zset_block_return
};
