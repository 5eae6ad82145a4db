/*
 * zset_index.c: the scalable encoding of sorted sets (Redis's
 * "skiplist"): an ordered index of packed nodes under a directory, and a
 * member table (zset_internal.h for the layout).
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's garbage chain and puts.
 *
 * Crash story.  A new value (a conversion, a change of many members, a
 * copy) is built whole in the stripe's garbage chain (keyspace.h): the
 * member table first (dict_build_locked()), then the nodes from the last,
 * the directory and the root, which so heads the chain; a death before it
 * is published leaves the chain to the garbage, which repair frees.  One
 * put publishes the entry that names it and adopts the chain, retiring
 * the old value's chain in the same intent.
 *
 * A change of one member (zset_index_change_locked()) is one intent of
 * the stripe: the nodes it rewrites, a new directory and the member
 * table's new node are reserved in the intent (a death frees them) and
 * filled, their own chain words included, while nothing reaches them;
 * the intent then records absolute stores of the words that publish them
 * (the root's word that names the directory, the chain word of each old
 * node whose successor changes, the table's links, slot and count) and
 * retires the old directory and nodes, which the commit frees.  A
 * published chunk changes only through those stores, so the set is
 * wholly old until the intent is ready and wholly new after.  The table
 * may then split or merge one bucket, a change of its own (dict.c).
 *
 * Reads: a score by member through the table (dict_find()); a rank by
 * binary search of the directory's counts; a score or member by binary
 * search of the nodes' first or last pairs; then a walk within one node
 * of at most ZSET_NODE_PAIRS pairs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/dict.h"
#include "hydra/intent.h"
#include "hydra/pack.h"
#include "hydra/slab.h"
#include "zset_internal.h"

struct arena *
zset_index_arena(const struct entry *e)
{
	struct arena	*a;

	if ((a = arena_of(e)) == NULL)
		abort();	/* an entry outside every mapped arena */
	return (a);
}

const struct zset_dir *
zset_index_dir(const struct entry *e, struct arena **ap)
{
	struct arena	*a = zset_index_arena(e);

	const struct zset_root *r = arena_ptr(a, zset_ref(e).zf_root);

	if (ap != NULL)
		*ap = a;
	return (arena_ptr(a, r->zr_dir));
}

static const struct zset_node *
zset_index_node(struct arena *a, const struct zset_dir *d, uint32_t i)
{
	return (arena_ptr(a, d->zd_ent[i].zde_node));
}

/* The first (or last) pair of node n. */
static void
zset_index_end_pair(const struct zset_node *n, int last,
    struct zset_elem *el)
{
	struct zset_iter	 it;

	memset(&it, 0, sizeof(it));
	it.zi_start = zset_node_data(n);
	it.zi_end = it.zi_start + n->zn_bytes;
	it.zi_pos = last ? it.zi_end : it.zi_start;
	it.zi_reverse = last;
	if (!zset_iter_next(&it, el))
		memset(el, 0, sizeof(*el));
}

int
zset_index_score(const struct entry *e, const char *m, size_t len,
    double *score)
{
	struct dict_pair	 p;

	if (!dict_find(zset_index_arena(e), e, m, len, &p) ||
	    p.dp_vlen != sizeof(double))
		return (0);
	memcpy(score, p.dp_value, sizeof(double));
	return (1);
}

/* Walk node i of the iterator's directory: from its start, or its end. */
static void
zset_index_enter(struct zset_iter *it, uint32_t i, int at_end)
{
	const struct zset_dir	*d = it->zi_dir;
	const struct zset_node	*n = zset_index_node(it->zi_arena, d, i);

	it->zi_node = i;
	it->zi_start = zset_node_data(n);
	it->zi_end = it->zi_start + n->zn_bytes;
	it->zi_pos = at_end ? it->zi_end : it->zi_start;
}

/* An iterator that yields nothing more. */
static void
zset_index_exhaust(struct zset_iter *it)
{
	if (it->zi_reverse)
		zset_index_enter(it, 0, 0);
	else
		zset_index_enter(it, ((const struct zset_dir *)
		    it->zi_dir)->zd_nodes - 1, 1);
}

