/*
 * dict.c: the arena hash table (dict.h), linear hashing over packed
 * bucket nodes.
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the stripe's intent.
 *
 * Crash story.  Every chunk of a table (root, segments, nodes) is on one
 * chain, linked both ways through the first two words of each chunk and
 * starting at the root, so that deleting, overwriting, expiring or
 * renaming the key hands the whole table to the keyspace's garbage
 * mechanism as it does a list's nodes (value.h).  A change is one intent
 * of the stripe (intent.h): its new chunks (at most two) are reserved in
 * the intent, where a death before the commit gets them freed, and filled
 * while nothing reaches them, their own chain words included; then the
 * intent records absolute stores of the words that publish them (the
 * chain links of their neighbours, their bucket slots, the root's counts
 * or directory) and retires the chunks they replace, which the commit
 * frees.  The stores are computed on a private overlay of the words a
 * change touches (struct dict_edit), so that neighbours that are
 * themselves new or retired are handled once: a new chunk's words are
 * written directly, a retired chunk's are not written at all.  So the
 * table is wholly old until the intent is ready and wholly new after, and
 * no chunk is lost or freed twice.  Growth and shrinking are changes of
 * their own (a split or a merge of one bucket, the allocation or release
 * of one segment), each leaving a whole table, before or after the set
 * or delete that asked for them.  A new table (dict_write_locked()) is
 * built in the stripe's garbage chain, which a death frees, and adopted
 * whole by the put that publishes its root.  A batch (dict_batch_locked())
 * is one change of the same kind over many buckets: the intent gets an
 * overflow record (intent_reserve()) sized for every touched bucket's
 * stores and chunks before any node is reserved, all the new nodes are
 * reserved and filled, and one commit publishes them, so a death or an
 * ENOMEM anywhere before it leaves the table as it was; a batch of most
 * of the buckets is a new table adopted whole instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/crashpoint.h"
#include "hydra/intent.h"
#include "hydra/object.h"
#include "hydra/slab.h"
#include "dict_internal.h"

_Static_assert(sizeof(struct dict_root) == 128,
    "a table's root fills one 128-byte chunk");

/* A merge of one bucket when the load falls below half of DICT_LOAD. */
#define DICT_SHRINK_LOAD	(DICT_LOAD / 2)
/* Draws of dict_random() before it settles for a less fair one. */
#define DICT_RANDOM_TRIES	64
/* The places a bucket is given in a draw: 4 times its load, or more. */
#define DICT_RANDOM_SPAN	(4 * DICT_LOAD)

/* Layout. */

int
dict_is_table(uint8_t tag)
{
	return (tag == (OBJ_HASH | OBJ_HASH_TABLE) ||
	    tag == (OBJ_SET | OBJ_SET_TABLE));
}

static size_t
dict_pair_size(size_t flen, size_t vlen)
{
	return (pack_elem_size(flen) + pack_elem_size(vlen));
}

/*
 * Find field in node n: 1 with *dp and the pair's bytes [*start, *stop),
 * or 0.
 */
static int
dict_node_find(const struct dict_node *n, const void *field, size_t flen,
    struct dict_pair *dp, const char **start, const char **stop)
{
	const char	*p = dict_node_data(n), *end = p + n->dn_bytes, *q;

	while (p < end && (q = dict_pair_at(p, end, dp)) != NULL) {
		if (dp->dp_flen == flen && memcmp(dp->dp_field, field,
		    flen) == 0) {
			*start = p;
			*stop = q;
			return (1);
		}
		p = q;
	}
	return (0);
}

/* Reading. */

uint64_t
dict_count(struct arena *a, const struct entry *e)
{
	return (dict_root(a, e)->dr_count);
}

int
dict_find(struct arena *a, const struct entry *e, const void *field,
    size_t flen, struct dict_pair *p)
{
	const struct dict_root	*r = dict_root(a, e);
	const char		*start, *stop;
	aoff_t			 x;

	x = *dict_slot(a, r, dict_bucket_of(r->dr_buckets,
	    dict_hash(r->dr_seed, field, flen)));
	if (aoff_isnull(x))
		return (0);
	return (dict_node_find(dict_node(a, x), field, flen, p, &start,
	    &stop));
}

void
dict_iter_init(struct dict_iter *it, struct arena *a, const struct entry *e)
{
	it->di_arena = a;
	it->di_root = dict_root(a, e);
	it->di_bucket = 0;
	it->di_pos = it->di_end = NULL;
}

int
dict_iter_next(struct dict_iter *it, struct dict_pair *p)
{
	const struct dict_node	*n;
	const char		*q;
	aoff_t			 x;

	for (;;) {
		if (it->di_pos < it->di_end) {
			if ((q = dict_pair_at(it->di_pos, it->di_end,
			    p)) == NULL)
				return (0);
			it->di_pos = q;
			return (1);
		}
		if (it->di_bucket >= it->di_root->dr_buckets)
			return (0);
		x = *dict_slot(it->di_arena, it->di_root, it->di_bucket++);
		if (!aoff_isnull(x)) {
			n = dict_node(it->di_arena, x);
			it->di_pos = dict_node_data(n);
			it->di_end = it->di_pos + n->dn_bytes;
		}
	}
}

/* Pair i of node n. */
static void
dict_node_pair(const struct dict_node *n, uint32_t i, struct dict_pair *p)
{
	const char	*q = dict_node_data(n), *end = q + n->dn_bytes;

	do
		q = dict_pair_at(q, end, p);
	while (q != NULL && i-- > 0);
}

/* A step of splitmix64: the next of a sequence of draws from one seed. */
static uint64_t
dict_mix(uint64_t *state)
{
	uint64_t	 z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return (z ^ (z >> 31));
}

void
dict_random(struct arena *a, const struct entry *e, uint64_t rnd,
    struct dict_pair *p)
{
	const struct dict_root	*r = dict_root(a, e);
	const struct dict_node	*n;
	uint64_t		 state = rnd, d, span;
	uint32_t		 b, i;
	unsigned		 tries;
	aoff_t			 x;

	/*
	 * A bucket and a place among `span' in it, drawn until the place
	 * holds a pair: every pair of a bucket of up to that many is equally
	 * likely.  The span is 4 times the load, which outgrows DICT_LOAD
	 * when the buckets can grow no more.
	 */
	span = 4 * ((uint64_t)r->dr_count / r->dr_buckets + 1);
	if (span < DICT_RANDOM_SPAN)
		span = DICT_RANDOM_SPAN;
	for (tries = 0; tries < DICT_RANDOM_TRIES; tries++) {
		d = dict_mix(&state);
		b = (uint32_t)((d >> 32) % r->dr_buckets);
		i = (uint32_t)((d & 0xffffffff) % span);
		x = *dict_slot(a, r, b);
		if (!aoff_isnull(x) && i < (n = dict_node(a, x))->dn_count) {
			dict_node_pair(n, i, p);
			return;
		}
	}
	/* Unlucky: the first pair at or after a drawn bucket. */
	d = dict_mix(&state);
	for (b = (uint32_t)(d % r->dr_buckets);; b = (b + 1) % r->dr_buckets) {
		x = *dict_slot(a, r, b);
		if (!aoff_isnull(x)) {
			n = dict_node(a, x);
			dict_node_pair(n, (uint32_t)(d >> 32) % n->dn_count, p);
			return;
		}
	}
}

