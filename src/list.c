/*
 * list.c: lists in the arena, packed in their entry or as a chain of
 * packed nodes (list.h).
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's intents.
 *
 * Crash story.  A packed list changes as a string does: a new entry
 * replaces the old one in one intent.  A chain changes a run of nodes at
 * a time: the new nodes are reserved one by one at the head of the
 * stripe's garbage chain (a death there gets them freed by repair), then
 * one intent splices them in place of the old run.  Its stores are
 * absolute: the link into the run (the previous node's ln_next or the
 * root's head), the link out of it (the next node's ln_prev or the root's
 * tail), the new run's last ln_next, the root's counts, and the garbage
 * chain, which becomes the old run (its last ln_next cleared), freed
 * after the commit.  So the list is wholly old until the intent is
 * ready, wholly new after, and no node is lost or freed twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/crashpoint.h"
#include "hydra/intent.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/pack.h"

/* The 8 KiB that a positive fill also keeps nodes under, as Redis does. */
#define LIST_SAFETY_BYTES	8192

static int	 list_fill_cfg = -2;

void
list_set_fill(int fill)
{
	list_fill_cfg = fill;
}

int
list_fill(void)
{
	return (list_fill_cfg);
}

int
list_fits(size_t bytes, size_t count)
{
	int	 f = list_fill_cfg;

	if (count <= 1)
		return (1);
	if (f < 0) {
		if (f < -5)
			f = -5;
		return (bytes <= (size_t)4096 << (-f - 1));
	}
	return (count <= (size_t)f && bytes <= LIST_SAFETY_BYTES);
}

/* Layout. */

static struct list_node *
list_node(struct arena *a, aoff_t o)
{
	return (arena_ptr(a, o));
}

static aoff_t
list_aoff(uint32_t u)
{
	aoff_t	 o;

	o.u = u;
	return (o);
}

static const char *
list_node_data(const struct list_node *n)
{
	return ((const char *)(n + 1));
}

static int
list_is_chain(const struct entry *e)
{
	return (e->e_type == (OBJ_LIST | OBJ_LIST_CHAIN));
}

/* The root of a chain: the value bytes, from their first 4-aligned one. */
static struct list_root *
list_root(const struct entry *e)
{
	size_t		 vlen;
	uintptr_t	 v = (uintptr_t)entry_value(e, &vlen);

	return ((struct list_root *)((v + 3) & ~(uintptr_t)3));
}

/* Pad bytes before the root in the value of a key of klen bytes. */
static size_t
list_root_pad(size_t klen)
{
	/* Chunks are 8-aligned; the header, long length, expiry are 4s. */
	return ((4 - klen % 4) % 4);
}

/*
 * Lay root r out in buf (3 + its size bytes) as the value of a key of
 * klen bytes; returns the value's length.
 */
static size_t
list_root_lay(char *buf, const struct list_root *r, size_t klen)
{
	size_t	 pad = list_root_pad(klen);

	memset(buf, 0, pad);
	memcpy(buf + pad, r, sizeof(*r));
	return (pad + sizeof(*r));
}

aoff_t
list_chain(struct arena *a, const struct entry *e)
{
	(void)a;
	if (!list_is_chain(e))
		return (AOFF_NULL);
	return (list_aoff(list_root(e)->lr_head));
}

static uint32_t
list_packed_count(const struct entry *e)
{
	size_t		 vlen;
	const char	*v = entry_value(e, &vlen);
	uint32_t	 n;

	memcpy(&n, v, sizeof(n));
	return (n);
}

uint64_t
list_length(struct arena *a, const struct entry *e)
{
	(void)a;
	return (list_is_chain(e) ? list_root(e)->lr_count :
	    list_packed_count(e));
}

/* Iteration. */

static void
list_iter_at(struct list_iter *it, const char *start, const char *end)
{
	it->li_start = start;
	it->li_end = end;
	it->li_pos = it->li_reverse ? end : start;
}

static void
list_iter_node(struct list_iter *it, aoff_t o)
{
	const struct list_node	*n;

	it->li_node = o;
	if (aoff_isnull(o)) {
		list_iter_at(it, NULL, NULL);
		return;
	}
	n = list_node(it->li_arena, o);
	list_iter_at(it, list_node_data(n), list_node_data(n) + n->ln_bytes);
}