/* The node holding forward rank r < count. */
static uint32_t
zset_index_node_of_rank(const struct zset_dir *d, uint64_t r)
{
	uint32_t	 lo = 0, hi = d->zd_nodes, mid;

	/* The last node with before <= r. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (d->zd_ent[mid].zde_before <= r)
			lo = mid;
		else
			hi = mid;
	}
	return (lo);
}

void
zset_index_iter_init(struct zset_iter *it, const struct entry *e,
    uint64_t skip, int reverse)
{
	const struct zset_dir	*d = zset_index_dir(e, &it->zi_arena);
	struct zset_elem	 el;
	uint64_t		 r, in;
	uint32_t		 i;

	it->zi_dir = d;
	it->zi_reverse = reverse;
	if (skip >= d->zd_count) {
		zset_index_exhaust(it);
		return;
	}
	r = reverse ? d->zd_count - 1 - skip : skip;
	i = zset_index_node_of_rank(d, r);
	/* Pairs to pass in node i, walking from the chosen end. */
	in = r - d->zd_ent[i].zde_before;
	if (reverse)
		in = zset_index_node(it->zi_arena, d, i)->zn_count - 1 - in;
	zset_index_enter(it, i, reverse);
	while (in-- > 0 && zset_iter_next(it, &el))
		;
}

int
zset_index_iter_step(struct zset_iter *it)
{
	const struct zset_dir	*d = it->zi_dir;

	if (it->zi_reverse) {
		if (it->zi_node == 0)
			return (0);
		zset_index_enter(it, it->zi_node - 1, 1);
	} else {
		if (it->zi_node + 1 >= d->zd_nodes)
			return (0);
		zset_index_enter(it, it->zi_node + 1, 0);
	}
	return (1);
}

/*
 * Put an iterator, started at its end, on the node where the first pair
 * that ok() accepts lies: ok() is false then true along the walk's
 * direction.  Forward, that is the first node whose last pair it
 * accepts; in reverse, the last node whose first pair it accepts.
 */
void
zset_index_iter_seek(struct zset_iter *it,
    int (*ok)(const void *, const struct zset_elem *), const void *arg)
{
	const struct zset_dir	*d = it->zi_dir;
	struct zset_elem	 el;
	uint32_t		 lo = 0, hi = d->zd_nodes, mid;

	if (!it->zi_reverse) {
		/* The first node whose last pair is accepted. */
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			zset_index_end_pair(zset_index_node(it->zi_arena, d,
			    mid), 1, &el);
			if (ok(arg, &el))
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo == d->zd_nodes)
			zset_index_exhaust(it);
		else
			zset_index_enter(it, lo, 0);
		return;
	}
	/* The last node whose first pair is accepted: hi - 1 at the end. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		zset_index_end_pair(zset_index_node(it->zi_arena, d, mid), 0,
		    &el);
		if (ok(arg, &el))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		zset_index_exhaust(it);
	else
		zset_index_enter(it, lo - 1, 1);
}

struct zset_index_key {
	double		 zk_score;
	const char	*zk_m;
	size_t		 zk_len;
};

/* Is el at or after the key? */
static int
zset_index_ok_key(const void *arg, const struct zset_elem *el)
{
	const struct zset_index_key	*k = arg;

	return (zset_cmp(el->ze_score, el->ze_member, el->ze_len,
	    k->zk_score, k->zk_m, k->zk_len) >= 0);
}

int64_t
zset_index_rank(const struct entry *e, const char *m, size_t len)
{
	struct zset_index_key	 k;
	struct zset_iter	 it;
	struct zset_elem	 el;
	const struct zset_dir	*d;
	int64_t			 r;

	if (!zset_index_score(e, m, len, &k.zk_score))
		return (-1);
	k.zk_m = m;
	k.zk_len = len;
	zset_index_iter_init(&it, e, 0, 0);
	d = it.zi_dir;
	zset_index_iter_seek(&it, zset_index_ok_key, &k);
	r = d->zd_ent[it.zi_node].zde_before;
	while (it.zi_pos < it.zi_end && zset_iter_next(&it, &el)) {
		if (el.ze_len == len && (len == 0 ||
		    memcmp(el.ze_member, m, len) == 0))
			return (r);
		r++;
	}
	return (-1);
}