static void
dict_visit_bucket(struct arena *a, const struct dict_root *r, uint32_t b,
    void (*fn)(const struct dict_pair *, void *), void *arg)
{
	const struct dict_node	*n;
	struct dict_pair	 p;
	const char		*q, *end;
	aoff_t			 x = *dict_slot(a, r, b);

	if (aoff_isnull(x))
		return;
	n = dict_node(a, x);
	q = dict_node_data(n);
	end = q + n->dn_bytes;
	while (q < end && (q = dict_pair_at(q, end, &p)) != NULL)
		fn(&p, arg);
}

static uint64_t
dict_rev64(uint64_t v)
{
	uint64_t	 r = 0;
	int		 i;

	for (i = 0; i < 64; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return (r);
}

uint64_t
dict_scan(struct arena *a, const struct entry *e, uint64_t cursor,
    void (*fn)(const struct dict_pair *, void *), void *arg)
{
	const struct dict_root	*r = dict_root(a, e);
	uint32_t		 nb = r->dr_buckets;
	uint64_t		 lo = (uint64_t)1 << dict_log2(nb);
	uint64_t		 m = lo - 1, v;
	uint32_t		 b = (uint32_t)(cursor & m);

	/*
	 * The pairs whose hashes end in b: bucket b, and bucket b + 2^L
	 * too when b was split.  As in a power-of-two table of 2^L buckets,
	 * the cursor counts over b with its bits reversed.
	 */
	dict_visit_bucket(a, r, b, fn, arg);
	if (b + lo < nb)
		dict_visit_bucket(a, r, (uint32_t)(b + lo), fn, arg);
	v = dict_rev64(cursor | ~m);
	v++;
	return (dict_rev64(v));
}

aoff_t
dict_chain(struct arena *a, const struct entry *e)
{
	(void)a;
	if (!dict_is_table(e->e_type))
		return (AOFF_NULL);
	return (dict_root_off(e));
}

/* Changes: the overlay of touched words. */

/* Words and chunks a change of one or two buckets touches at most. */
#define DICT_EDIT_MAX	16
#define DICT_EDIT_CHUNKS	(2 * INTENT_MAX_CHUNKS)

/*
 * The words a change sets, as they will be once it is published: read
 * through the overlay, written to it, then recorded in the intent (or
 * written directly into the change's new chunks, or dropped for the
 * chunks it retires) by dict_edit_finish().  Words and chunks are found
 * through small open-addressing indexes, so that a batch of many buckets
 * costs no more per word than a change of one: de_index maps a word to
 * its place in de_word plus one, de_chunk holds the byte positions of the
 * change's chunks, twice, plus one when retired.  A small change keeps
 * them in de_small; a batch in one allocation of its own (de_heap).
 */
struct dict_edit {
	struct arena	*de_arena;
	struct intent	*de_in;
	size_t		 de_n;
	size_t		 de_cap;	/* words */
	uint32_t	**de_word;
	uint32_t	*de_val;
	size_t		 de_imask;
	uint32_t	*de_index;
	size_t		 de_cmask;
	uint64_t	*de_chunk;
	void		*de_heap;
	struct {
		uint32_t	*word[DICT_EDIT_MAX];
		uint32_t	 val[DICT_EDIT_MAX];
		uint32_t	 index[4 * DICT_EDIT_MAX];
		uint64_t	 chunk[4 * DICT_EDIT_CHUNKS];
	}		 de_small;
};

static void
dict_edit_init(struct dict_edit *ed, struct arena *a, struct intent *in)
{
	memset(ed, 0, sizeof(*ed));
	ed->de_arena = a;
	ed->de_in = in;
	ed->de_cap = DICT_EDIT_MAX;
	ed->de_word = ed->de_small.word;
	ed->de_val = ed->de_small.val;
	ed->de_imask = 4 * DICT_EDIT_MAX - 1;
	ed->de_index = ed->de_small.index;
	ed->de_cmask = 4 * DICT_EDIT_CHUNKS - 1;
	ed->de_chunk = ed->de_small.chunk;
}

/* The least power of two at least twice n. */
static size_t
dict_edit_span(size_t n)
{
	size_t	 m = 8;

	while (m < 2 * n)
		m *= 2;
	return (m);
}

/*
 * An overlay with room for `words' words and `chunks' chunks: 0, or -1
 * ENOMEM.  dict_edit_free() releases it.
 */
static int
dict_edit_init_big(struct dict_edit *ed, struct arena *a, struct intent *in,
    size_t words, size_t chunks)
{
	size_t	 im = dict_edit_span(words), cm = dict_edit_span(chunks);
	char	*h;

	dict_edit_init(ed, a, in);
	if (words <= DICT_EDIT_MAX && chunks <= DICT_EDIT_CHUNKS)
		return (0);
	if ((h = calloc(1, cm * sizeof(uint64_t) + words *
	    (sizeof(uint32_t *) + sizeof(uint32_t)) +
	    im * sizeof(uint32_t))) == NULL)
		return (-1);
	ed->de_heap = h;
	ed->de_chunk = (uint64_t *)h;
	ed->de_cmask = cm - 1;
	ed->de_word = (uint32_t **)(h + cm * sizeof(uint64_t));
	ed->de_val = (uint32_t *)(ed->de_word + words);
	ed->de_index = ed->de_val + words;
	ed->de_imask = im - 1;
	ed->de_cap = words;
	return (0);
}

static void
dict_edit_free(struct dict_edit *ed)
{
	free(ed->de_heap);
	ed->de_heap = NULL;
}

static size_t
dict_edit_mix(uint64_t x)
{
	return ((size_t)((x * UINT64_C(0x9e3779b97f4a7c15)) >> 32));
}

/* The index place of word w: its own, or the empty one it would take. */
static uint32_t *
dict_edit_place(const struct dict_edit *ed, const uint32_t *w)
{
	size_t	 h = dict_edit_mix((uintptr_t)w >> 2);
	uint32_t *ix;

	for (;; h++) {
		ix = &ed->de_index[h & ed->de_imask];
		if (*ix == 0 || ed->de_word[*ix - 1] == w)
			return (ix);
	}
}

static uint32_t
dict_edit_get(const struct dict_edit *ed, uint32_t *w)
{
	uint32_t	*ix = dict_edit_place(ed, w);

	return (*ix != 0 ? ed->de_val[*ix - 1] : *w);
}

static void
dict_edit_set(struct dict_edit *ed, uint32_t *w, uint32_t v)
{
	uint32_t	*ix = dict_edit_place(ed, w);

	if (*ix == 0) {
		if (ed->de_n == ed->de_cap)
			abort();
		ed->de_word[ed->de_n] = w;
		*ix = (uint32_t)++ed->de_n;
	}
	ed->de_val[*ix - 1] = v;
}

/* The chunk index place of key k (a chunk's byte position, twice, + old). */
static uint64_t *
dict_edit_chunk_place(const struct dict_edit *ed, uint64_t k)
{
	size_t		 h = dict_edit_mix(k);
	uint64_t	*c;

	for (;; h++) {
		c = &ed->de_chunk[h & ed->de_cmask];
		if (*c == 0 || *c == k)
			return (c);
	}
}

static void
dict_edit_chunk(struct dict_edit *ed, aoff_t o, int old)
{
	uint64_t	 k = 2 * arena_pos(ed->de_arena, arena_ptr(ed->de_arena,
			    o)) + (old != 0);

	*dict_edit_chunk_place(ed, k) = k;
}

/*
 * Is w a chain word of one of the change's new chunks (old == 0) or of
 * the chunks it retires (old == 1)?  The chain words are a chunk's first
 * two, and no two chunks start 4 bytes apart.
 */
static int
dict_edit_in(const struct dict_edit *ed, int old, const uint32_t *w)
{
	uint64_t	 pos = arena_pos(ed->de_arena, w);

	if (*dict_edit_chunk_place(ed, 2 * pos + old) != 0)
		return (1);
	return (pos >= 4 &&
	    *dict_edit_chunk_place(ed, 2 * (pos - 4) + old) != 0);
}

/* A new chunk, reserved in the intent. */
static void
dict_edit_new(struct dict_edit *ed, aoff_t o)
{
	dict_edit_chunk(ed, o, 0);
}

/* A chunk the change retires (freed after the commit). */
static void
dict_edit_old(struct dict_edit *ed, aoff_t o)
{
	dict_edit_chunk(ed, o, 1);
	intent_retire_any(ed->de_arena, ed->de_in, o);
}

/* Chunk x goes after chunk p in the chain. */
static void
dict_edit_link_after(struct dict_edit *ed, aoff_t p, aoff_t x)
{
	struct arena	*a = ed->de_arena;
	aoff_t		 n = dict_aoff(dict_edit_get(ed, dict_next_word(a, p)));

	dict_edit_set(ed, dict_next_word(a, x), n.u);
	dict_edit_set(ed, dict_prev_word(a, x), p.u);
	dict_edit_set(ed, dict_next_word(a, p), x.u);
	if (!aoff_isnull(n))
		dict_edit_set(ed, dict_prev_word(a, n), x.u);
}

/* Chunk x leaves the chain (never the root). */
static void
dict_edit_unlink(struct dict_edit *ed, aoff_t x)
{
	struct arena	*a = ed->de_arena;
	aoff_t		 p = dict_aoff(dict_edit_get(ed, dict_prev_word(a, x)));
	aoff_t		 n = dict_aoff(dict_edit_get(ed, dict_next_word(a, x)));

	dict_edit_set(ed, dict_next_word(a, p), n.u);
	if (!aoff_isnull(n))
		dict_edit_set(ed, dict_prev_word(a, n), p.u);
}

/* Chunk x takes old's place in the chain. */
static void
dict_edit_replace(struct dict_edit *ed, aoff_t old, aoff_t x)
{
	dict_edit_link_after(ed, dict_aoff(dict_edit_get(ed,
	    dict_prev_word(ed->de_arena, old))), x);
	dict_edit_unlink(ed, old);
}

/* Record the overlay: stores in the intent, direct writes to new chunks. */
static void
dict_edit_finish(struct dict_edit *ed)
{
	size_t	 i;

	for (i = 0; i < ed->de_n; i++) {
		if (dict_edit_in(ed, 1, ed->de_word[i]))
			continue;
		if (dict_edit_in(ed, 0, ed->de_word[i]))
			*ed->de_word[i] = ed->de_val[i];
		else
			intent_store(ed->de_arena, ed->de_in, ed->de_word[i],
			    ed->de_val[i]);
	}
}

/*
 * Reserve a node of `count' pairs in `bytes' bytes in the open intent;
 * NULL (ENOMEM, EFBIG) when there is none.
 */
static struct dict_node *
dict_node_new(struct dict_edit *ed, size_t bytes, uint64_t count, aoff_t *o)
{
	struct dict_node	*n;

	if (bytes > UINT32_MAX - sizeof(*n) || count > UINT32_MAX) {
		errno = EFBIG;
		return (NULL);
	}
	if (intent_alloc(ed->de_arena, ed->de_in, sizeof(*n) + bytes,
	    o) == -1)
		return (NULL);
	dict_edit_new(ed, *o);
	n = dict_node(ed->de_arena, *o);
	n->dn_count = (uint32_t)count;
	n->dn_bytes = (uint32_t)bytes;
	return (n);
}

/* Publish the overlay and commit, or abort after a failure. */
static void
dict_commit(struct keyspace *ks, struct ks_stripe *st, struct dict_edit *ed)
{
	dict_edit_finish(ed);
	CRASHPOINT(dict_recorded);
	keyspace_commit_locked(ks, st);
}

static int
dict_abort(struct keyspace *ks, struct dict_edit *ed)
{
	intent_abort(ks->ks_arena, ed->de_in);
	return (-1);
}

/* Growing and shrinking. */

/* Give the root segment k >= 1 (the first absent one). */
static int
dict_seg_add(struct keyspace *ks, struct ks_stripe *st, struct dict_root *r,
    aoff_t ro, unsigned k)
{
	struct arena	*a = ks->ks_arena;
	struct dict_edit ed;
	aoff_t		 s;

	dict_edit_init(&ed, a, keyspace_begin_locked(ks, st));
	/* Its slots are read only below N, each written as N reaches it. */
	if (intent_alloc(a, ed.de_in, sizeof(struct dict_seg) +
	    (size_t)dict_seg_buckets(k) * sizeof(aoff_t), &s) == -1)
		return (dict_abort(ks, &ed));
	dict_edit_new(&ed, s);
	dict_edit_link_after(&ed, ro, s);
	dict_edit_set(&ed, &r->dr_seg[k - 1].u, s.u);
	CRASHPOINT(dict_seg_built);
	dict_commit(ks, st, &ed);
	return (0);
}

/* Take segment k >= 1 (the last one present) from the root. */
static void
dict_seg_drop(struct keyspace *ks, struct ks_stripe *st, struct dict_root *r,
    unsigned k)
{
	struct dict_edit ed;
	aoff_t		 s = r->dr_seg[k - 1];

	dict_edit_init(&ed, ks->ks_arena, keyspace_begin_locked(ks, st));
	dict_edit_unlink(&ed, s);
	dict_edit_old(&ed, s);
	dict_edit_set(&ed, &r->dr_seg[k - 1].u, 0);
	CRASHPOINT(dict_seg_dropping);
	dict_commit(ks, st, &ed);
}

/*
 * Split bucket N - 2^L into itself and bucket N: its node stays where
 * all its pairs stay, moves whole when they all move, and is rewritten
 * as two otherwise.  0, or -1 ENOMEM (nothing changed).
 */
static int
dict_split(struct keyspace *ks, struct ks_stripe *st, struct dict_root *r)
{
	struct arena		*a = ks->ks_arena;
	struct dict_edit	 ed;
	struct dict_node	*x, *n[2];
	struct dict_pair	 p;
	uint32_t		 t = r->dr_buckets, s, *slot[2];
	uint64_t		 hi = (uint64_t)1 << dict_log2(t), mask;
	uint64_t		 cnt[2] = { 0, 0 };
	size_t			 bytes[2] = { 0, 0 };
	const char		*q, *end, *next;
	char			*w[2];
	aoff_t			 xo, no[2];
	int			 side;

	s = (uint32_t)(t - hi);
	mask = hi * 2 - 1;
	slot[0] = &dict_slot(a, r, s)->u;
	slot[1] = &dict_slot(a, r, t)->u;
	xo = dict_aoff(*slot[0]);
	dict_edit_init(&ed, a, keyspace_begin_locked(ks, st));
	dict_edit_set(&ed, &r->dr_buckets, t + 1);
	if (aoff_isnull(xo)) {
		dict_edit_set(&ed, slot[1], 0);
		dict_commit(ks, st, &ed);
		return (0);
	}
	x = dict_node(a, xo);
	q = dict_node_data(x);
	end = q + x->dn_bytes;
	for (; q < end && (next = dict_pair_at(q, end, &p)) != NULL;
	    q = next) {
		side = (dict_hash(r->dr_seed, p.dp_field, p.dp_flen) &
		    mask) == t;
		cnt[side]++;
		bytes[side] += (size_t)(next - q);
	}
	if (cnt[0] == 0 || cnt[1] == 0) {
		/* The node as it is, in its bucket or the new one. */
		dict_edit_set(&ed, slot[0], cnt[0] == 0 ? 0 : xo.u);
		dict_edit_set(&ed, slot[1], cnt[0] == 0 ? xo.u : 0);
		dict_commit(ks, st, &ed);
		return (0);
	}
	for (side = 0; side < 2; side++) {
		if ((n[side] = dict_node_new(&ed, bytes[side], cnt[side],
		    &no[side])) == NULL)
			return (dict_abort(ks, &ed));
		w[side] = (char *)(n[side] + 1);
	}
	for (q = dict_node_data(x); q < end &&
	    (next = dict_pair_at(q, end, &p)) != NULL; q = next) {
		side = (dict_hash(r->dr_seed, p.dp_field, p.dp_flen) &
		    mask) == t;
		memcpy(w[side], q, (size_t)(next - q));
		w[side] += next - q;
	}
	CRASHPOINT(dict_split_built);
	dict_edit_replace(&ed, xo, no[0]);
	dict_edit_link_after(&ed, no[0], no[1]);
	dict_edit_old(&ed, xo);
	dict_edit_set(&ed, slot[0], no[0].u);
	dict_edit_set(&ed, slot[1], no[1].u);
	dict_commit(ks, st, &ed);
	return (0);
}

/*
 * Merge the last bucket t into bucket t - 2^L, the inverse of a split:
 * a node that is alone moves as it is, two are rewritten as one.
 * 0, or -1 ENOMEM (nothing changed).
 */
static int
dict_merge(struct keyspace *ks, struct ks_stripe *st, struct dict_root *r)
{
	struct arena		*a = ks->ks_arena;
	struct dict_edit	 ed;
	struct dict_node	*xs, *xt, *c;
	uint32_t		 t = r->dr_buckets - 1, s, *ss;
	aoff_t			 so, to, co;

	s = t - (1U << dict_log2(t));
	ss = &dict_slot(a, r, s)->u;
	so = dict_aoff(*ss);
	to = *dict_slot(a, r, t);
	dict_edit_init(&ed, a, keyspace_begin_locked(ks, st));
	dict_edit_set(&ed, &r->dr_buckets, t);
	if (aoff_isnull(to) || aoff_isnull(so)) {
		if (aoff_isnull(so))
			dict_edit_set(&ed, ss, to.u);
		dict_commit(ks, st, &ed);
		return (0);
	}
	xs = dict_node(a, so);
	xt = dict_node(a, to);
	if ((c = dict_node_new(&ed, (size_t)xs->dn_bytes + xt->dn_bytes,
	    (uint64_t)xs->dn_count + xt->dn_count, &co)) == NULL)
		return (dict_abort(ks, &ed));
	memcpy(c + 1, dict_node_data(xs), xs->dn_bytes);
	memcpy((char *)(c + 1) + xs->dn_bytes, dict_node_data(xt),
	    xt->dn_bytes);
	CRASHPOINT(dict_merge_built);
	dict_edit_replace(&ed, so, co);
	dict_edit_unlink(&ed, to);
	dict_edit_old(&ed, so);
	dict_edit_old(&ed, to);
	dict_edit_set(&ed, ss, co.u);
	dict_commit(ks, st, &ed);
	return (0);
}

/*
 * After an add: one bucket more when the load is above DICT_LOAD, with
 * the segment it needs added first.  A failure leaves the table as it is
 * (whole, only fuller).  1 when a bucket was added.
 */
static int
dict_grow(struct keyspace *ks, struct ks_stripe *st, const struct entry *e)
{
	struct dict_root	*r = dict_root(ks->ks_arena, e);
	unsigned		 have = dict_segs(r);

	if (r->dr_count <= (uint64_t)DICT_LOAD * r->dr_buckets ||
	    r->dr_buckets >= DICT_MAX_BUCKETS)
		return (0);
	if (have < dict_segs_for(r->dr_buckets + 1) &&
	    dict_seg_add(ks, st, r, dict_root_off(e), have + 1) == -1)
		return (0);
	return (dict_split(ks, st, r) == 0);
}

/*
 * After a delete: one bucket fewer when the load is below
 * DICT_SHRINK_LOAD, then the segment that merge left unused freed.
 * 1 when a bucket was taken.
 */
static int
dict_shrink(struct keyspace *ks, struct ks_stripe *st, const struct entry *e)
{
	struct dict_root	*r = dict_root(ks->ks_arena, e);
	unsigned		 have;

	if (r->dr_buckets <= 1 ||
	    r->dr_count >= (uint64_t)DICT_SHRINK_LOAD * r->dr_buckets ||
	    dict_merge(ks, st, r) == -1)
		return (0);
	if ((have = dict_segs(r)) > dict_segs_for(r->dr_buckets))
		dict_seg_drop(ks, st, r, have);
	return (1);
}

/* Setting and deleting. */

/*
 * Record in the open intent `in' the change that sets field to value:
 * its new node reserved and filled, the stores that publish it, the node
 * it replaces retired.  1 added, 0 replaced, -1 ENOMEM or EFBIG (the
 * caller aborts the intent).
 */
static int
dict_stage_set(struct arena *a, struct intent *in, const struct entry *e,
    const void *field, size_t flen, const void *value, size_t vlen)
{
	struct dict_root	*r = dict_root(a, e);
	struct dict_edit	 ed;
	struct dict_node	*x = NULL, *n;
	struct dict_pair	 old;
	const char		*start = NULL, *stop = NULL;
	uint32_t		*slot;
	size_t			 keep = 0;
	char			*w;
	aoff_t			 xo, no;
	int			 found = 0;

	slot = &dict_slot(a, r, dict_bucket_of(r->dr_buckets,
	    dict_hash(r->dr_seed, field, flen)))->u;
	xo = dict_aoff(*slot);
	if (!aoff_isnull(xo)) {
		x = dict_node(a, xo);
		found = dict_node_find(x, field, flen, &old, &start, &stop);
		keep = x->dn_bytes - (found ? (size_t)(stop - start) : 0);
	}
	if (!found && r->dr_count == UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	dict_edit_init(&ed, a, in);
	if ((n = dict_node_new(&ed, keep + dict_pair_size(flen, vlen),
	    (x != NULL ? x->dn_count : 0) + !found, &no)) == NULL)
		return (-1);
	/* The other pairs as they are, then the pair set. */
	w = (char *)(n + 1);
	if (x != NULL && found) {
		memcpy(w, dict_node_data(x), (size_t)(start -
		    dict_node_data(x)));
		w += start - dict_node_data(x);
		memcpy(w, stop, (size_t)(dict_node_data(x) + x->dn_bytes -
		    stop));
		w += dict_node_data(x) + x->dn_bytes - stop;
	} else if (x != NULL) {
		memcpy(w, dict_node_data(x), x->dn_bytes);
		w += x->dn_bytes;
	}
	w = pack_put(w, field, flen);
	(void)pack_put(w, value, vlen);
	CRASHPOINT(dict_node_built);
	if (x != NULL) {
		dict_edit_replace(&ed, xo, no);
		dict_edit_old(&ed, xo);
	} else
		dict_edit_link_after(&ed, dict_root_off(e), no);
	dict_edit_set(&ed, slot, no.u);
	if (!found)
		dict_edit_set(&ed, &r->dr_count, r->dr_count + 1);
	dict_edit_finish(&ed);
	return (!found);
}

int
dict_set_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const void *field,
    size_t flen, const void *value, size_t vlen)
{
	struct intent	*in;
	int		 rv;

	(void)kk;
	in = keyspace_begin_locked(ks, st);
	if ((rv = dict_stage_set(ks->ks_arena, in, e, field, flen, value,
	    vlen)) == -1) {
		intent_abort(ks->ks_arena, in);
		return (-1);
	}
	CRASHPOINT(dict_recorded);
	keyspace_commit_locked(ks, st);
	if (rv == 1)
		dict_grow(ks, st, e);
	return (rv);
}

/*
 * Record in `in' the change that deletes field (present, not the last):
 * 1, 0 absent, -1 ENOMEM (the caller aborts the intent).
 */
static int
dict_stage_delete(struct arena *a, struct intent *in, const struct entry *e,
    const void *field, size_t flen)
{
	struct dict_root	*r = dict_root(a, e);
	struct dict_edit	 ed;
	struct dict_node	*x, *n;
	struct dict_pair	 old;
	const char		*start, *stop, *data;
	uint32_t		*slot;
	aoff_t			 xo, no;

	slot = &dict_slot(a, r, dict_bucket_of(r->dr_buckets,
	    dict_hash(r->dr_seed, field, flen)))->u;
	xo = dict_aoff(*slot);
	if (aoff_isnull(xo))
		return (0);
	x = dict_node(a, xo);
	if (!dict_node_find(x, field, flen, &old, &start, &stop))
		return (0);
	dict_edit_init(&ed, a, in);
	if (x->dn_count == 1) {
		dict_edit_unlink(&ed, xo);
		dict_edit_set(&ed, slot, 0);
	} else {
		data = dict_node_data(x);
		if ((n = dict_node_new(&ed, x->dn_bytes - (size_t)(stop -
		    start), x->dn_count - 1, &no)) == NULL)
			return (-1);
		memcpy(n + 1, data, (size_t)(start - data));
		memcpy((char *)(n + 1) + (start - data), stop,
		    (size_t)(data + x->dn_bytes - stop));
		CRASHPOINT(dict_node_cut);
		dict_edit_replace(&ed, xo, no);
		dict_edit_set(&ed, slot, no.u);
	}
	dict_edit_old(&ed, xo);
	dict_edit_set(&ed, &r->dr_count, r->dr_count - 1);
	dict_edit_finish(&ed);
	return (1);
}

int
dict_delete_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const void *field,
    size_t flen)
{
	struct dict_pair	 p;
	struct intent		*in;
	int			 rv;

	if (!dict_find(ks->ks_arena, e, field, flen, &p))
		return (0);
	if (dict_count(ks->ks_arena, e) == 1) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (1);
	}
	in = keyspace_begin_locked(ks, st);
	if ((rv = dict_stage_delete(ks->ks_arena, in, e, field,
	    flen)) != 1) {
		intent_abort(ks->ks_arena, in);
		return (rv);
	}
	CRASHPOINT(dict_recorded);
	keyspace_commit_locked(ks, st);
	dict_shrink(ks, st, e);
	return (1);
}

