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
 * A change of members in place (zset_index_change_locked(), one member
 * or a batch of up to ZSET_BATCH_MAX; zset_index_remove_locked(), a run
 * of ranks) is planned whole in private memory first: the nodes it
 * touches and the pairs each keeps or gains.  Then it is one intent of
 * the stripe, with an overflow record (intent_reserve()) when its own
 * records are too few, reserved before anything else: the touched
 * nodes' new nodes (a node grown past its bounds becomes several, one
 * emptied or wholly inside a removed run none), a new directory and the
 * member table's new nodes (dict_batch_staged()) are reserved in the
 * intent (a death frees them) and filled, their own chain words
 * included, while nothing reaches them; the intent then records absolute
 * stores of the words that publish them (the root's word that names the
 * directory, the chain word of each old node before a touched one, the
 * table's links, slots and count) and retires the old directory and
 * nodes, which the commit frees.  A published chunk changes only through
 * those stores, so the set is wholly old until the intent is ready and
 * wholly new after.  The table may then split or merge buckets, each a
 * change of its own (dict.c).
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

/* A walk over the pairs of node n alone, from its start (or its end). */
static void
zset_index_walk(struct zset_iter *it, const struct zset_node *n, int reverse)
{
	memset(it, 0, sizeof(*it));
	it->zi_start = zset_node_data(n);
	it->zi_end = it->zi_start + n->zn_bytes;
	it->zi_pos = reverse ? it->zi_end : it->zi_start;
	it->zi_reverse = reverse;
}

/* The first (or last) pair of node n. */
static void
zset_index_end_pair(const struct zset_node *n, int last,
    struct zset_elem *el)
{
	struct zset_iter	 it;

	zset_index_walk(&it, n, last);
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
 * Where the node that starts at element i of v ends, before element
 * `to': at most `limit' (up to ZSET_NODE_PAIRS) elements in at most
 * ZSET_NODE_BYTES bytes (one, however long).
 */
static size_t
zset_index_node_end(const struct zset_vec *v, size_t i, size_t to,
    size_t limit, size_t *bytes)
{
	size_t	 j, b = 0, sz;

	for (j = i; j < to && j - i < limit; j++) {
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
		i = zset_index_node_end(v, i, v->zv_n, ZSET_NODE_PAIRS,
		    &bytes);
	if ((ent = calloc(nodes, sizeof(*ent))) == NULL ||
	    (from = calloc(nodes + 1, sizeof(*from))) == NULL)
		goto fail;
	for (i = 0, k = 0; i < v->zv_n; k++) {
		from[k] = i;
		i = zset_index_node_end(v, i, v->zv_n, ZSET_NODE_PAIRS,
		    &bytes);
	}
	from[nodes] = v->zv_n;
	/*
	 * The last node first: each chunk reserved heads the garbage chain,
	 * so that the chain runs root, directory, nodes in order, table.
	 */
	for (k = nodes; k-- > 0;) {
		(void)zset_index_node_end(v, from[k], v->zv_n,
		    ZSET_NODE_PAIRS, &bytes);
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

/* Changing members. */

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

/* The members in node i of directory d, from the directory alone. */
static uint32_t
zset_index_count_of(const struct zset_dir *d, uint32_t i)
{
	return ((i + 1 < d->zd_nodes ? d->zd_ent[i + 1].zde_before :
	    d->zd_count) - d->zd_ent[i].zde_before);
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
 * The pairs each new node of elements [from, to) of v takes at most: all
 * of them while they fit one node, else about as many in each of the
 * fewest nodes they fit (a node grown by one member splits in halves).
 */
static size_t
zset_index_run_limit(const struct zset_vec *v, size_t from, size_t to)
{
	size_t	 i, runs = 0, bytes;

	for (i = from; i < to; runs++)
		i = zset_index_node_end(v, i, to, ZSET_NODE_PAIRS, &bytes);
	if (runs <= 1)
		return (ZSET_NODE_PAIRS);
	return ((to - from + runs - 1) / runs);
}

/* The new nodes elements [from, to) of v are packed into. */
static uint32_t
zset_index_runs(const struct zset_vec *v, size_t from, size_t to)
{
	size_t	 i, limit = zset_index_run_limit(v, from, to), bytes;
	uint32_t runs = 0;

	for (i = from; i < to; runs++)
		i = zset_index_node_end(v, i, to, limit, &bytes);
	return (runs);
}

/*
 * A change of an index, planned in private memory before anything is
 * reserved: the old nodes it touches, in order, each with the pairs it
 * leaves there (a run of zp_v, packed into zt_runs new nodes, none when
 * it goes), and the changes of the member table.  The pairs and the
 * members point into the old nodes and the caller's memory, which stay
 * valid until the change is published.
 */
struct zset_touch {
	uint32_t	 zt_node;	/* its slot in the old directory */
	uint32_t	 zt_runs;
	size_t		 zt_from;	/* its pairs: zp_v's [from, */
	size_t		 zt_to;		/* to) */
};

struct zset_plan {
	struct zset_touch	*zp_t;
	size_t			 zp_nt;
	struct zset_vec		 zp_v;
	struct dict_change	*zp_dc;
	size_t			 zp_ndc;
	int64_t			 zp_count;	/* members after */
	size_t			 zp_runs;	/* new nodes in all */
};

static void
zset_plan_free(struct zset_plan *p)
{
	free(p->zp_t);
	free(p->zp_dc);
	zset_vec_free(&p->zp_v);
}

/* Start the plan of a change of n members of an index of count. */
static int
zset_plan_init(struct zset_plan *p, size_t n, uint64_t count)
{
	memset(p, 0, sizeof(*p));
	zset_vec_init(&p->zp_v);
	p->zp_count = (int64_t)count;
	if ((p->zp_t = calloc(2 * n + 2, sizeof(*p->zp_t))) == NULL ||
	    (p->zp_dc = calloc(n + 1, sizeof(*p->zp_dc))) == NULL)
		return (-1);
	return (0);
}

/* Node i is touched; its pairs after the change follow in zp_v. */
static struct zset_touch *
zset_plan_touch(struct zset_plan *p, uint32_t i)
{
	struct zset_touch	*t = &p->zp_t[p->zp_nt++];

	t->zt_node = i;
	t->zt_from = p->zp_v.zv_n;
	return (t);
}

/* The touched node's pairs are all in zp_v: count its new nodes. */
static void
zset_plan_touched(struct zset_plan *p, struct zset_touch *t)
{
	t->zt_to = p->zp_v.zv_n;
	t->zt_runs = zset_index_runs(&p->zp_v, t->zt_from, t->zt_to);
	p->zp_runs += t->zt_runs;
}

/* The member table loses m (a member of the set). */
static void
zset_plan_forget(struct zset_plan *p, const char *m, size_t len)
{
	struct dict_change	*c = &p->zp_dc[p->zp_ndc++];

	c->dc_field = m;
	c->dc_flen = len;
	c->dc_value = NULL;
	c->dc_vlen = 0;
	c->dc_delete = 1;
}

/*
 * Publish a planned change as one intent of the stripe: the touched
 * nodes' new nodes and a new directory reserved and filled (their chain
 * words too), the stores that link them (the root's word, the chain
 * words of the old nodes before them), the member table's part
 * (dict_batch_staged()), and the old nodes and directory retired.  An
 * overflow record is reserved first when the intent's own records are
 * too few.  0, or -1 ENOMEM or EFBIG (nothing changed).
 */
static int
zset_index_publish(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, struct zset_plan *p)
{
	struct arena		*a = ks->ks_arena;
	struct zset_ref		 ref = zset_ref(e);
	struct zset_root	*r = arena_ptr(a, ref.zf_root);
	const struct zset_dir	*d = arena_ptr(a, r->zr_dir);
	const struct zset_touch	*t;
	struct zset_dir		*nd;
	struct intent		*in;
	const struct zset_node	*nn;
	aoff_t			*fresh = NULL, ndo, want;
	uint8_t			*moved = NULL;
	uint32_t		 i, j, q, x, nodes, before, *word;
	size_t			 f, lo, hi, limit, bytes, stores, chunks;
	int			 rv = -1;

	nodes = (uint32_t)(d->zd_nodes - p->zp_nt + p->zp_runs);
	if (p->zp_count <= 0 || nodes == 0) {
		errno = EINVAL;
		return (-1);
	}
	if (p->zp_count > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	/* moved[j]: new slot j is a new node (1), or an old one before one. */
	if ((fresh = calloc(p->zp_runs + 1, sizeof(*fresh))) == NULL ||
	    (moved = calloc(nodes, 1)) == NULL) {
		free(fresh);
		return (-1);
	}
	/* The rider, the root, an old node's link a touched node, the table. */
	stores = 1 + 1 + p->zp_nt + DICT_STAGED_STORES(p->zp_ndc);
	/* Chunks: the new nodes (or the old, when more), directory, table. */
	chunks = (p->zp_runs > p->zp_nt ? p->zp_runs : p->zp_nt) + 1 +
	    p->zp_ndc;
	in = keyspace_begin_locked(ks, st);
	if ((stores > INTENT_MAX_STORES || chunks > INTENT_MAX_CHUNKS) &&
	    intent_reserve(a, in, stores, chunks) == -1)
		goto abort;
	for (x = 0, f = 0; x < p->zp_nt; x++) {
		t = &p->zp_t[x];
		limit = zset_index_run_limit(&p->zp_v, t->zt_from, t->zt_to);
		for (lo = t->zt_from; lo < t->zt_to; lo = hi) {
			hi = zset_index_node_end(&p->zp_v, lo, t->zt_to, limit,
			    &bytes);
			if (zset_index_node_new(a, in, &p->zp_v, lo, hi,
			    &fresh[f++]) == -1)
				goto abort;
		}
	}
	if (intent_alloc(a, in, sizeof(*nd) + (size_t)nodes *
	    sizeof(nd->zd_ent[0]), &ndo) == -1)
		goto abort;
	nd = arena_ptr(a, ndo);
	nd->zd_count = (uint32_t)p->zp_count;
	nd->zd_nodes = nodes;
	nd->zd_pad = 0;
	/* The directory: the old slots, the touched ones replaced. */
	for (i = 0, j = 0, x = 0, f = 0, before = 0; i < d->zd_nodes; i++) {
		if (x < p->zp_nt && p->zp_t[x].zt_node == i) {
			for (q = 0; q < p->zp_t[x].zt_runs; q++, j++) {
				moved[j] = 1;
				nd->zd_ent[j].zde_node = fresh[f++];
				nd->zd_ent[j].zde_before = before;
				nn = arena_ptr(a, nd->zd_ent[j].zde_node);
				before += nn->zn_count;
			}
			x++;
			continue;
		}
		/* An old node whose successor was touched: its link may go. */
		if (x < p->zp_nt && p->zp_t[x].zt_node == i + 1)
			moved[j] = 2;
		nd->zd_ent[j].zde_node = d->zd_ent[i].zde_node;
		nd->zd_ent[j++].zde_before = before;
		before += zset_index_count_of(d, i);
	}
	/*
	 * The chain: the directory, its nodes in order, the table.  A new
	 * chunk's link is written in it; an old node's link, when it
	 * changes (only before a touched node), is a store of the intent.
	 */
	nd->zd_next = nd->zd_ent[0].zde_node;
	for (i = 0; i < nodes; i++) {
		if (moved[i] == 0)
			continue;
		want = i + 1 < nodes ? nd->zd_ent[i + 1].zde_node :
		    ref.zf_table;
		word = &((aoff_t *)arena_ptr(a, nd->zd_ent[i].zde_node))->u;
		if (moved[i] == 1)
			*word = want.u;
		else if (*word != want.u)
			intent_store(a, in, word, want.u);
	}
	CRASHPOINT(zset_index_nodes_built);
	intent_store(a, in, &r->zr_dir.u, ndo.u);
	intent_retire_any(a, in, r->zr_dir);
	for (x = 0; x < p->zp_nt; x++)
		intent_retire_any(a, in,
		    d->zd_ent[p->zp_t[x].zt_node].zde_node);
	/* The member table, in the same intent. */
	if (dict_batch_staged(a, in, e, p->zp_dc, p->zp_ndc) == -1)
		goto abort;
	CRASHPOINT(zset_index_recorded);
	keyspace_commit_locked(ks, st);
	dict_rebalance_locked(ks, st, e);
	rv = 0;
	goto out;
abort:
	intent_abort(a, in);
out:
	free(fresh);
	free(moved);
	return (rv);
}

/* A member's part in a change: the pair it leaves, or the one it adds. */
struct zset_op {
	uint32_t	 zo_node;	/* the old directory's slot */
	int		 zo_put;	/* 0 leaves, 1 goes in */
	struct zset_elem zo_el;
};

/* By node, what leaves before what goes in, then in the set's order. */
static int
zset_op_cmp(const void *x, const void *y)
{
	const struct zset_op	*a = x, *b = y;

	if (a->zo_node != b->zo_node)
		return (a->zo_node < b->zo_node ? -1 : 1);
	if (a->zo_put != b->zo_put)
		return (a->zo_put - b->zo_put);
	return (zset_cmp(a->zo_el.ze_score, a->zo_el.ze_member,
	    a->zo_el.ze_len, b->zo_el.ze_score, b->zo_el.ze_member,
	    b->zo_el.ze_len));
}

static int
zset_op_before(const struct zset_op *o, const struct zset_elem *el)
{
	return (zset_cmp(o->zo_el.ze_score, o->zo_el.ze_member,
	    o->zo_el.ze_len, el->ze_score, el->ze_member, el->ze_len));
}

/* The pair op o puts in, appended to v. */
static int
zset_op_add(struct zset_vec *v, const struct zset_op *o)
{
	return (zset_vec_add(v, o->zo_el.ze_member, o->zo_el.ze_len,
	    o->zo_el.ze_score));
}

/*
 * The pairs of node n after ops[0 .. nops) (those that leave, then those
 * that go in, each in order), appended to v: a merge of the node's pairs
 * less the leaving ones with the new ones.
 */
static int
zset_index_merge(const struct zset_node *n, const struct zset_op *ops,
    size_t nops, struct zset_vec *v)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	size_t			 rm = 0, add;

	for (add = 0; add < nops && !ops[add].zo_put; add++)
		;
	zset_index_walk(&it, n, 0);
	while (zset_iter_next(&it, &el)) {
		while (rm < nops && !ops[rm].zo_put &&
		    zset_op_before(&ops[rm], &el) < 0)
			rm++;
		if (rm < nops && !ops[rm].zo_put &&
		    zset_op_before(&ops[rm], &el) == 0) {
			rm++;
			continue;
		}
		for (; add < nops && zset_op_before(&ops[add], &el) < 0; add++)
			if (zset_op_add(v, &ops[add]) == -1)
				return (-1);
		if (zset_vec_add(v, el.ze_member, el.ze_len,
		    el.ze_score) == -1)
			return (-1);
	}
	for (; add < nops; add++)
		if (zset_op_add(v, &ops[add]) == -1)
			return (-1);
	return (0);
}

/* A change's op for element el (its node found by the old directory). */
static void
zset_op_set(struct zset_op *o, struct arena *a, const struct zset_dir *d,
    int put, const char *m, size_t len, double score)
{
	o->zo_put = put;
	o->zo_el.ze_member = m;
	o->zo_el.ze_len = len;
	o->zo_el.ze_score = score;
	o->zo_node = zset_index_home(a, d, score, m, len);
}

int
zset_index_change_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, const struct zset_change *ch, size_t n)
{
	struct arena		*a;
	const struct zset_dir	*d = zset_index_dir(e, &a);
	struct zset_touch	*t;
	struct zset_plan	 p;
	struct zset_op		*ops;
	struct dict_change	*dc;
	size_t			 i, j, nops = 0;
	int			 rv = -1;

	if ((ops = calloc(2 * n + 1, sizeof(*ops))) == NULL)
		return (-1);
	if (zset_plan_init(&p, n, d->zd_count) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (ch[i].zc_had)
			zset_op_set(&ops[nops++], a, d, 0, ch[i].zc_m,
			    ch[i].zc_len, ch[i].zc_old);
		if (ch[i].zc_put)
			zset_op_set(&ops[nops++], a, d, 1, ch[i].zc_m,
			    ch[i].zc_len, ch[i].zc_score);
		p.zp_count += ch[i].zc_put - ch[i].zc_had;
		if (!ch[i].zc_put) {
			if (ch[i].zc_had)
				zset_plan_forget(&p, ch[i].zc_m, ch[i].zc_len);
			continue;
		}
		dc = &p.zp_dc[p.zp_ndc++];
		dc->dc_field = ch[i].zc_m;
		dc->dc_flen = ch[i].zc_len;
		dc->dc_value = (const char *)&ch[i].zc_score;
		dc->dc_vlen = sizeof(double);
		dc->dc_delete = 0;
	}
	qsort(ops, nops, sizeof(*ops), zset_op_cmp);
	for (i = 0; i < nops; i = j) {
		for (j = i; j < nops && ops[j].zo_node == ops[i].zo_node; j++)
			;
		t = zset_plan_touch(&p, ops[i].zo_node);
		if (zset_index_merge(zset_index_node(a, d, ops[i].zo_node),
		    ops + i, j - i, &p.zp_v) == -1)
			goto out;
		zset_plan_touched(&p, t);
	}
	rv = zset_index_publish(ks, st, e, &p);
out:
	zset_plan_free(&p);
	free(ops);
	return (rv);
}

int
zset_index_remove_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, uint64_t from, uint64_t to)
{
	struct arena		*a;
	const struct zset_dir	*d = zset_index_dir(e, &a);
	struct zset_touch	*t;
	struct zset_plan	 p;
	struct zset_iter	 it;
	struct zset_elem	 el;
	uint64_t		 rank;
	uint32_t		 i, last;
	int			 rv = -1;

	if (from >= to || to > d->zd_count) {
		errno = EINVAL;
		return (-1);
	}
	if (zset_plan_init(&p, (size_t)(to - from), d->zd_count) == -1)
		goto out;
	p.zp_count -= (int64_t)(to - from);
	last = zset_index_node_of_rank(d, to - 1);
	for (i = zset_index_node_of_rank(d, from); i <= last; i++) {
		/*
		 * A node wholly in the run goes with no new node; its
		 * members are read only to leave the table.
		 */
		t = zset_plan_touch(&p, i);
		rank = d->zd_ent[i].zde_before;
		zset_index_walk(&it, zset_index_node(a, d, i), 0);
		for (; zset_iter_next(&it, &el); rank++) {
			if (rank >= from && rank < to)
				zset_plan_forget(&p, el.ze_member, el.ze_len);
			else if (zset_vec_add(&p.zp_v, el.ze_member, el.ze_len,
			    el.ze_score) == -1)
				goto out;
		}
		zset_plan_touched(&p, t);
	}
	rv = zset_index_publish(ks, st, e, &p);
out:
	zset_plan_free(&p);
	return (rv);
}