void
list_iter_init(struct list_iter *it, struct arena *a, const struct entry *e,
    uint64_t skip, int reverse)
{
	const struct list_root	*r;
	const struct list_node	*n;
	const char		*v, *s;
	size_t			 vlen, len;
	aoff_t			 o;

	it->li_arena = a;
	it->li_reverse = reverse;
	if (!list_is_chain(e)) {
		v = entry_value(e, &vlen);
		it->li_node = AOFF_NULL;
		list_iter_at(it, v + 4, v + vlen);
	} else {
		r = list_root(e);
		o = list_aoff(reverse ? r->lr_tail : r->lr_head);
		/* Whole nodes are skipped by their counts. */
		while (!aoff_isnull(o) &&
		    skip >= (n = list_node(a, o))->ln_count) {
			skip -= n->ln_count;
			o = reverse ? n->ln_prev : n->ln_next;
		}
		list_iter_node(it, o);
	}
	while (skip-- > 0 && list_iter_next(it, &s, &len))
		;
}

int
list_iter_next(struct list_iter *it, const char **s, size_t *len)
{
	const struct list_node	*n;
	const char		*p;

	for (;;) {
		if (it->li_start == NULL)
			return (0);
		if (it->li_reverse ? it->li_pos > it->li_start :
		    it->li_pos < it->li_end) {
			p = it->li_reverse ?
			    pack_prev(it->li_start, it->li_pos, s, len) :
			    pack_next(it->li_pos, it->li_end, s, len);
			if (p == NULL)
				return (0);
			it->li_pos = p;
			return (1);
		}
		if (aoff_isnull(it->li_node)) {
			it->li_start = NULL;
			return (0);
		}
		n = list_node(it->li_arena, it->li_node);
		list_iter_node(it, it->li_reverse ? n->ln_prev : n->ln_next);
	}
}

/* Vectors. */

void
list_vec_init(struct list_vec *v)
{
	memset(v, 0, sizeof(*v));
}

int
list_vec_add(struct list_vec *v, const char *s, size_t len)
{
	const char	**p;
	size_t		 *l, cap;

	if (v->lv_n == v->lv_cap) {
		cap = v->lv_cap == 0 ? 16 : v->lv_cap * 2;
		if ((p = reallocarray(v->lv_ptr, cap, sizeof(*p))) == NULL)
			return (-1);
		v->lv_ptr = p;
		if ((l = reallocarray(v->lv_len, cap, sizeof(*l))) == NULL)
			return (-1);
		v->lv_len = l;
		v->lv_cap = cap;
	}
	v->lv_ptr[v->lv_n] = s;
	v->lv_len[v->lv_n] = len;
	v->lv_n++;
	return (0);
}

void
list_vec_free(struct list_vec *v)
{
	free(v->lv_ptr);
	free(v->lv_len);
	list_vec_init(v);
}

int
list_vec_args(struct list_vec *v, int argc, const char *const *argv,
    const size_t *argvlen, int from)
{
	int	 i;

	list_vec_init(v);
	for (i = from; i < argc; i++)
		if (list_vec_add(v, argv[i], argvlen[i]) == -1)
			return (-1);
	return (0);
}

int
list_vec_load(struct list_vec *v, struct arena *a, const struct entry *e,
    uint64_t from, uint64_t to)
{
	struct list_iter	 it;
	const char		*s;
	size_t			 len;
	uint64_t		 i;

	list_iter_init(&it, a, e, from, 0);
	for (i = from; (to <= from || i < to) && list_iter_next(&it, &s, &len);
	    i++)
		if (list_vec_add(v, s, len) == -1)
			return (-1);
	return (0);
}

/* Building. */

static size_t
list_vec_bytes(const struct list_vec *v, size_t from, size_t to)
{
	size_t	 b = 0;

	for (; from < to; from++)
		b += pack_elem_size(v->lv_len[from]);
	return (b);
}