void
dict_rebalance_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e)
{
	/* Each step its own change, the pairs all there. */
	while (dict_grow(ks, st, e))
		;
	while (dict_shrink(ks, st, e))
		;
}

/* Writing a whole table. */

/* Buckets for n pairs: the load DICT_LOAD, at least one. */
static uint32_t
dict_buckets_for(size_t n)
{
	size_t	 nb = (n + DICT_LOAD - 1) / DICT_LOAD;

	if (nb < 1)
		nb = 1;
	if (nb > DICT_MAX_BUCKETS)
		nb = DICT_MAX_BUCKETS;
	return ((uint32_t)nb);
}

/*
 * Reserve a chunk in the stripe's garbage chain, linked both ways to the
 * chunk reserved before it (*head, null for the first).
 */
static void *
dict_build_chunk(struct keyspace *ks, struct ks_stripe *st, size_t size,
    aoff_t *head)
{
	struct arena	*a = ks->ks_arena;
	aoff_t		 o;

	if (keyspace_garbage_alloc_locked(ks, st, size, &o) == -1)
		return (NULL);
	/* Its next word is the old head, set by the garbage chain. */
	*dict_prev_word(a, o) = 0;
	if (!aoff_isnull(*head))
		*dict_prev_word(a, *head) = o.u;
	*head = o;
	return (arena_ptr(a, o));
}