/* Building. */

/* A chunk of `size' bytes at the head of the stripe's garbage chain. */
static void *
zset_index_chunk(struct keyspace *ks, struct ks_stripe *st, size_t size,
    aoff_t *o)
{
	if (keyspace_garbage_alloc_locked(ks, st, size, o) == -1)
		return (NULL);
	return (arena_ptr(ks->ks_arena, *o));
}

/*
 * Where the node that starts at element i ends: at most ZSET_NODE_PAIRS
 * elements in at most ZSET_NODE_BYTES bytes (one, however long).
 */
static size_t
zset_index_node_end(const struct zset_vec *v, size_t i, size_t *bytes)
{
	size_t	 j, b = 0, sz;

	for (j = i; j < v->zv_n && j - i < ZSET_NODE_PAIRS; j++) {
		sz = pack_elem_size(v->zv_el[j].ze_len) +
		    pack_elem_size(sizeof(double));
		if (j > i && b + sz > ZSET_NODE_BYTES)
			break;
		b += sz;
	}
	*bytes = b;
	return (j);
}

int
zset_index_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct zset_vec *v, int64_t expire_ms)
{
	struct dict_pair	*pairs;
	struct zset_node	*n;
	struct zset_dir		*d;
	struct zset_dirent	*ent = NULL;
	struct zset_root	*r;
	struct zset_ref		 ref;
	size_t			 i, k, bytes, nodes, *from = NULL;
	aoff_t			 o;
	char			*w;

	if (v->zv_n > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	if ((pairs = calloc(v->zv_n, sizeof(*pairs))) == NULL)
		return (-1);
	for (i = 0; i < v->zv_n; i++) {
		pairs[i].dp_field = v->zv_el[i].ze_member;
		pairs[i].dp_flen = v->zv_el[i].ze_len;
		pairs[i].dp_value = (const char *)&v->zv_el[i].ze_score;
		pairs[i].dp_vlen = sizeof(double);
	}
	i = (size_t)dict_build_locked(ks, st, pairs, v->zv_n, &ref.zf_table);
	free(pairs);
	if (i != 0)
		return (-1);
	for (i = 0, nodes = 0; i < v->zv_n; nodes++)
		i = zset_index_node_end(v, i, &bytes);
	if ((ent = calloc(nodes, sizeof(*ent))) == NULL ||
	    (from = calloc(nodes + 1, sizeof(*from))) == NULL)
		goto fail;
	for (i = 0, k = 0; i < v->zv_n; k++) {
		from[k] = i;
		i = zset_index_node_end(v, i, &bytes);
	}
	from[nodes] = v->zv_n;
	/*
	 * The last node first: each chunk reserved heads the garbage chain,
	 * so that the chain runs root, directory, nodes in order, table.
	 */
	for (k = nodes; k-- > 0;) {
		(void)zset_index_node_end(v, from[k], &bytes);
		if ((n = zset_index_chunk(ks, st, sizeof(*n) + bytes,
		    &ent[k].zde_node)) == NULL)
			goto fail;
		n->zn_count = (uint32_t)(from[k + 1] - from[k]);
		n->zn_bytes = (uint32_t)bytes;
		ent[k].zde_before = (uint32_t)from[k];
		w = (char *)(n + 1);
		for (i = from[k]; i < from[k + 1]; i++) {
			w = pack_put(w, v->zv_el[i].ze_member,
			    v->zv_el[i].ze_len);
			w = pack_put(w, &v->zv_el[i].ze_score, sizeof(double));
		}
	}
	if ((d = zset_index_chunk(ks, st, sizeof(*d) + nodes *
	    sizeof(d->zd_ent[0]), &o)) == NULL)
		goto fail;
	d->zd_count = (uint32_t)v->zv_n;
	d->zd_nodes = (uint32_t)nodes;
	d->zd_pad = 0;
	memcpy(d->zd_ent, ent, nodes * sizeof(*ent));
	if ((r = zset_index_chunk(ks, st, sizeof(*r), &ref.zf_root)) == NULL)
		goto fail;
	r->zr_pad = 0;
	free(ent);
	free(from);
	ent = NULL;
	from = NULL;
	CRASHPOINT(zset_index_built);
	if (keyspace_put_adopt_locked(ks, st, kk, OBJ_ZSET | OBJ_ZSET_INDEX,
	    &ref, sizeof(ref), expire_ms) == -1)
		goto fail;
	return (0);
fail:
	free(ent);
	free(from);
	keyspace_garbage_drain_locked(ks, st);
	return (-1);
}

/* value.h's hooks. */

aoff_t
zset_chain(struct arena *a, const struct entry *e)
{
	(void)a;
	return (zset_is_index(e) ? zset_ref(e).zf_root : AOFF_NULL);
}

int
zset_copy_locked(struct keyspace *ks, struct ks_stripe *to,
    const struct ks_key *dst, const struct entry *e)
{
	struct zset_vec	 v;
	int		 rv;

	zset_vec_init(&v);
	if ((rv = zset_vec_load(&v, e)) == 0)
		rv = zset_index_write_locked(ks, to, dst, &v,
		    entry_expire(e));
	zset_vec_free(&v);
	return (rv);
}

/* Mark chunk o (`what', at least `size' bytes) reached: 0, or -1. */
static int
zset_check_chunk(struct check *ck, aoff_t o, size_t size, const char *what,
    unsigned db, uint32_t stripe)
{
	struct arena	*a = ck->ck_arena;

	if (!arena_contains(a, o, size) || slab_usable_size(a, o) < size ||
	    check_mark(ck, o, what) == -1) {
		check_error(ck, "db %u stripe %u: %s %u is outside the arena, "
		    "too small or reached twice", db, stripe, what, o.u);
		return (-1);
	}
	return (0);
}

/*
 * Check the index of entry e: its chain runs from the root to the
 * directory, through the nodes it names in their order, to the member
 * table's root, each chunk marked once; every node is sound and fits its
 * chunk; the pairs are in order across nodes, the counts agree, and each
 * member's score in the table is the one in the index.  Then the table
 * itself (dict_check()).
 */
void
zset_check_index(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	struct arena		*a = ck->ck_arena;
	struct zset_ref		 ref = zset_ref(e);
	const struct zset_root	*r;
	const struct zset_dir	*d;
	const struct zset_node	*n;
	struct zset_iter	 it;
	struct zset_elem	 el, prev;
	uint64_t		 count = 0;
	uint32_t		 i;
	aoff_t			 o, next;
	double			 sc;
	int			 have = 0;

	if (zset_check_chunk(ck, ref.zf_root, sizeof(*r),
	    "sorted set root", db, stripe) == -1)
		return;
	r = arena_ptr(a, ref.zf_root);
	if (zset_check_chunk(ck, r->zr_dir, sizeof(*d),
	    "sorted set directory", db, stripe) == -1)
		return;
	d = arena_ptr(a, r->zr_dir);
	if (d->zd_nodes == 0 || d->zd_count == 0 ||
	    slab_usable_size(a, r->zr_dir) < sizeof(*d) +
	    (size_t)d->zd_nodes * sizeof(d->zd_ent[0])) {
		check_error(ck, "db %u stripe %u: sorted set directory of %u "
		    "nodes is empty or does not fit its chunk", db, stripe,
		    d->zd_nodes);
		return;
	}
	for (i = 0, next = d->zd_next; i < d->zd_nodes; i++) {
		o = d->zd_ent[i].zde_node;
		if (!aoff_eq(o, next)) {
			check_error(ck, "db %u stripe %u: sorted set chain "
			    "reaches %u where the directory's node %u is %u",
			    db, stripe, next.u, i, o.u);
			return;
		}
		if (zset_check_chunk(ck, o, sizeof(*n), "sorted set node",
		    db, stripe) == -1)
			return;
		n = arena_ptr(a, o);
		if (n->zn_count == 0 ||
		    slab_usable_size(a, o) - sizeof(*n) < n->zn_bytes ||
		    !pack_valid(zset_node_data(n), n->zn_bytes,
		    2 * (uint64_t)n->zn_count)) {
			check_error(ck, "db %u stripe %u: sorted set node %u "
			    "does not hold the %u pairs it counts", db, stripe,
			    o.u, n->zn_count);
			return;
		}
		if (d->zd_ent[i].zde_before != count)
			check_error(ck, "db %u stripe %u: sorted set directory "
			    "counts %u members before node %u, not %llu", db,
			    stripe, d->zd_ent[i].zde_before, i,
			    (unsigned long long)count);
		count += n->zn_count;
		next = n->zn_next;
	}
	if (!aoff_eq(next, ref.zf_table)) {
		check_error(ck, "db %u stripe %u: sorted set chain goes on to "
		    "%u, not to its table %u", db, stripe, next.u,
		    ref.zf_table.u);
		return;
	}
	if (count != d->zd_count)
		check_error(ck, "db %u stripe %u: sorted set directory says "
		    "%u members, its nodes hold %llu", db, stripe,
		    d->zd_count, (unsigned long long)count);
	dict_check(ck, e, db, stripe);
	if (dict_count(a, e) != d->zd_count)
		check_error(ck, "db %u stripe %u: sorted set table holds %llu "
		    "members, its index %u", db, stripe,
		    (unsigned long long)dict_count(a, e), d->zd_count);
	memset(&it, 0, sizeof(it));
	it.zi_dir = d;
	it.zi_arena = a;
	zset_index_enter(&it, 0, 0);
	while (zset_iter_next(&it, &el)) {
		if (el.ze_score != el.ze_score)
			check_error(ck, "db %u stripe %u: a score is NaN", db,
			    stripe);
		if (have && zset_cmp(prev.ze_score, prev.ze_member,
		    prev.ze_len, el.ze_score, el.ze_member, el.ze_len) >= 0)
			check_error(ck, "db %u stripe %u: sorted set index "
			    "out of order", db, stripe);
		if (!zset_index_score(e, el.ze_member, el.ze_len, &sc) ||
		    memcmp(&sc, &el.ze_score, sizeof(sc)) != 0)
			check_error(ck, "db %u stripe %u: a member's score in "
			    "the table is not the index's", db, stripe);
		prev = el;
		have = 1;
	}
}

/* Changing one member. */

/* The most nodes one change reserves: a node of each, one split. */
#define ZSET_CHANGE_NODES	3

/*
 * The node where (score, m) is or would go: the first whose last pair is
 * at or after it, or the last.
 */
static uint32_t
zset_index_home(struct arena *a, const struct zset_dir *d, double score,
    const char *m, size_t len)
{
	struct zset_index_key	 k;
	struct zset_iter	 it;

	memset(&it, 0, sizeof(it));
	it.zi_dir = d;
	it.zi_arena = a;
	k.zk_score = score;
	k.zk_m = m;
	k.zk_len = len;
	zset_index_iter_seek(&it, zset_index_ok_key, &k);
	return (it.zi_node);
}

/*
 * The pairs of node t as the change leaves them, in v: without m when
 * `drop', with (score, m) in its place when `add'.
 */
static int
zset_index_node_pairs(const struct zset_node *n, const char *m, size_t len,
    int drop, int add, double score, struct zset_vec *v)
{
	struct zset_iter	 it;
	struct zset_elem	 el;

	memset(&it, 0, sizeof(it));
	it.zi_start = zset_node_data(n);
	it.zi_end = it.zi_start + n->zn_bytes;
	it.zi_pos = it.zi_start;
	while (zset_iter_next(&it, &el)) {
		if (drop && el.ze_len == len && (len == 0 ||
		    memcmp(el.ze_member, m, len) == 0))
			continue;
		if (zset_vec_add(v, el.ze_member, el.ze_len,
		    el.ze_score) == -1)
			return (-1);
	}
	return (add ? zset_vec_insert(v, m, len, score) : 0);
}

/* Pack elements [from, to) of v into a node reserved in the intent. */
static int
zset_index_node_new(struct arena *a, struct intent *in,
    const struct zset_vec *v, size_t from, size_t to, aoff_t *o)
{
	struct zset_node	*n;
	size_t			 i, bytes = 0;
	char			*w;

	for (i = from; i < to; i++)
		bytes += pack_elem_size(v->zv_el[i].ze_len) +
		    pack_elem_size(sizeof(double));
	if (intent_alloc(a, in, sizeof(*n) + bytes, o) == -1)
		return (-1);
	n = arena_ptr(a, *o);
	n->zn_next = AOFF_NULL;
	n->zn_count = (uint32_t)(to - from);
	n->zn_bytes = (uint32_t)bytes;
	for (w = (char *)(n + 1), i = from; i < to; i++) {
		w = pack_put(w, v->zv_el[i].ze_member, v->zv_el[i].ze_len);
		w = pack_put(w, &v->zv_el[i].ze_score, sizeof(double));
	}
	return (0);
}

/*
 * Where a node of v's pairs splits in two: none (v->zv_n) while it is
 * within ZSET_NODE_PAIRS and ZSET_NODE_BYTES, else where the bytes are
 * halved.
 */
static size_t
zset_index_split_at(const struct zset_vec *v)
{
	size_t	 i, total = 0, half = 0;

	for (i = 0; i < v->zv_n; i++)
		total += pack_elem_size(v->zv_el[i].ze_len) +
		    pack_elem_size(sizeof(double));
	if (v->zv_n <= 1 || (v->zv_n <= ZSET_NODE_PAIRS &&
	    total <= ZSET_NODE_BYTES))
		return (v->zv_n);
	for (i = 0; i < v->zv_n - 1 && half * 2 < total; i++)
		half += pack_elem_size(v->zv_el[i].ze_len) +
		    pack_elem_size(sizeof(double));
	return (i > 0 ? i : 1);
}

/*
 * One member's change as one intent: out of the node that holds it
 * (had: at score old), into the node where (score, m) goes (put), or
 * both.  The nodes touched are rewritten (a node emptied goes, one grown
 * past its bounds splits), the directory is rewritten around them and
 * published by one store in the root, the chain is relinked around the
 * new nodes, and the member table's node changes in the same intent.
 * 0, or -1 ENOMEM (nothing changed).  The set must hold another member
 * besides m when !put.
 */
int
zset_index_change_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, const char *m, size_t len, int had, double old,
    int put, double score)
{
	struct arena		*a = ks->ks_arena;
	struct zset_ref		 ref = zset_ref(e);
	struct zset_root	*r = arena_ptr(a, ref.zf_root);
	const struct zset_dir	*d = arena_ptr(a, r->zr_dir);
	struct zset_dir		*nd;
	struct zset_dirent	 fresh[ZSET_CHANGE_NODES + 1];
	struct zset_vec		 v;
	struct intent		*in;
	uint32_t		 t[2], nt = 0, i, j, k, nodes, before;
	uint32_t		 nfresh[2], first[2];
	uint32_t		*word;
	size_t			 cut;
	aoff_t			 ndo, want;
	int			 rv = -1, isnew;

	if (had)
		t[nt++] = zset_index_home(a, d, old, m, len);
	if (put) {
		j = zset_index_home(a, d, score, m, len);
		if (nt == 0 || j != t[0])
			t[nt++] = j;
	}
	if (nt == 2 && t[1] < t[0]) {
		j = t[0];
		t[0] = t[1];
		t[1] = j;
	}
	in = keyspace_begin_locked(ks, st);
	zset_vec_init(&v);
	/* The new nodes of each touched node: fresh[first[x] ...]. */
	for (i = 0, k = 0; i < nt; i++) {
		const struct zset_node *n = zset_index_node(a, d, t[i]);
		int drop = had && t[i] == zset_index_home(a, d, old, m, len);
		int add = put && t[i] == zset_index_home(a, d, score, m, len);

		v.zv_n = 0;
		if (zset_index_node_pairs(n, m, len, drop, add, score,
		    &v) == -1)
			goto abort;
		first[i] = k;
		nfresh[i] = 0;
		if (v.zv_n == 0)
			continue;
		cut = zset_index_split_at(&v);
		if (zset_index_node_new(a, in, &v, 0, cut,
		    &fresh[k].zde_node) == -1)
			goto abort;
		fresh[k++].zde_before = (uint32_t)cut;	/* its count, here */
		nfresh[i]++;
		if (cut < v.zv_n) {
			if (zset_index_node_new(a, in, &v, cut, v.zv_n,
			    &fresh[k].zde_node) == -1)
				goto abort;
			fresh[k++].zde_before = (uint32_t)(v.zv_n - cut);
			nfresh[i]++;
		}
	}
	nodes = d->zd_nodes;
	for (i = 0; i < nt; i++)
		nodes = nodes - 1 + nfresh[i];
	if (intent_alloc(a, in, sizeof(*nd) + (size_t)nodes *
	    sizeof(nd->zd_ent[0]), &ndo) == -1)
		goto abort;
	nd = arena_ptr(a, ndo);
	nd->zd_count = d->zd_count + (put && !had) - (had && !put);
	nd->zd_nodes = nodes;
	nd->zd_pad = 0;
	/* The directory: the old slots, the touched ones replaced. */
	for (i = 0, j = 0, k = 0, before = 0; i < d->zd_nodes; i++) {
		if (k < nt && t[k] == i) {
			uint32_t x;

			for (x = 0; x < nfresh[k]; x++) {
				nd->zd_ent[j].zde_node =
				    fresh[first[k] + x].zde_node;
				nd->zd_ent[j++].zde_before = before;
				before += fresh[first[k] + x].zde_before;
			}
			k++;
			continue;
		}
		nd->zd_ent[j].zde_node = d->zd_ent[i].zde_node;
		nd->zd_ent[j++].zde_before = before;
		before += zset_index_node(a, d, i)->zn_count;
	}
	/*
	 * The chain: the directory, its nodes in order, the table.  A new
	 * chunk's link is written in it; an old node's link, when it
	 * changes, is a store of the intent.
	 */
	nd->zd_next = nd->zd_ent[0].zde_node;
	for (i = 0; i < nodes; i++) {
		want = i + 1 < nodes ? nd->zd_ent[i + 1].zde_node :
		    ref.zf_table;
		word = &((aoff_t *)arena_ptr(a, nd->zd_ent[i].zde_node))->u;
		for (k = 0, isnew = 0; k < (uint32_t)(first[nt - 1] +
		    nfresh[nt - 1]); k++)
			isnew |= aoff_eq(fresh[k].zde_node,
			    nd->zd_ent[i].zde_node);
		if (isnew)
			*word = want.u;
		else if (*word != want.u)
			intent_store(a, in, word, want.u);
	}
	CRASHPOINT(zset_index_nodes_built);
	intent_store(a, in, &r->zr_dir.u, ndo.u);
	intent_retire(a, in, r->zr_dir);
	for (i = 0; i < nt; i++)
		intent_retire(a, in, d->zd_ent[t[i]].zde_node);
	/* The member table, in the same intent. */
	if ((put ? dict_set_staged(a, in, e, m, len, &score,
	    sizeof(score)) : dict_delete_staged(a, in, e, m, len)) == -1)
		goto abort;
	CRASHPOINT(zset_index_recorded);
	keyspace_commit_locked(ks, st);
	dict_rebalance_locked(ks, st, e);
	rv = 0;
	goto out;
abort:
	intent_abort(a, in);
out:
	zset_vec_free(&v);
	return (rv);
}