/*
 * Build nodes for v's elements [from, to) in the stripe's garbage chain,
 * which must be empty: afterwards it is exactly those nodes, in list
 * order, linked both ways, the last one's ln_next null.  *first, *last
 * and *nodes describe them.  0, or -1 ENOMEM (the garbage is freed).
 */
static int
list_build(struct keyspace *ks, struct ks_stripe *st,
    const struct list_vec *v, size_t from, size_t to, aoff_t *first,
    aoff_t *last, uint32_t *nodes)
{
	struct arena		*a = ks->ks_arena;
	struct list_node	*n;
	size_t			*cut, ncut = 0, i, j, bytes, sz;
	aoff_t			 o, after = AOFF_NULL;
	char			*p;

	*first = *last = AOFF_NULL;
	*nodes = 0;
	if ((cut = calloc(to - from + 1, sizeof(*cut))) == NULL)
		return (-1);
	/* Greedy cuts from the front: cut[k] is where node k starts. */
	for (i = from, bytes = 0; i < to; i++) {
		sz = pack_elem_size(v->lv_len[i]);
		if (ncut == 0 ||
		    !list_fits(bytes + sz, i - cut[ncut - 1] + 1)) {
			cut[ncut++] = i;
			bytes = 0;
		}
		bytes += sz;
	}
	/* Reserve from the last node back, so the chain ends in order. */
	for (j = ncut; j-- > 0;) {
		size_t	 end = j + 1 < ncut ? cut[j + 1] : to;

		bytes = list_vec_bytes(v, cut[j], end);
		if (keyspace_garbage_alloc_locked(ks, st, sizeof(*n) + bytes,
		    &o) == -1) {
			free(cut);
			keyspace_garbage_drain_locked(ks, st);
			return (-1);
		}
		n = list_node(a, o);
		n->ln_prev = AOFF_NULL;
		n->ln_count = (uint32_t)(end - cut[j]);
		n->ln_bytes = (uint32_t)bytes;
		p = (char *)(n + 1);
		for (i = cut[j]; i < end; i++)
			p = pack_put(p, v->lv_ptr[i], v->lv_len[i]);
		if (!aoff_isnull(after))
			list_node(a, after)->ln_prev = o;
		else
			*last = o;
		after = o;
	}
	free(cut);
	*first = after;
	*nodes = (uint32_t)ncut;
	return (0);
}