/*
 * The order of the n pairs by bucket, the last of equal fields only:
 * ord[] gets the indexes kept, start[b] .. start[b + 1] those of bucket b
 * (start has nb + 1 places).  Returns the pairs kept.
 */
static size_t
dict_sort_pairs(const struct dict_pair *pairs, size_t n, uint64_t seed,
    uint32_t nb, uint32_t *bucket, size_t *ord, size_t *start)
{
	const struct dict_pair	*p, *q;
	size_t			 i, j, kept, b;

	memset(start, 0, ((size_t)nb + 1) * sizeof(*start));
	for (i = 0; i < n; i++) {
		bucket[i] = dict_bucket_of(nb, dict_hash(seed,
		    pairs[i].dp_field, pairs[i].dp_flen));
		start[bucket[i] + 1]++;
	}
	for (b = 0; b < nb; b++)
		start[b + 1] += start[b];
	/* Each bucket in the callers' order; start[b] ends up at its end. */
	for (i = 0; i < n; i++)
		ord[start[bucket[i]]++] = i;
	for (b = nb; b > 0; b--)
		start[b] = start[b - 1];
	start[0] = 0;
	/* Drop a pair whose field comes again later. */
	kept = 0;
	for (b = 0; b < nb; b++) {
		size_t	 from = start[b], to = start[b + 1];

		start[b] = kept;
		for (i = from; i < to; i++) {
			p = &pairs[ord[i]];
			for (j = i + 1; j < to; j++) {
				q = &pairs[ord[j]];
				if (q->dp_flen == p->dp_flen &&
				    memcmp(q->dp_field, p->dp_field,
				    p->dp_flen) == 0)
					break;
			}
			if (j == to)
				ord[kept++] = ord[i];
		}
	}
	start[nb] = kept;
	return (kept);
}

