/*
 * list_test.c: checks the packed encoding (pack.c) and lists in the arena
 * (list.c, value.c, the keyspace's garbage chain).
 *
 * The packed encoding gives back every element byte for byte from either
 * end, whatever its length (around each 7-bit step of the length), and
 * its validator refuses damaged lengths and wrong counts.  A list driven
 * by thousands of random pushes, pops, sets, inserts, rotations and
 * rebuilds holds exactly what a model array holds, read from the head and
 * from the tail, at every node limit; it turns from packed into a chain
 * and back, and the checker finds the arena whole, with no chunk leaked,
 * after each step.  A push at an end with room copies that node only:
 * every other node stays where it was.  Deleting, overwriting, expiring
 * and flushing a chain free every node; a copy of a chain is deep, so the
 * source can go.  A rename or a move of a chain, within a stripe or across
 * stripes or databases, hands the very nodes to the new name, whatever
 * its length, and frees those of a chain it replaces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/slab.h"
#include "tap.h"
#include "testarena.h"

#define SIZE	((size_t)64 << 20)
#define NOW	INT64_C(1700000000000)

static void
test_pack(void)
{
	static const size_t lens[] = { 0, 1, 2, 127, 128, 129, 16383, 16384,
	    16385, 70000 };
	size_t		 i, n = sizeof(lens) / sizeof(lens[0]), len;
	size_t		 total = 0;
	char		*buf, *src, *p;
	const char	*q, *s;
	int		 good = 1;

	for (i = 0; i < n; i++)
		total += pack_elem_size(lens[i]);
	buf = malloc(total);
	src = malloc(70000);
	for (i = 0; i < 70000; i++)
		src[i] = (char)(i * 7 + 3);
	for (i = 0, p = buf; i < n; i++)
		p = pack_put(p, src, lens[i]);
	ok(p == buf + total, "%zu elements take the bytes pack_elem_size() "
	    "says", n);
	ok(pack_elem_size(127) == 129 && pack_elem_size(128) == 132,
	    "a length takes one byte below 128, two from 128, at each end");
	for (i = 0, q = buf; i < n && q != NULL; i++) {
		q = pack_next(q, buf + total, &s, &len);
		good &= q != NULL && len == lens[i] &&
		    memcmp(s, src, len) == 0;
	}
	ok(good && q == buf + total, "read from the front, each element "
	    "comes back byte for byte");
	good = 1;
	for (i = n, q = buf + total; i-- > 0 && q != NULL;) {
		q = pack_prev(buf, q, &s, &len);
		good &= q != NULL && len == lens[i] &&
		    memcmp(s, src, len) == 0;
	}
	ok(good && q == buf, "read from the back too");
	ok(pack_valid(buf, total, n), "the validator accepts them");
	ok(!pack_valid(buf, total, n + 1) && !pack_valid(buf, total, n - 1),
	    "and refuses a wrong count");
	ok(!pack_valid(buf, total - 1, n), "and a cut sequence");
	buf[total - 1] ^= 0x40;
	ok(!pack_valid(buf, total, n), "and a trailing length that disagrees "
	    "with the leading one");
	ok(pack_valid(buf, 0, 0), "nothing is zero elements");
	free(buf);
	free(src);
}

/* The model: the elements the list must hold. */
struct model {
	char	**m_s;
	size_t	 *m_len;
	size_t	  m_n;
};

static void
model_insert(struct model *m, size_t at, const char *s, size_t len)
{
	m->m_s = realloc(m->m_s, (m->m_n + 1) * sizeof(*m->m_s));
	m->m_len = realloc(m->m_len, (m->m_n + 1) * sizeof(*m->m_len));
	memmove(m->m_s + at + 1, m->m_s + at, (m->m_n - at) * sizeof(char *));
	memmove(m->m_len + at + 1, m->m_len + at,
	    (m->m_n - at) * sizeof(size_t));
	m->m_s[at] = malloc(len + 1);
	memcpy(m->m_s[at], s, len);
	m->m_len[at] = len;
	m->m_n++;
}