int
list_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct list_vec *v, int64_t expire_ms)
{
	struct list_root	 r;
	aoff_t			 first, last;
	uint32_t		 nodes, n32;
	size_t			 bytes, i, rlen;
	char			*buf, *p, rbuf[3 + sizeof(r)];
	int			 rv;

	if (v->lv_n == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if (v->lv_n > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	bytes = list_vec_bytes(v, 0, v->lv_n);
	if (list_fits(bytes, v->lv_n)) {
		if ((buf = malloc(4 + bytes)) == NULL)
			return (-1);
		n32 = (uint32_t)v->lv_n;
		memcpy(buf, &n32, 4);
		for (i = 0, p = buf + 4; i < v->lv_n; i++)
			p = pack_put(p, v->lv_ptr[i], v->lv_len[i]);
		rv = keyspace_put_locked(ks, st, kk, OBJ_LIST | OBJ_LIST_PACKED,
		    buf, 4 + bytes, expire_ms);
		free(buf);
		return (rv);
	}
	if (list_build(ks, st, v, 0, v->lv_n, &first, &last, &nodes) == -1)
		return (-1);
	r.lr_head = first.u;
	r.lr_tail = last.u;
	r.lr_count = (uint32_t)v->lv_n;
	r.lr_nodes = nodes;
	rlen = list_root_lay(rbuf, &r, kk->kk_len);
	CRASHPOINT(list_built);
	rv = keyspace_put_adopt_locked(ks, st, kk, OBJ_LIST | OBJ_LIST_CHAIN,
	    rbuf, rlen, expire_ms);
	if (rv == -1)
		keyspace_garbage_drain_locked(ks, st);
	return (rv);
}

int
list_copy_locked(struct keyspace *ks, struct ks_stripe *to,
    const struct ks_key *dst, const struct entry *e)
{
	struct list_vec	 v;
	int		 rv;

	list_vec_init(&v);
	if (list_vec_load(&v, ks->ks_arena, e, 0, 0) == -1) {
		list_vec_free(&v);
		return (-1);
	}
	rv = list_write_locked(ks, to, dst, &v, entry_expire(e));
	list_vec_free(&v);
	return (rv);
}

const void *
list_move_bytes(const struct entry *e, size_t klen, char *buf, size_t *vlen)
{
	*vlen = list_root_lay(buf, list_root(e), klen);
	return (buf);
}

/* Splicing a chain. */

/* A run of consecutive nodes of a chain, and what lies around it. */
struct list_run {
	aoff_t		 lu_prev;	/* before the run, or null */
	aoff_t		 lu_first;	/* null: empty, after lu_prev */
	aoff_t		 lu_last;
	aoff_t		 lu_next;	/* after the run, or null */
	uint32_t	 lu_nodes;
	uint32_t	 lu_count;
};

/* New nodes built in the garbage chain, to take a run's place. */
struct list_seg {
	aoff_t		 sg_first;	/* null: none */
	aoff_t		 sg_last;
	uint32_t	 sg_nodes;
	uint32_t	 sg_count;	/* elements */
};

/*
 * Put segment g (the whole garbage chain, or nothing) in place of run u of
 * the chain of entry e, in one intent (the crash story above).  When the
 * list would be left empty the key is deleted instead.
 */
static void
list_publish(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct list_run *u,
    const struct list_seg *g)
{
	struct arena		*a = ks->ks_arena;
	struct list_root	*r = list_root(e);
	struct intent		*in;
	aoff_t			 in_to, out_to;
	uint32_t		 count;

	count = r->lr_count - u->lu_count + g->sg_count;
	if (count == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		return;
	}
	if (!aoff_isnull(g->sg_first))
		list_node(a, g->sg_first)->ln_prev = u->lu_prev;
	CRASHPOINT(list_splice_built);
	in_to = !aoff_isnull(g->sg_first) ? g->sg_first : u->lu_next;
	out_to = !aoff_isnull(g->sg_last) ? g->sg_last : u->lu_prev;
	in = keyspace_begin_locked(ks, st);
	if (aoff_isnull(u->lu_prev))
		intent_store(a, in, &r->lr_head, in_to.u);
	else
		intent_store(a, in, &list_node(a, u->lu_prev)->ln_next.u,
		    in_to.u);
	if (aoff_isnull(u->lu_next))
		intent_store(a, in, &r->lr_tail, out_to.u);
	else
		intent_store(a, in, &list_node(a, u->lu_next)->ln_prev.u,
		    out_to.u);
	if (!aoff_isnull(g->sg_last) && !aoff_isnull(u->lu_next))
		intent_store(a, in, &list_node(a, g->sg_last)->ln_next.u,
		    u->lu_next.u);
	intent_store(a, in, &r->lr_count, count);
	if (g->sg_nodes != u->lu_nodes)
		intent_store(a, in, &r->lr_nodes,
		    r->lr_nodes - u->lu_nodes + g->sg_nodes);
	if (!aoff_isnull(u->lu_first)) {
		/* The old run becomes the garbage, cut from what follows. */
		intent_store(a, in, keyspace_garbage_word(st),
		    u->lu_first.u);
		if (!aoff_isnull(u->lu_next))
			intent_store(a, in,
			    &list_node(a, u->lu_last)->ln_next.u, 0);
	} else if (!aoff_isnull(g->sg_first))
		intent_store(a, in, keyspace_garbage_word(st), 0);
	CRASHPOINT(list_splice_recorded);
	keyspace_commit_locked(ks, st);
}

/*
 * Replace run u of the chain of entry e with new nodes holding v's
 * elements [from, to).  0, or -1 ENOMEM (nothing changed).
 */
static int
list_splice(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct list_run *u,
    const struct list_vec *v, size_t from, size_t to)
{
	struct list_seg	 g;

	memset(&g, 0, sizeof(g));
	g.sg_count = (uint32_t)(to - from);
	if (list_root(e)->lr_count - u->lu_count + g.sg_count > 0 &&
	    to > from && list_build(ks, st, v, from, to, &g.sg_first,
	    &g.sg_last, &g.sg_nodes) == -1)
		return (-1);
	list_publish(ks, st, kk, e, u, &g);
	return (0);
}

/*
 * One new node in the garbage chain (which must be empty) holding the
 * packed bytes p[0] then p[1], with `count' elements: segment *g.  0, or
 * -1 ENOMEM.
 */
static int
list_node_of(struct keyspace *ks, struct ks_stripe *st, const char *p0,
    size_t len0, const char *p1, size_t len1, uint32_t count,
    struct list_seg *g)
{
	struct list_node	*n;
	aoff_t			 o;

	if (keyspace_garbage_alloc_locked(ks, st, sizeof(*n) + len0 + len1,
	    &o) == -1)
		return (-1);
	n = list_node(ks->ks_arena, o);
	n->ln_prev = AOFF_NULL;
	n->ln_count = count;
	n->ln_bytes = (uint32_t)(len0 + len1);
	if (len0 > 0)
		memcpy((char *)(n + 1), p0, len0);
	if (len1 > 0)
		memcpy((char *)(n + 1) + len0, p1, len1);
	g->sg_first = g->sg_last = o;
	g->sg_nodes = 1;
	g->sg_count = count;
	return (0);
}

/* The run of one node o. */
static void
list_run_of(struct arena *a, aoff_t o, struct list_run *u)
{
	const struct list_node	*n = list_node(a, o);

	u->lu_prev = n->ln_prev;
	u->lu_first = u->lu_last = o;
	u->lu_next = n->ln_next;
	u->lu_nodes = 1;
	u->lu_count = n->ln_count;
}

/* Add the elements of node o to v. */
static int
list_vec_node(struct list_vec *v, struct arena *a, aoff_t o)
{
	const struct list_node	*n = list_node(a, o);
	const char		*p = list_node_data(n);
	const char		*end = p + n->ln_bytes, *s;
	size_t			 len;

	while (p < end && (p = pack_next(p, end, &s, &len)) != NULL)
		if (list_vec_add(v, s, len) == -1)
			return (-1);
	return (0);
}

/* The node holding element `index' of a chain, and the index within it. */
static aoff_t
list_find(struct arena *a, const struct entry *e, uint64_t index,
    uint64_t *within)
{
	const struct list_root	*r = list_root(e);
	const struct list_node	*n;
	aoff_t			 o;
	uint64_t		 back;

	if (index < r->lr_count / 2) {
		for (o = list_aoff(r->lr_head);
		    index >= (n = list_node(a, o))->ln_count; o = n->ln_next)
			index -= n->ln_count;
		*within = index;
		return (o);
	}
	back = r->lr_count - 1 - index;
	for (o = list_aoff(r->lr_tail);
	    back >= (n = list_node(a, o))->ln_count; o = n->ln_prev)
		back -= n->ln_count;
	*within = n->ln_count - 1 - back;
	return (o);
}

/* Changes. */

/* A packed list changes by a rebuild of its entry. */
static int
list_rebuild(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, struct list_vec *v)
{
	return (list_write_locked(ks, st, kk, v, entry_expire(e)));
}

int
list_push_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, int where,
    const struct list_vec *add)
{
	struct arena		*a = ks->ks_arena;
	struct list_vec		 ord, v;
	struct list_run		 u;
	struct list_seg		 g;
	const struct list_node	*n;
	const struct list_root	*r;
	size_t			 i, j, bytes;
	char			*buf, *p;
	aoff_t			 end;
	int			 rv = -1;

	/* The new elements in list order: LPUSH a b puts b first. */
	list_vec_init(&ord);
	list_vec_init(&v);
	for (i = 0; i < add->lv_n; i++) {
		j = where == LIST_HEAD ? add->lv_n - 1 - i : i;
		if (list_vec_add(&ord, add->lv_ptr[j], add->lv_len[j]) == -1)
			goto out;
	}
	if (e == NULL || !list_is_chain(e)) {
		/* Packed (or new): the whole list is rebuilt. */
		if (where == LIST_TAIL && e != NULL &&
		    list_vec_load(&v, a, e, 0, 0) == -1)
			goto out;
		for (i = 0; i < ord.lv_n; i++)
			if (list_vec_add(&v, ord.lv_ptr[i], ord.lv_len[i]) ==
			    -1)
				goto out;
		if (where == LIST_HEAD && e != NULL &&
		    list_vec_load(&v, a, e, 0, 0) == -1)
			goto out;
		rv = list_write_locked(ks, st, kk, &v,
		    e != NULL ? entry_expire(e) : KEYSPACE_NO_EXPIRE);
		goto out;
	}
	r = list_root(e);
	if ((uint64_t)r->lr_count + add->lv_n > UINT32_MAX) {
		errno = EFBIG;
		goto out;
	}
	end = list_aoff(where == LIST_HEAD ? r->lr_head : r->lr_tail);
	n = list_node(a, end);
	bytes = list_vec_bytes(&ord, 0, ord.lv_n);
	if (!list_fits(n->ln_bytes + bytes, n->ln_count + ord.lv_n)) {
		/* A new run beside the end node. */
		memset(&u, 0, sizeof(u));
		if (where == LIST_HEAD)
			u.lu_next = end;
		else
			u.lu_prev = end;
		rv = list_splice(ks, st, kk, e, &u, &ord, 0, ord.lv_n);
		goto out;
	}
	/* The end node has room: it is copied with them, its bytes as is. */
	if ((buf = malloc(bytes + 1)) == NULL)
		goto out;
	for (i = 0, p = buf; i < ord.lv_n; i++)
		p = pack_put(p, ord.lv_ptr[i], ord.lv_len[i]);
	list_run_of(a, end, &u);
	rv = where == LIST_HEAD ?
	    list_node_of(ks, st, buf, bytes, list_node_data(n), n->ln_bytes,
	    n->ln_count + (uint32_t)ord.lv_n, &g) :
	    list_node_of(ks, st, list_node_data(n), n->ln_bytes, buf, bytes,
	    n->ln_count + (uint32_t)ord.lv_n, &g);
	free(buf);
	if (rv == 0)
		list_publish(ks, st, kk, e, &u, &g);
out:
	list_vec_free(&ord);
	list_vec_free(&v);
	return (rv);
}

int
list_pop_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, int where,
    uint64_t count)
{
	struct arena		*a = ks->ks_arena;
	struct list_vec		 v;
	struct list_run		 u;
	const struct list_node	*n;
	const struct list_root	*r;
	uint64_t		 len = list_length(a, e);
	struct list_seg		 g;
	const char		*start, *end, *p, *q, *s;
	size_t			 slen;
	uint32_t		 keep, i;
	aoff_t			 o;
	int			 rv = -1;

	if (count > len)
		count = len;
	list_vec_init(&v);
	if (!list_is_chain(e)) {
		if (list_vec_load(&v, a, e, where == LIST_HEAD ? count : 0,
		    where == LIST_HEAD ? 0 : len - count) == -1)
			goto out;
		if (where == LIST_TAIL && len == count)
			v.lv_n = 0;
		rv = list_rebuild(ks, st, kk, e, &v);
		goto out;
	}
	r = list_root(e);
	/* The run: every node the pops reach, the last maybe in part. */
	memset(&u, 0, sizeof(u));
	o = list_aoff(where == LIST_HEAD ? r->lr_head : r->lr_tail);
	u.lu_first = o;
	for (;;) {
		n = list_node(a, o);
		u.lu_nodes++;
		u.lu_count += n->ln_count;
		if (u.lu_count >= count)
			break;
		o = where == LIST_HEAD ? n->ln_next : n->ln_prev;
	}
	u.lu_last = o;
	memset(&g, 0, sizeof(g));
	if (u.lu_count > count) {
		/*
		 * What stays of the last node reached, its bytes as they
		 * are: `keep' elements at the far end.
		 */
		keep = (uint32_t)(u.lu_count - count);
		start = list_node_data(n);
		end = start + n->ln_bytes;
		for (i = n->ln_count - keep, p = start, q = end; i > 0 &&
		    p != NULL && q != NULL; i--) {
			if (where == LIST_HEAD)
				p = pack_next(p, end, &s, &slen);
			else
				q = pack_prev(start, q, &s, &slen);
		}
		if (p == NULL || q == NULL ||
		    list_node_of(ks, st, p, (size_t)(q - p), NULL, 0, keep,
		    &g) == -1)
			goto out;
	}
	if (where == LIST_HEAD) {
		u.lu_prev = AOFF_NULL;
		u.lu_next = n->ln_next;
	} else {
		/* Seen from the head, the run goes from o to the tail. */
		u.lu_first = o;
		u.lu_last = list_aoff(r->lr_tail);
		u.lu_prev = n->ln_prev;
		u.lu_next = AOFF_NULL;
	}
	list_publish(ks, st, kk, e, &u, &g);
	rv = 0;
out:
	list_vec_free(&v);
	return (rv);
}