/*
 * Build a table of the n pairs with the hash seed given, in the stripe's
 * garbage chain; *root gets its root.  A table rewritten by a batch keeps
 * its own seed, so that its fields keep their hashes and a scan in
 * progress still visits every pair present all along.
 */
static int
dict_build_seeded(struct keyspace *ks, struct ks_stripe *st,
    const struct dict_pair *pairs, size_t n, uint64_t seed, aoff_t *root)
{
	struct arena		*a = ks->ks_arena;
	struct dict_root	*r;
	struct dict_seg		*seg[DICT_SEGS];
	struct dict_node	*node;
	aoff_t			 slot0[DICT_SEG0_BUCKETS], *sp;
	uint32_t		*bucket = NULL, nb, b, slot;
	size_t			*ord = NULL, *start = NULL, kept, i, bytes;
	unsigned		 k, nseg;
	aoff_t			 head = AOFF_NULL;
	char			*w;
	int			 rv = -1;

	if (n == 0 || n > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	nb = dict_buckets_for(n);
	if ((bucket = calloc(n, sizeof(*bucket))) == NULL ||
	    (ord = calloc(n, sizeof(*ord))) == NULL ||
	    (start = calloc((size_t)nb + 1, sizeof(*start))) == NULL)
		goto out;
	kept = dict_sort_pairs(pairs, n, seed, nb, bucket, ord, start);
	/*
	 * Segments, then nodes, then the root: the root heads the chain.
	 * Segment k is seg[k - 1]; the root's slots wait in slot0.
	 */
	nseg = dict_segs_for(nb);
	for (k = 1; k <= nseg; k++)
		if ((seg[k - 1] = dict_build_chunk(ks, st,
		    sizeof(struct dict_seg) + (size_t)dict_seg_buckets(k) *
		    sizeof(aoff_t), &head)) == NULL)
			goto fail;
	memset(slot0, 0, sizeof(slot0));
	for (b = 0; b < nb; b++) {
		k = dict_seg_of(b, &slot);
		sp = k == 0 ? &slot0[slot] : &seg[k - 1]->ds_slot[slot];
		*sp = AOFF_NULL;
		if (start[b] == start[b + 1])
			continue;
		for (i = start[b], bytes = 0; i < start[b + 1]; i++)
			bytes += dict_pair_size(pairs[ord[i]].dp_flen,
			    pairs[ord[i]].dp_vlen);
		if (bytes > UINT32_MAX - sizeof(*node)) {
			errno = EFBIG;
			goto fail;
		}
		if ((node = dict_build_chunk(ks, st, sizeof(*node) + bytes,
		    &head)) == NULL)
			goto fail;
		node->dn_count = (uint32_t)(start[b + 1] - start[b]);
		node->dn_bytes = (uint32_t)bytes;
		w = (char *)(node + 1);
		for (i = start[b]; i < start[b + 1]; i++) {
			w = pack_put(w, pairs[ord[i]].dp_field,
			    pairs[ord[i]].dp_flen);
			w = pack_put(w, pairs[ord[i]].dp_value,
			    pairs[ord[i]].dp_vlen);
		}
		*sp = head;
	}
	if ((r = dict_build_chunk(ks, st, sizeof(*r), &head)) == NULL)
		goto fail;
	r->dr_count = (uint32_t)kept;
	r->dr_buckets = nb;
	r->dr_seed = seed;
	memcpy(r->dr_slot0, slot0, sizeof(slot0));
	for (k = 0; k < DICT_SEGS; k++)
		r->dr_seg[k] = k < nseg ? arena_off(a, seg[k]) : AOFF_NULL;
	*root = head;
	rv = 0;
	goto out;
fail:
	keyspace_garbage_drain_locked(ks, st);
out:
	free(bucket);
	free(ord);
	free(start);
	return (rv);
}

int
dict_build_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct dict_pair *pairs, size_t n, aoff_t *root)
{
	uint64_t	 seed;

	arc4random_buf(&seed, sizeof(seed));
	return (dict_build_seeded(ks, st, pairs, n, seed, root));
}

