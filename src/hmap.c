/*
 * hmap.c: hashes in the arena, packed in their entry or as a hash table
 * (hmap.h, dict.h).
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's intents.
 *
 * Crash story.  A packed hash changes as a string does: its new bytes are
 * built in private memory, then one keyspace put replaces the entry, so a
 * process killed anywhere leaves the whole old hash or the whole new one.
 * Its conversion into a table is one dict_write_locked(), which replaces
 * the entry as a put does.  A table takes every field a command sets or
 * deletes in one batch (dict_batch_locked(): one intent, or one rewrite
 * of the table; dict.c tells that story).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/check.h"
#include "hydra/hash.h"
#include "hydra/hmap.h"
#include "hydra/object.h"
#include "hydra/pack.h"

/* Vectors. */

void
hmap_vec_init(struct hmap_vec *v)
{
	memset(v, 0, sizeof(*v));
}

int
hmap_vec_add(struct hmap_vec *v, const char *field, size_t flen,
    const char *value, size_t vlen)
{
	struct hmap_pair	*p;
	size_t			 cap;

	if (v->hv_n == v->hv_cap) {
		cap = v->hv_cap == 0 ? 16 : v->hv_cap * 2;
		if ((p = reallocarray(v->hv_p, cap, sizeof(*p))) == NULL)
			return (-1);
		v->hv_p = p;
		v->hv_cap = cap;
	}
	p = &v->hv_p[v->hv_n++];
	p->hp_field = field;
	p->hp_flen = flen;
	p->hp_value = value;
	p->hp_vlen = vlen;
	return (0);
}

void
hmap_vec_free(struct hmap_vec *v)
{
	free(v->hv_p);
	hmap_vec_init(v);
}

int
hmap_vec_load(struct hmap_vec *v, struct arena *a, const struct entry *e)
{
	struct hmap_iter	 it;
	struct hmap_pair	 p;

	hmap_iter_init(&it, a, e);
	while (hmap_iter_next(&it, &p))
		if (hmap_vec_add(v, p.hp_field, p.hp_flen, p.hp_value,
		    p.hp_vlen) == -1)
			return (-1);
	return (0);
}

/* Reading. */

static int
hmap_is_table(const struct entry *e)
{
	return (e->e_type == (OBJ_HASH | OBJ_HASH_TABLE));
}

static void
hmap_from_dict(struct hmap_pair *p, const struct dict_pair *dp)
{
	p->hp_field = dp->dp_field;
	p->hp_flen = dp->dp_flen;
	p->hp_value = dp->dp_value;
	p->hp_vlen = dp->dp_vlen;
}

/* The count and the packed pairs of a packed hash. */
static uint32_t
hmap_packed(const struct entry *e, const char **start, const char **end)
{
	const char	*v;
	size_t		 vlen;
	uint32_t	 n;

	v = entry_value(e, &vlen);
	memcpy(&n, v, sizeof(n));
	*start = v + sizeof(n);
	*end = v + vlen;
	return (n);
}

uint64_t
hmap_count(struct arena *a, const struct entry *e)
{
	const char	*start, *end;

	if (hmap_is_table(e))
		return (dict_count(a, e));
	return (hmap_packed(e, &start, &end));
}

void
hmap_iter_init(struct hmap_iter *it, struct arena *a, const struct entry *e)
{
	it->hi_table = hmap_is_table(e);
	if (it->hi_table) {
		it->hi_pos = it->hi_end = NULL;
		dict_iter_init(&it->hi_dict, a, e);
	} else
		(void)hmap_packed(e, &it->hi_pos, &it->hi_end);
}

int
hmap_iter_next(struct hmap_iter *it, struct hmap_pair *p)
{
	struct dict_pair	 dp;
	const char		*q;

	if (it->hi_table) {
		if (!dict_iter_next(&it->hi_dict, &dp))
			return (0);
		hmap_from_dict(p, &dp);
		return (1);
	}
	if (it->hi_pos == NULL || it->hi_pos >= it->hi_end)
		return (0);
	q = pack_next(it->hi_pos, it->hi_end, &p->hp_field, &p->hp_flen);
	if (q != NULL)
		q = pack_next(q, it->hi_end, &p->hp_value, &p->hp_vlen);
	it->hi_pos = q;
	return (q != NULL);
}