/*
 * Rewrite the node holding element `index' with s put in place of that
 * element (replace) or before or after it.
 */
static int
list_edit_at(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, uint64_t index,
    int how, const char *s, size_t len)
{
	struct arena	*a = ks->ks_arena;
	struct list_vec	 v, out;
	struct list_run	 u;
	uint64_t	 at, i;
	aoff_t		 o;
	int		 rv = -1;

	list_vec_init(&v);
	list_vec_init(&out);
	if (list_is_chain(e)) {
		o = list_find(a, e, index, &at);
		list_run_of(a, o, &u);
		if (list_vec_node(&v, a, o) == -1)
			goto out;
	} else {
		at = index;
		if (list_vec_load(&v, a, e, 0, 0) == -1)
			goto out;
	}
	for (i = 0; i < v.lv_n; i++) {
		if (i == at && how == 1 && list_vec_add(&out, s, len) == -1)
			goto out;
		if ((i != at || how != 0) &&
		    list_vec_add(&out, v.lv_ptr[i], v.lv_len[i]) == -1)
			goto out;
		if (i == at && how != 1 && list_vec_add(&out, s, len) == -1)
			goto out;
	}
	if (list_is_chain(e))
		rv = list_splice(ks, st, kk, e, &u, &out, 0, out.lv_n);
	else
		rv = list_rebuild(ks, st, kk, e, &out);
out:
	list_vec_free(&v);
	list_vec_free(&out);
	return (rv);
}