/* dict_write_locked() with the hash seed given (dict_build_seeded()). */
static int
dict_write_seeded(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, uint8_t tag, const struct dict_pair *pairs,
    size_t n, int64_t expire_ms, uint64_t seed)
{
	aoff_t	 ro;

	if (n == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if (dict_build_seeded(ks, st, pairs, n, seed, &ro) == -1)
		return (-1);
	CRASHPOINT(dict_write_built);
	if (keyspace_put_adopt_locked(ks, st, kk, tag, &ro, sizeof(ro),
	    expire_ms) == -1) {
		keyspace_garbage_drain_locked(ks, st);
		return (-1);
	}
	return (0);
}

int
dict_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, uint8_t tag, const struct dict_pair *pairs,
    size_t n, int64_t expire_ms)
{
	uint64_t	 seed;

	arc4random_buf(&seed, sizeof(seed));
	return (dict_write_seeded(ks, st, kk, tag, pairs, n, expire_ms,
	    seed));
}

int
dict_copy_locked(struct keyspace *ks, struct ks_stripe *to,
    const struct ks_key *dst, const struct entry *e)
{
	struct dict_iter	 it;
	struct dict_pair	*pairs;
	size_t			 n = dict_count(ks->ks_arena, e), i = 0;
	int			 rv;

	if ((pairs = calloc(n > 0 ? n : 1, sizeof(*pairs))) == NULL)
		return (-1);
	dict_iter_init(&it, ks->ks_arena, e);
	while (i < n && dict_iter_next(&it, &pairs[i]))
		i++;
	rv = dict_write_locked(ks, to, dst, e->e_type, pairs, i,
	    entry_expire(e));
	free(pairs);
	return (rv);
}

/* Batches. */

/*
 * What a batch does to one field: whether the table held it before and
 * holds it after, and which change gives its value.
 */
struct dict_fate {
	uint64_t	 df_hash;
	size_t		 df_first;	/* the first change naming it */
	size_t		 df_set;	/* its last set, or SIZE_MAX */
	uint32_t	 df_bucket;
	int		 df_was;
	int		 df_is;
};

struct dict_fates {
	const struct dict_change *fs_ch;
	struct dict_fate	*fs_fate;
	size_t			 fs_n;
	uint32_t		*fs_index;	/* fate + 1, or 0 */
	size_t			 fs_mask;
};