int
hmap_find(struct arena *a, const struct entry *e, const void *field,
    size_t flen, struct hmap_pair *p)
{
	struct hmap_iter	 it;
	struct dict_pair	 dp;

	if (hmap_is_table(e)) {
		if (!dict_find(a, e, field, flen, &dp))
			return (0);
		hmap_from_dict(p, &dp);
		return (1);
	}
	hmap_iter_init(&it, a, e);
	while (hmap_iter_next(&it, p))
		if (p->hp_flen == flen && memcmp(p->hp_field, field, flen) == 0)
			return (1);
	return (0);
}

void
hmap_random(struct arena *a, const struct entry *e, uint64_t rnd,
    struct hmap_pair *p)
{
	struct hmap_iter	 it;
	struct dict_pair	 dp;
	uint64_t		 i;

	if (hmap_is_table(e)) {
		dict_random(a, e, rnd, &dp);
		hmap_from_dict(p, &dp);
		return;
	}
	memset(p, 0, sizeof(*p));
	i = rnd % hmap_count(a, e);
	hmap_iter_init(&it, a, e);
	while (hmap_iter_next(&it, p) && i-- > 0)
		;
}

/* A scan's callback and its argument, for dict_scan()'s callback. */
struct hmap_scan_arg {
	hmap_scan_fn	 hsa_fn;
	void		*hsa_arg;
};

static void
hmap_scan_dict(const struct dict_pair *dp, void *arg)
{
	struct hmap_scan_arg	*hsa = arg;
	struct hmap_pair	 p;

	hmap_from_dict(&p, dp);
	hsa->hsa_fn(&p, hsa->hsa_arg);
}

uint64_t
hmap_scan(struct arena *a, const struct entry *e, uint64_t cursor,
    hmap_scan_fn fn, void *arg)
{
	struct hmap_scan_arg	 hsa;
	struct hmap_iter	 it;
	struct hmap_pair	 p;

	if (hmap_is_table(e)) {
		hsa.hsa_fn = fn;
		hsa.hsa_arg = arg;
		return (dict_scan(a, e, cursor, hmap_scan_dict, &hsa));
	}
	hmap_iter_init(&it, a, e);
	while (hmap_iter_next(&it, &p))
		fn(&p, arg);
	return (0);
}

const char *
hmap_encoding(const struct entry *e)
{
	return (hmap_is_table(e) ? "hashtable" : "listpack");
}

int
hmap_wants_table(uint64_t count, size_t longest)
{
	return (count > object_limits.ol_hash_entries ||
	    longest > object_limits.ol_hash_value);
}

/* Changes. */

/*
 * A private index of the fields of a vector that a set builds, so that a
 * set of many fields finds each one in constant time: open addressing,
 * each slot the field's place in the vector plus one.  Without slots
 * (few fields), fields are looked for one by one.
 */
#define HMAP_INDEX_MIN	32

struct hmap_index {
	size_t		*hx_slot;
	size_t		 hx_mask;
	uint64_t	 hx_seed[2];
};

static size_t
hmap_index_home(const struct hmap_index *hx, const char *field, size_t flen)
{
	return ((size_t)hash_sip13(hx->hx_seed, field, flen) & hx->hx_mask);
}

/* Room for n fields, v's first ones in.  0, or -1 ENOMEM. */
static int
hmap_index_build(struct hmap_index *hx, const struct hmap_vec *v, size_t n)
{
	size_t	 size, i, slot;

	for (size = 64; size < 2 * n; size *= 2)
		;
	if ((hx->hx_slot = calloc(size, sizeof(*hx->hx_slot))) == NULL)
		return (-1);
	hx->hx_mask = size - 1;
	arc4random_buf(hx->hx_seed, sizeof(hx->hx_seed));
	for (i = 0; i < v->hv_n; i++) {
		slot = hmap_index_home(hx, v->hv_p[i].hp_field,
		    v->hv_p[i].hp_flen);
		while (hx->hx_slot[slot] != 0)
			slot = (slot + 1) & hx->hx_mask;
		hx->hx_slot[slot] = i + 1;
	}
	return (0);
}

/*
 * The place of field in v, or -1; *slotp (may be NULL) gets the free
 * slot where the index would take it.
 */
static ssize_t
hmap_index_find(const struct hmap_index *hx, const struct hmap_vec *v,
    const char *field, size_t flen, size_t *slotp)
{
	const struct hmap_pair	*p;
	size_t			 i, slot;

	if (hx->hx_slot == NULL) {
		for (i = 0; i < v->hv_n; i++)
			if (v->hv_p[i].hp_flen == flen &&
			    memcmp(v->hv_p[i].hp_field, field, flen) == 0)
				return ((ssize_t)i);
		return (-1);
	}
	for (slot = hmap_index_home(hx, field, flen);
	    hx->hx_slot[slot] != 0; slot = (slot + 1) & hx->hx_mask) {
		p = &v->hv_p[hx->hx_slot[slot] - 1];
		if (p->hp_flen == flen && memcmp(p->hp_field, field, flen) == 0)
			return ((ssize_t)hx->hx_slot[slot] - 1);
	}
	if (slotp != NULL)
		*slotp = slot;
	return (-1);
}