static void
model_remove(struct model *m, size_t at)
{
	free(m->m_s[at]);
	memmove(m->m_s + at, m->m_s + at + 1,
	    (m->m_n - at - 1) * sizeof(char *));
	memmove(m->m_len + at, m->m_len + at + 1,
	    (m->m_n - at - 1) * sizeof(size_t));
	m->m_n--;
}

/* Does the list of key k hold the model, from both ends? */
static int
list_matches(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct model *m)
{
	const struct entry	*e;
	struct list_iter	 it;
	const char		*s;
	size_t			 len, i;

	e = keyspace_peek_locked(ks, st, k, NOW);
	if (e == NULL)
		return (m->m_n == 0);
	if (OBJ_TYPE(e->e_type) != OBJ_LIST ||
	    list_length(ks->ks_arena, e) != m->m_n)
		return (0);
	list_iter_init(&it, ks->ks_arena, e, 0, 0);
	for (i = 0; i < m->m_n; i++)
		if (!list_iter_next(&it, &s, &len) || len != m->m_len[i] ||
		    memcmp(s, m->m_s[i], len) != 0)
			return (0);
	if (list_iter_next(&it, &s, &len))
		return (0);
	list_iter_init(&it, ks->ks_arena, e, 0, 1);
	for (i = m->m_n; i-- > 0;)
		if (!list_iter_next(&it, &s, &len) || len != m->m_len[i] ||
		    memcmp(s, m->m_s[i], len) != 0)
			return (0);
	/* A start in the middle, from each end. */
	if (m->m_n > 2) {
		list_iter_init(&it, ks->ks_arena, e, m->m_n / 2, 0);
		if (!list_iter_next(&it, &s, &len) ||
		    len != m->m_len[m->m_n / 2] ||
		    memcmp(s, m->m_s[m->m_n / 2], len) != 0)
			return (0);
		list_iter_init(&it, ks->ks_arena, e, m->m_n / 3, 1);
		i = m->m_n - 1 - m->m_n / 3;
		if (!list_iter_next(&it, &s, &len) || len != m->m_len[i] ||
		    memcmp(s, m->m_s[i], len) != 0)
			return (0);
	}
	return (1);
}

static size_t
random_elem(char *buf)
{
	size_t	 len, i;

	switch (arc4random_uniform(4)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = arc4random_uniform(20);
		break;
	case 2:
		len = 100 + arc4random_uniform(200);
		break;
	default:
		len = arc4random_uniform(3000);
		break;
	}
	for (i = 0; i < len; i++)
		buf[i] = (char)arc4random();
	return (len);
}

/* One random change to both the list and the model; -1 on failure. */
static int
random_step(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, struct model *m)
{
	static char		 buf[8][3000];
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct list_vec		 v;
	size_t			 i, n, at, lens[8];
	int			 where, rv = 0;

	list_vec_init(&v);
	switch (m->m_n == 0 ? 0 : arc4random_uniform(7)) {
	case 0:
		/* Push 1 to 8 elements at an end. */
		where = (int)arc4random_uniform(2);
		n = 1 + arc4random_uniform(arc4random_uniform(2) ? 1 : 8);
		for (i = 0; i < n; i++) {
			lens[i] = random_elem(buf[i]);
			list_vec_add(&v, buf[i], lens[i]);
			model_insert(m, where == LIST_HEAD ? 0 : m->m_n,
			    buf[i], lens[i]);
		}
		rv = list_push_locked(ks, st, k, e, where, &v);
		break;
	case 1:
		/* Pop some at an end. */
		where = (int)arc4random_uniform(2);
		n = 1 + arc4random_uniform(arc4random_uniform(4) ? 2 : 40);
		rv = list_pop_locked(ks, st, k, e, where, n);
		for (i = 0; i < n && m->m_n > 0; i++)
			model_remove(m, where == LIST_HEAD ? 0 : m->m_n - 1);
		break;
	case 2:
		at = arc4random_uniform((uint32_t)m->m_n);
		lens[0] = random_elem(buf[0]);
		rv = list_set_locked(ks, st, k, e, at, buf[0], lens[0]);
		model_remove(m, at);
		model_insert(m, at, buf[0], lens[0]);
		break;
	case 3:
	case 4:
		at = arc4random_uniform((uint32_t)m->m_n);
		where = (int)arc4random_uniform(2);
		lens[0] = random_elem(buf[0]);
		rv = list_insert_locked(ks, st, k, e, at, where, buf[0],
		    lens[0]);
		model_insert(m, at + (size_t)where, buf[0], lens[0]);
		break;
	case 5:
		/* Move an end element to an end (LMOVE onto itself). */
		where = (int)arc4random_uniform(2);
		at = arc4random_uniform(2);
		rv = list_rotate_locked(ks, st, k, e, where, (int)at);
		if (where != (int)at) {
			i = where == LIST_HEAD ? 0 : m->m_n - 1;
			lens[0] = m->m_len[i];
			memcpy(buf[0], m->m_s[i], lens[0]);
			model_remove(m, i);
			model_insert(m, at == LIST_HEAD ? 0 : m->m_n, buf[0],
			    lens[0]);
		}
		break;
	default:
		/* Rebuild without every other element. */
		for (i = 0; i < m->m_n; i++)
			list_vec_add(&v, m->m_s[i], m->m_len[i]);
		for (i = 0, n = 0; i < v.lv_n; i++)
			if (i % 2 == 0) {
				v.lv_ptr[n] = v.lv_ptr[i];
				v.lv_len[n++] = v.lv_len[i];
			}
		v.lv_n = n;
		rv = list_write_locked(ks, st, k, &v, KEYSPACE_NO_EXPIRE);
		for (i = m->m_n; i-- > 0;)
			if (i % 2 == 1)
				model_remove(m, i);
		break;
	}
	list_vec_free(&v);
	return (rv);
}