/*
 * The index place of field (hash h): its fate's, or the empty one it
 * would take.
 */
static uint32_t *
dict_fates_place(const struct dict_fates *fs, uint64_t h, const void *field,
    size_t flen)
{
	const struct dict_fate	*f;
	const struct dict_change *c;
	size_t			 i = dict_edit_mix(h);
	uint32_t		*ix;

	for (;; i++) {
		ix = &fs->fs_index[i & fs->fs_mask];
		if (*ix == 0)
			return (ix);
		f = &fs->fs_fate[*ix - 1];
		c = &fs->fs_ch[f->df_first];
		if (f->df_hash == h && c->dc_flen == flen &&
		    memcmp(c->dc_field, field, flen) == 0)
			return (ix);
	}
}

/* Does the batch change this pair of the table (delete or replace it)? */
static int
dict_fates_touch(const struct dict_fates *fs, uint64_t seed,
    const struct dict_pair *p)
{
	uint32_t	*ix = dict_fates_place(fs, dict_hash(seed, p->dp_field,
			    p->dp_flen), p->dp_field, p->dp_flen);

	return (*ix != 0 && fs->fs_fate[*ix - 1].df_was);
}

static int
dict_fate_cmp(const void *x, const void *y)
{
	uint64_t	 a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a < b ? -1 : a > b);
}

/*
 * Fold the n changes into one fate per field, in order, giving res[i]
 * (when res is not NULL); 0, or -1 ENOMEM.
 */
static int
dict_fates_make(struct dict_fates *fs, struct arena *a, const struct entry *e,
    const struct dict_change *ch, size_t n, int *res)
{
	const struct dict_root	*r = dict_root(a, e);
	struct dict_fate	*f;
	struct dict_pair	 p;
	uint32_t		*ix;
	uint64_t		 h;
	size_t			 i;
	int			 was;

	memset(fs, 0, sizeof(*fs));
	fs->fs_ch = ch;
	fs->fs_mask = dict_edit_span(n) - 1;
	if ((fs->fs_fate = calloc(n, sizeof(*fs->fs_fate))) == NULL ||
	    (fs->fs_index = calloc(fs->fs_mask + 1,
	    sizeof(*fs->fs_index))) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		h = dict_hash(r->dr_seed, ch[i].dc_field, ch[i].dc_flen);
		ix = dict_fates_place(fs, h, ch[i].dc_field, ch[i].dc_flen);
		if (*ix == 0) {
			f = &fs->fs_fate[fs->fs_n];
			*ix = (uint32_t)++fs->fs_n;
			f->df_hash = h;
			f->df_first = i;
			f->df_set = SIZE_MAX;
			f->df_bucket = dict_bucket_of(r->dr_buckets, h);
			was = dict_find(a, e, ch[i].dc_field, ch[i].dc_flen,
			    &p);
			f->df_was = f->df_is = was;
		}
		f = &fs->fs_fate[*ix - 1];
		if (res != NULL)
			res[i] = ch[i].dc_delete ? f->df_is : !f->df_is;
		f->df_is = !ch[i].dc_delete;
		if (!ch[i].dc_delete)
			f->df_set = i;
	}
	return (0);
}

static void
dict_fates_free(struct dict_fates *fs)
{
	free(fs->fs_fate);
	free(fs->fs_index);
}

/*
 * The whole table rewritten, when the batch touches most of its buckets:
 * the pairs it does not touch and those it sets, adopted in one put.
 */
static int
dict_batch_rewrite(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct dict_fates *fs, size_t count)
{
	struct arena		*a = ks->ks_arena;
	const struct dict_change *c;
	struct dict_iter	 it;
	struct dict_pair	*pairs, p;
	uint64_t		 seed = dict_root(a, e)->dr_seed;
	size_t			 k = 0, i;
	int			 rv;

	if ((pairs = calloc(count, sizeof(*pairs))) == NULL)
		return (-1);
	dict_iter_init(&it, a, e);
	while (dict_iter_next(&it, &p))
		if (!dict_fates_touch(fs, seed, &p) && k < count)
			pairs[k++] = p;
	for (i = 0; i < fs->fs_n; i++) {
		if (!fs->fs_fate[i].df_is || k == count)
			continue;
		c = &fs->fs_ch[fs->fs_fate[i].df_set];
		pairs[k].dp_field = c->dc_field;
		pairs[k].dp_flen = c->dc_flen;
		pairs[k].dp_value = c->dc_value;
		pairs[k++].dp_vlen = c->dc_vlen;
	}
	rv = dict_write_seeded(ks, st, kk, e->e_type, pairs, k,
	    entry_expire(e), seed);
	free(pairs);
	return (rv);
}

/*
 * The new node of bucket slot *slot (fates touched[0 .. nt)): the pairs
 * of its node the batch leaves alone, then those it sets; reserved in the
 * change, filled and published in the overlay.  0, or -1 ENOMEM.
 */
static int
dict_batch_bucket(struct dict_edit *ed, const struct entry *e,
    const struct dict_fates *fs, const uint64_t *touched, size_t nt,
    uint32_t *slot)
{
	struct arena		*a = ed->de_arena;
	const struct dict_root	*r = dict_root(a, e);
	const struct dict_fate	*f;
	const struct dict_change *c;
	const struct dict_node	*x = NULL;
	struct dict_node	*nn;
	struct dict_pair	 p;
	const char		*q = NULL, *end = NULL, *next;
	size_t			 bytes = 0, i;
	uint64_t		 cnt = 0;
	char			*w;
	aoff_t			 xo = dict_aoff(*slot), no;

	if (!aoff_isnull(xo)) {
		x = dict_node(a, xo);
		end = dict_node_data(x) + x->dn_bytes;
		for (q = dict_node_data(x); q < end &&
		    (next = dict_pair_at(q, end, &p)) != NULL; q = next) {
			if (dict_fates_touch(fs, r->dr_seed, &p))
				continue;
			cnt++;
			bytes += (size_t)(next - q);
		}
	}
	for (i = 0; i < nt; i++) {
		f = &fs->fs_fate[(uint32_t)touched[i]];
		if (!f->df_is)
			continue;
		c = &fs->fs_ch[f->df_set];
		cnt++;
		bytes += dict_pair_size(c->dc_flen, c->dc_vlen);
	}
	if (cnt == 0) {
		/* The bucket empties (its node held only deleted pairs). */
		dict_edit_unlink(ed, xo);
		dict_edit_old(ed, xo);
		dict_edit_set(ed, slot, 0);
		return (0);
	}
	if ((nn = dict_node_new(ed, bytes, cnt, &no)) == NULL)
		return (-1);
	w = (char *)(nn + 1);
	if (x != NULL) {
		for (q = dict_node_data(x); q < end &&
		    (next = dict_pair_at(q, end, &p)) != NULL; q = next) {
			if (dict_fates_touch(fs, r->dr_seed, &p))
				continue;
			memcpy(w, q, (size_t)(next - q));
			w += next - q;
		}
	}
	for (i = 0; i < nt; i++) {
		f = &fs->fs_fate[(uint32_t)touched[i]];
		if (!f->df_is)
			continue;
		c = &fs->fs_ch[f->df_set];
		w = pack_put(w, c->dc_field, c->dc_flen);
		w = pack_put(w, c->dc_value, c->dc_vlen);
	}
	if (x != NULL) {
		dict_edit_replace(ed, xo, no);
		dict_edit_old(ed, xo);
	} else
		dict_edit_link_after(ed, dict_root_off(e), no);
	dict_edit_set(ed, slot, no.u);
	return (0);
}