/*
 * Make key kk the packed hash of v's pairs (fields distinct, at least
 * one), with expiry expire_ms.  0, or -1 ENOMEM (nothing changed).
 */
static int
hmap_write_packed(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct hmap_vec *v, int64_t expire_ms)
{
	const struct hmap_pair	*p;
	uint32_t		 n32;
	size_t			 bytes = sizeof(n32), i;
	char			*buf, *q;
	int			 rv;

	if (v->hv_n > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	for (i = 0; i < v->hv_n; i++)
		bytes += pack_elem_size(v->hv_p[i].hp_flen) +
		    pack_elem_size(v->hv_p[i].hp_vlen);
	if ((buf = malloc(bytes)) == NULL)
		return (-1);
	n32 = (uint32_t)v->hv_n;
	memcpy(buf, &n32, sizeof(n32));
	for (i = 0, q = buf + sizeof(n32); i < v->hv_n; i++) {
		p = &v->hv_p[i];
		q = pack_put(q, p->hp_field, p->hp_flen);
		q = pack_put(q, p->hp_value, p->hp_vlen);
	}
	rv = keyspace_put_locked(ks, st, kk, OBJ_HASH | OBJ_HASH_PACKED, buf,
	    bytes, expire_ms);
	free(buf);
	return (rv);
}

/*
 * Make key kk the table of v's pairs (fields distinct, at least one),
 * with expiry expire_ms, in one change: the conversion of a packed hash.
 */
static int
hmap_write_table(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct hmap_vec *v, int64_t expire_ms)
{
	struct dict_pair	*dp;
	size_t			 i;
	int			 rv;

	if ((dp = reallocarray(NULL, v->hv_n, sizeof(*dp))) == NULL)
		return (-1);
	for (i = 0; i < v->hv_n; i++) {
		dp[i].dp_field = v->hv_p[i].hp_field;
		dp[i].dp_flen = v->hv_p[i].hp_flen;
		dp[i].dp_value = v->hv_p[i].hp_value;
		dp[i].dp_vlen = v->hv_p[i].hp_vlen;
	}
	rv = dict_write_locked(ks, st, kk, OBJ_HASH | OBJ_HASH_TABLE, dp,
	    v->hv_n, expire_ms);
	free(dp);
	return (rv);
}

/*
 * The same on a table, in one change (a batch of dict.c's).  A delete of
 * the last field deletes the key, and with it the entry e.
 */
static int
hmap_apply_table(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct hmap_vec *v,
    int del, uint64_t *changed)
{
	struct dict_change	*ch;
	const struct hmap_pair	*p;
	uint64_t		 n = 0;
	size_t			 i;
	int			*res, rv = -1;

	ch = reallocarray(NULL, v->hv_n, sizeof(*ch));
	res = reallocarray(NULL, v->hv_n, sizeof(*res));
	if (ch == NULL || res == NULL)
		goto out;
	for (i = 0; i < v->hv_n; i++) {
		p = &v->hv_p[i];
		ch[i].dc_field = p->hp_field;
		ch[i].dc_flen = p->hp_flen;
		ch[i].dc_value = del ? NULL : p->hp_value;
		ch[i].dc_vlen = del ? 0 : p->hp_vlen;
		ch[i].dc_delete = del;
	}
	if (dict_batch_locked(ks, st, kk, e, ch, v->hv_n, res) == -1)
		goto out;
	for (i = 0; i < v->hv_n; i++)
		n += (uint64_t)res[i];
	if (changed != NULL)
		*changed = n;
	rv = 0;
out:
	free(ch);
	free(res);
	return (rv);
}

/*
 * Set (or, when `del', delete) the pairs of v, one after the other, in
 * the hash of key kk, whose entry is e (NULL: a new hash); *changed gets
 * the number of fields added (or deleted).  A packed hash is rebuilt and
 * put whole; a hash left empty is deleted.
 */
static int
hmap_apply(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct hmap_vec *v,
    int del, uint64_t *changed)
{
	struct hmap_vec		 cur;
	struct hmap_index	 hx;
	const struct hmap_pair	*p;
	uint64_t		 n = 0;
	ssize_t			 at;
	size_t			 i, longest = 0, slot = 0;
	int64_t			 expire;
	int			 rv = -1;

	if (e != NULL && hmap_is_table(e))
		return (hmap_apply_table(ks, st, kk, e, v, del, changed));
	hmap_vec_init(&cur);
	memset(&hx, 0, sizeof(hx));
	if (e != NULL && hmap_vec_load(&cur, ks->ks_arena, e) == -1)
		goto out;
	/* A set of many fields indexes them (a delete keeps to few). */
	if (!del && cur.hv_n + v->hv_n > HMAP_INDEX_MIN &&
	    hmap_index_build(&hx, &cur, cur.hv_n + v->hv_n) == -1)
		goto out;
	for (i = 0; i < v->hv_n; i++) {
		p = &v->hv_p[i];
		if (!del && p->hp_flen > longest)
			longest = p->hp_flen;
		if (!del && p->hp_vlen > longest)
			longest = p->hp_vlen;
		at = hmap_index_find(&hx, &cur, p->hp_field, p->hp_flen,
		    &slot);
		if (del && at >= 0) {
			/* The order of the others stays. */
			memmove(&cur.hv_p[at], &cur.hv_p[at + 1],
			    (cur.hv_n - (size_t)at - 1) * sizeof(*cur.hv_p));
			cur.hv_n--;
			n++;
		} else if (!del && at >= 0) {
			cur.hv_p[at].hp_value = p->hp_value;
			cur.hv_p[at].hp_vlen = p->hp_vlen;
		} else if (!del) {
			if (hmap_vec_add(&cur, p->hp_field, p->hp_flen,
			    p->hp_value, p->hp_vlen) == -1)
				goto out;
			if (hx.hx_slot != NULL)
				hx.hx_slot[slot] = cur.hv_n;
			n++;
		}
	}
	rv = 0;
	expire = e != NULL ? entry_expire(e) : KEYSPACE_NO_EXPIRE;
	if (cur.hv_n == 0)
		(void)keyspace_delete_locked(ks, st, kk);
	else if (!del && hmap_wants_table(cur.hv_n, longest))
		rv = hmap_write_table(ks, st, kk, &cur, expire);
	else if (!del || n > 0)
		rv = hmap_write_packed(ks, st, kk, &cur, expire);
	if (rv == 0 && changed != NULL)
		*changed = n;
out:
	free(hx.hx_slot);
	hmap_vec_free(&cur);
	return (rv);
}

int
hmap_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct hmap_vec *v, int table,
    int64_t expire_ms)
{
	return (table ? hmap_write_table(ks, st, kk, v, expire_ms) :
	    hmap_write_packed(ks, st, kk, v, expire_ms));
}