static void
test_model(struct arena *a, struct keyspace *ks, int fill, int steps)
{
	struct model		 m = { NULL, NULL, 0 };
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	int			 i, good = 1, clean = 1, chain = 0;
	int			 packed = 0, back = 0, was_chain = 0;

	list_set_fill(fill);
	keyspace_key(ks, &k, "model", 5);
	for (i = 0; i < steps && good && clean; i++) {
		st = keyspace_lock(ks, 0, &k);
		good &= random_step(ks, st, &k, &m) == 0;
		good &= list_matches(ks, st, &k, &m);
		e = keyspace_peek_locked(ks, st, &k, NOW);
		if (e != NULL && e->e_type == (OBJ_LIST | OBJ_LIST_CHAIN)) {
			chain++;
			was_chain = 1;
		} else if (e != NULL) {
			packed++;
			back += was_chain;
			was_chain = 0;
		}
		keyspace_unlock(ks, st);
		if (i % 50 == 0)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
	}
	ok(good, "fill %d: %d random changes leave the list equal to the "
	    "model, from both ends", fill, i);
	ok(clean, "and the checker finds the arena whole every 50 steps");
	ok(chain > 0 && packed > 0 && back > 0, "the list was packed (%d "
	    "steps), a chain (%d), and packed again after a chain (%d times)",
	    packed, chain, back);
	(void)keyspace_delete(ks, 0, "model", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete frees every "
	    "node");
	while (m.m_n > 0)
		model_remove(&m, 0);
	free(m.m_s);
	free(m.m_len);
	list_set_fill(-2);
}

/* Push n elements of `len' bytes each at the tail of key `name'. */
static void
fill_list(struct keyspace *ks, const char *name, int n, size_t len)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct list_vec		 v;
	char			 buf[64];
	int			 i;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	list_vec_init(&v);
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < n; i++)
		list_vec_add(&v, buf, len);
	(void)list_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE);
	list_vec_free(&v);
	keyspace_unlock(ks, st);
}

/* The node offsets of a chain, from the head. */
static size_t
chain_nodes(struct keyspace *ks, const struct entry *e, aoff_t *out,
    size_t max)
{
	const struct list_node	*n;
	aoff_t			 o;
	size_t			 i = 0;

	for (o = list_chain(ks->ks_arena, e); !aoff_isnull(o) && i < max;
	    o = n->ln_next) {
		n = arena_ptr(ks->ks_arena, o);
		out[i++] = o;
	}
	return (i);
}

