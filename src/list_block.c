/*
 * list_block.c: what a wait on a list takes and gives back (the list
 * kinds of blocking.h): BLPOP, BRPOP and BLMPOP take up to `count'
 * elements from one end; BLMOVE and BRPOPLPUSH take one (their push onto
 * the destination is their worker's, at delivery).
 *
 * Run by workers, with the key's stripe locked (blocking.c calls in).
 * A payload is the elements packed (pack.h) in the order they were
 * popped, so that a give-back pushes them in reverse at the same end and
 * the list is as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/pack.h"

/*
 * Take w_arg[1] elements (at least one) at end w_arg[0] of list e for
 * record w.  A move waits with a count of 0: its one element.
 */
static int
list_block_pop(struct blocking *b, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, struct bl_waiter *w)
{
	struct keyspace		*ks = b->bl_ks;
	struct list_iter	 it;
	const char		*s;
	char			*buf, *p;
	size_t			 len, bytes = 0;
	uint64_t		 n = list_length(ks->ks_arena, e), i;
	uint64_t		 count = w->w_arg[1] > 0 ? w->w_arg[1] : 1;
	int			 where = (int)w->w_arg[0], rv;

	if (count > n)
		count = n;
	if (count == 0)
		return (-1);
	list_iter_init(&it, ks->ks_arena, e, 0, where == LIST_TAIL);
	for (i = 0; i < count && list_iter_next(&it, &s, &len); i++)
		bytes += pack_elem_size(len);
	if ((buf = malloc(bytes + 1)) == NULL)
		return (-1);
	list_iter_init(&it, ks->ks_arena, e, 0, where == LIST_TAIL);
	for (i = 0, p = buf; i < count && list_iter_next(&it, &s, &len); i++)
		p = pack_put(p, s, len);
	rv = blocking_hand_locked(b, st, kk, w, buf, bytes, (uint32_t)count,
	    where);
	free(buf);
	if (rv == 0)
		rv = list_pop_locked(ks, st, kk, e, where, count);
	return (rv);
}

/*
 * Push a payload's elements back where they came from, read from its
 * last: the first popped ends up at the end again.
 */
static int
list_block_return(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct bl_payload *pl)
{
	struct list_vec	 v;
	const char	*start, *p, *s;
	size_t		 len;
	int		 rv = 0;

	list_vec_init(&v);
	start = blocking_payload_bytes(pl, &len);
	p = start + len;
	while (rv == 0 && p > start) {
		if ((p = pack_prev(start, p, &s, &len)) == NULL)
			rv = -1;
		else
			rv = list_vec_add(&v, s, len);
	}
	if (rv == 0 && v.lv_n > 0)
		rv = list_push_locked(ks, st, kk, e, (int)pl->p_where, &v);
	list_vec_free(&v);
	return (rv);
}

const struct blocking_kind blocking_list_pop = {
	OBJ_LIST, list_block_pop, list_block_return
};

/* A move takes as a pop of one; its worker pushes at delivery. */
const struct blocking_kind blocking_list_move = {
	OBJ_LIST, list_block_pop, list_block_return
};