int
list_set_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, uint64_t index,
    const char *s, size_t len)
{
	return (list_edit_at(ks, st, kk, e, index, 0, s, len));
}

int
list_insert_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, uint64_t index,
    int after, const char *s, size_t len)
{
	return (list_edit_at(ks, st, kk, e, index, after ? 2 : 1, s, len));
}

int
list_rotate_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, int from, int to)
{
	struct arena	*a = ks->ks_arena;
	struct list_vec	 v, one;
	uint64_t	 n = list_length(a, e);
	int		 rv = -1;

	if (from == to || n <= 1)
		return (0);
	list_vec_init(&v);
	list_vec_init(&one);
	if (list_is_chain(e)) {
		/* Two changes: a death between leaves the element twice. */
		if (list_vec_load(&one, a, e, from == LIST_HEAD ? 0 : n - 1,
		    from == LIST_HEAD ? 1 : n) == 0 &&
		    list_push_locked(ks, st, kk, e, to, &one) == 0) {
			e = keyspace_peek_locked(ks, st, kk, INT64_MIN);
			rv = list_pop_locked(ks, st, kk, e, from, 1);
		}
		goto out;
	}
	/* Packed: one rebuild, the moved element at its new end. */
	if (from == LIST_TAIL && list_vec_load(&v, a, e, n - 1, n) == -1)
		goto out;
	if (list_vec_load(&v, a, e, from == LIST_HEAD ? 1 : 0,
	    from == LIST_HEAD ? n : n - 1) == -1)
		goto out;
	if (from == LIST_HEAD && list_vec_load(&v, a, e, 0, 1) == -1)
		goto out;
	rv = list_rebuild(ks, st, kk, e, &v);
out:
	list_vec_free(&v);
	list_vec_free(&one);
	return (rv);
}