static void
test_node_copy(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v;
	struct list_iter	 it;
	aoff_t			 before[64], after[64];
	const char		*s;
	size_t			 nb, na, i, len;
	int			 same = 1;

	list_set_fill(-1);
	fill_list(ks, "nodes", 1000, 20);
	keyspace_key(ks, &k, "nodes", 5);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	nb = chain_nodes(ks, e, before, 64);
	ok(e->e_type == (OBJ_LIST | OBJ_LIST_CHAIN) && nb > 3,
	    "1000 elements of 20 bytes at 4 KiB a node make a chain of %zu "
	    "nodes", nb);
	/* Pop one from the head to make room there, then push one back. */
	(void)list_pop_locked(ks, st, &k, e, LIST_HEAD, 1);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	list_vec_init(&v);
	list_vec_add(&v, "new", 3);
	(void)list_push_locked(ks, st, &k, e, LIST_HEAD, &v);
	list_vec_free(&v);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	na = chain_nodes(ks, e, after, 64);
	for (i = 1; i < nb && i < na; i++)
		same &= aoff_eq(before[i], after[i]);
	list_iter_init(&it, ks->ks_arena, e, 0, 0);
	ok(na == nb && same && list_iter_next(&it, &s, &len) && len == 3 &&
	    memcmp(s, "new", 3) == 0,
	    "a pop and a push at the head replace the head node only");
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "the old head nodes are "
	    "freed");
	list_set_fill(-2);
	(void)keyspace_delete(ks, 0, "nodes", 5);
}

static void
test_lifecycle(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 src, dst;
	struct ks_stripe	*st;
	struct slab_stats	 ss;
	uint64_t		 used0;
	int			 rv;

	keyspace_flush(ks, 0);
	slab_stats(a, &ss);
	used0 = ss.bytes_used;
	fill_list(ks, "big", 5000, 30);
	fill_list(ks, "big", 5000, 31);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a chain overwritten by "
	    "another frees the first");
	keyspace_put(ks, 0, "big", 3, OBJ_STRING, "s", 1, KEYSPACE_NO_EXPIRE);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a chain overwritten by a "
	    "string frees its nodes");
	fill_list(ks, "big", 5000, 30);
	keyspace_key(ks, &src, "big", 3);
	keyspace_key(ks, &dst, "copy", 4);
	st = keyspace_lock(ks, 0, &src);
	keyspace_unlock(ks, st);
	{
		struct ks_stripe	*sts[2], *held[2];
		struct ks_key		 keys[2] = { src, dst };
		size_t			 nheld;

		nheld = keyspace_lock_keys(ks, 0, NULL, keys, 2, sts, held);
		rv = keyspace_copy_locked(ks, sts[0], &src, sts[1], &dst, NOW,
		    0, -1);
		keyspace_unlock_keys(ks, held, nheld);
	}
	ok(rv == 1 && check_arena(a, 0, stderr, NULL) == 0,
	    "a rename of a chain leaves the arena whole");
	ok(keyspace_set_expire(ks, 0, "copy", 4, NOW + 10, NOW) == 1 &&
	    check_arena(a, 0, stderr, NULL) == 0,
	    "an expiry given to a chain keeps its nodes");
	st = keyspace_lock(ks, 0, &dst);
	ok(keyspace_peek_locked(ks, st, &dst, NOW + 11) == NULL,
	    "the chain expires");
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "and its nodes are freed");
	fill_list(ks, "f1", 3000, 25);
	fill_list(ks, "f2", 3000, 25);
	keyspace_flush(ks, 0);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a flush frees every node");
	slab_stats(a, &ss);
	ok(ss.bytes_used == used0, "the allocator is back where it was (%llu "
	    "bytes used, %llu before)", (unsigned long long)ss.bytes_used,
	    (unsigned long long)used0);
}

/*
 * The nodes of list `name' of db (none when it is missing) and its length,
 * as the checker finds the arena.
 */