/* Overlay words a batch of nb buckets may touch: 7 each, and the count. */
#define DICT_BATCH_WORDS(nb)	(7 * (nb) + 4)

/*
 * Record in the overlay ed, whose intent is open, the touched buckets'
 * new nodes and the table's new count.  0, or -1 ENOMEM (the caller
 * aborts the intent).
 */
static int
dict_batch_stage(struct dict_edit *ed, const struct entry *e,
    const struct dict_fates *fs, const uint64_t *touched, size_t nt,
    size_t count)
{
	struct arena		*a = ed->de_arena;
	struct dict_root	*r = dict_root(a, e);
	size_t			 i, j;
	uint32_t		 b;

	for (i = 0; i < nt; i = j) {
		b = (uint32_t)(touched[i] >> 32);
		for (j = i; j < nt && (uint32_t)(touched[j] >> 32) == b; j++)
			;
		if (dict_batch_bucket(ed, e, fs, touched + i, j - i,
		    &dict_slot(a, r, b)->u) == -1)
			return (-1);
		CRASHPOINT(dict_batch_bucket_built);
	}
	dict_edit_set(ed, &r->dr_count, (uint32_t)count);
	return (0);
}

/*
 * The touched buckets' new nodes, in one intent of the stripe with an
 * overflow record for its stores and chunks.  0, or -1 ENOMEM (nothing
 * changed).
 */
static int
dict_batch_apply(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, const struct dict_fates *fs,
    const uint64_t *touched, size_t nt, size_t nbuckets, size_t count)
{
	struct arena		*a = ks->ks_arena;
	struct dict_edit	 ed;
	struct intent		*in;

	if (dict_edit_init_big(&ed, a, NULL,
	    DICT_BATCH_WORDS(nbuckets), 2 * nbuckets + 2) == -1)
		return (-1);
	in = ed.de_in = keyspace_begin_locked(ks, st);
	if (intent_reserve(a, in, DICT_BATCH_WORDS(nbuckets), nbuckets) == -1 ||
	    dict_batch_stage(&ed, e, fs, touched, nt, count) == -1) {
		(void)dict_abort(ks, &ed);
		dict_edit_free(&ed);
		return (-1);
	}
	dict_commit(ks, st, &ed);
	dict_edit_free(&ed);
	return (0);
}

/*
 * Fold a batch's changes (dict_fates_make()) and list the fields it
 * changes by bucket (bucket << 32 | fate) in *touched: their number in
 * *nt, the buckets in *nbuckets, the pairs left in *count.  0, or -1
 * ENOMEM or EFBIG; the caller frees fs and *touched either way.
 */
static int
dict_batch_plan(struct dict_fates *fs, struct arena *a, const struct entry *e,
    const struct dict_change *ch, size_t n, int *res, uint64_t **touched,
    size_t *nt, size_t *nbuckets, int64_t *count)
{
	size_t	 i;

	*touched = NULL;
	*nt = *nbuckets = 0;
	*count = dict_root(a, e)->dr_count;
	if (n > UINT32_MAX - 1) {
		memset(fs, 0, sizeof(*fs));
		errno = EFBIG;
		return (-1);
	}
	if (dict_fates_make(fs, a, e, ch, n, res) == -1 ||
	    (*touched = calloc(fs->fs_n + 1, sizeof(**touched))) == NULL)
		return (-1);
	for (i = 0; i < fs->fs_n; i++) {
		*count += fs->fs_fate[i].df_is - fs->fs_fate[i].df_was;
		if (fs->fs_fate[i].df_was || fs->fs_fate[i].df_is)
			(*touched)[(*nt)++] = (uint64_t)fs->fs_fate[i].df_bucket
			    << 32 | i;
	}
	if (*count > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	qsort(*touched, *nt, sizeof(**touched), dict_fate_cmp);
	for (i = 0; i < *nt; i++)
		if (i == 0 || (*touched)[i] >> 32 != (*touched)[i - 1] >> 32)
			(*nbuckets)++;
	return (0);
}

int
dict_batch_staged(struct arena *a, struct intent *in, const struct entry *e,
    const struct dict_change *ch, size_t n)
{
	struct dict_fates	 fs;
	struct dict_edit	 ed;
	uint64_t		*touched;
	int64_t			 count;
	size_t			 nt, nbuckets;
	int			 rv = -1;

	if (dict_batch_plan(&fs, a, e, ch, n, NULL, &touched, &nt,
	    &nbuckets, &count) == -1)
		goto out;
	if (count == 0) {
		errno = EINVAL;
		goto out;
	}
	if (dict_edit_init_big(&ed, a, in, DICT_BATCH_WORDS(nbuckets),
	    2 * nbuckets + 2) == -1)
		goto out;
	if ((rv = dict_batch_stage(&ed, e, &fs, touched, nt,
	    (size_t)count)) == 0)
		dict_edit_finish(&ed);
	dict_edit_free(&ed);
out:
	dict_fates_free(&fs);
	free(touched);
	return (rv);
}

int
dict_batch_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct dict_change *ch, size_t n, int *res)
{
	struct arena		*a = ks->ks_arena;
	struct dict_fates	 fs;
	uint64_t		*touched;
	int64_t			 count;
	size_t			 nt, nbuckets, i;
	int			 rv = -1;

	if (n == 0)
		return (0);
	if (n == 1) {
		/* One field: the change of one bucket it always was. */
		i = ch->dc_delete && dict_count(a, e) == 1;
		rv = ch->dc_delete ? dict_delete_locked(ks, st, kk, e,
		    ch->dc_field, ch->dc_flen) : dict_set_locked(ks, st, kk, e,
		    ch->dc_field, ch->dc_flen, ch->dc_value, ch->dc_vlen);
		if (rv == -1)
			return (-1);
		if (res != NULL)
			res[0] = rv;
		return (i == 1 && rv == 1);
	}
	if (dict_batch_plan(&fs, a, e, ch, n, res, &touched, &nt, &nbuckets,
	    &count) == -1)
		goto out;
	if (nt == 0)
		rv = 0;
	else if (count == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		rv = 1;
	} else if (2 * nbuckets > dict_root(a, e)->dr_buckets)
		rv = dict_batch_rewrite(ks, st, kk, e, &fs, (size_t)count);
	else if ((rv = dict_batch_apply(ks, st, e, &fs, touched, nt,
	    nbuckets, (size_t)count)) == 0)
		dict_rebalance_locked(ks, st, e);
out:
	dict_fates_free(&fs);
	free(touched);
	return (rv);
}