int
hmap_set_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct hmap_vec *v,
    uint64_t *added)
{
	return (hmap_apply(ks, st, kk, e, v, 0, added));
}

int
hmap_delete_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const struct hmap_vec *v,
    uint64_t *deleted)
{
	return (hmap_apply(ks, st, kk, e, v, 1, deleted));
}

/* The checker's order of pairs: by field length, then bytes. */
static int
hmap_field_cmp(const void *a, const void *b)
{
	const struct hmap_pair	*pa = a, *pb = b;

	if (pa->hp_flen != pb->hp_flen)
		return (pa->hp_flen < pb->hp_flen ? -1 : 1);
	return (memcmp(pa->hp_field, pb->hp_field, pa->hp_flen));
}

void
hmap_check(struct check *ck, const struct entry *e, unsigned db,
    uint32_t stripe)
{
	struct hmap_vec	 v;
	size_t		 i;

	hmap_vec_init(&v);
	if (hmap_vec_load(&v, ck->ck_arena, e) == -1) {
		check_error(ck, "db %u stripe %u: no memory to check a packed "
		    "hash", db, stripe);
		hmap_vec_free(&v);
		return;
	}
	/* Sorted, a field held twice lies next to itself. */
	if (v.hv_n > 1)
		qsort(v.hv_p, v.hv_n, sizeof(*v.hv_p), hmap_field_cmp);
	for (i = 1; i < v.hv_n; i++)
		if (hmap_field_cmp(&v.hv_p[i - 1], &v.hv_p[i]) == 0) {
			check_error(ck, "db %u stripe %u: packed hash holds a "
			    "field of %zu bytes twice", db, stripe,
			    v.hv_p[i].hp_flen);
			break;
		}
	hmap_vec_free(&v);
}