static size_t
list_nodes_of(struct keyspace *ks, unsigned db, const char *name,
    aoff_t *out, size_t max, uint64_t *len)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	size_t			 n = 0;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, db, &k);
	*len = 0;
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) != NULL) {
		n = chain_nodes(ks, e, out, max);
		*len = list_length(ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	return (n);
}

/* A name "<prefix><n>" that is (or is not) in the stripe of `near'. */
static void
name_near(struct keyspace *ks, const char *near, const char *prefix,
    int same, char *buf, size_t cap)
{
	struct ks_key	 a, b;
	unsigned	 n;

	keyspace_key(ks, &a, near, strlen(near));
	for (n = 0;; n++) {
		snprintf(buf, cap, "%s%u", prefix, n);
		keyspace_key(ks, &b, buf, strlen(buf));
		if ((keyspace_stripe_index(ks, &a) ==
		    keyspace_stripe_index(ks, &b)) == same)
			return;
	}
}

static void
test_rename_chain(struct arena *a, struct keyspace *ks)
{
	aoff_t		 orig[64], got[64], other[64];
	uint64_t	 len0, len;
	size_t		 n0, n, i;
	char		 within[32], across[32];
	int		 same, apart;

	keyspace_flush(ks, 0);
	keyspace_flush(ks, 1);
	fill_list(ks, "chain", 4000, 30);
	n0 = list_nodes_of(ks, 0, "chain", orig, 64, &len0);
	ok(n0 > 3 && n0 < 64 && len0 == 4000, "a chain of %zu nodes", n0);

	/* Within one stripe, to a name one byte longer. */
	name_near(ks, "chain", "chain.", 1, within, sizeof(within));
	ok(testarena_copy_key(ks, 0, "chain", 0, within, 0, NOW) == 1,
	    "rename within a stripe");
	n = list_nodes_of(ks, 0, within, got, 64, &len);
	for (i = 0, same = n == n0; same && i < n; i++)
		same = aoff_eq(got[i], orig[i]);
	ok(same && len == len0 && list_nodes_of(ks, 0, "chain", got, 64,
	    &len) == 0 && len == 0, "the new name holds the very nodes, the "
	    "old one nothing");
	ok(check_arena(a, 0, stderr, NULL) == 0, "no node leaked or freed");

	/* Across stripes, onto a chain of its own. */
	name_near(ks, within, "far-", 0, across, sizeof(across));
	fill_list(ks, across, 3000, 20);
	ok(list_nodes_of(ks, 0, across, other, 64, &len) > 1,
	    "the destination across stripes is a chain too");
	ok(testarena_copy_key(ks, 0, within, 0, across, 0, NOW) == 1,
	    "rename across stripes onto it");
	n = list_nodes_of(ks, 0, across, got, 64, &len);
	for (i = 0, same = n == n0; same && i < n; i++)
		same = aoff_eq(got[i], orig[i]);
	ok(same && len == len0, "the destination holds the source's very "
	    "nodes");
	ok(check_arena(a, 0, stderr, NULL) == 0, "its own nodes are freed, "
	    "none leaked");

	/* To the other database. */
	ok(testarena_copy_key(ks, 0, across, 1, across, 0, NOW) == 1,
	    "move to db 1");
	n = list_nodes_of(ks, 1, across, got, 64, &len);
	for (i = 0, same = n == n0; same && i < n; i++)
		same = aoff_eq(got[i], orig[i]);
	ok(same && len == len0 && check_arena(a, 0, stderr, NULL) == 0,
	    "the moved list holds the very nodes, the arena whole");

	/* A copy is deep: no node shared. */
	ok(testarena_copy_key(ks, 1, across, 0, "copy", 1, NOW) == 1,
	    "copy back to db 0");
	n = list_nodes_of(ks, 0, "copy", got, 64, &len);
	for (i = 0, apart = n > 0; apart && i < n; i++)
		apart = !aoff_eq(got[i], orig[i]);
	ok(apart && len == len0 && list_nodes_of(ks, 1, across, other, 64,
	    &len) == n0 && check_arena(a, 0, stderr, NULL) == 0,
	    "the copy has nodes of its own and the source keeps its");
	keyspace_flush(ks, 0);
	keyspace_flush(ks, 1);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a flush frees them all");
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	test_pack();
	if (!ok(testarena_store(&a, &ks, SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes"))
		return (tap_done());
	test_model(&a, &ks, -2, 1500);
	test_model(&a, &ks, 4, 1500);
	test_model(&a, &ks, -1, 1000);
	test_node_copy(&a, &ks);
	test_lifecycle(&a, &ks);
	test_rename_chain(&a, &ks);
	testarena_destroy(&a);
	return (tap_done());
}
