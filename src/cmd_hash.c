/*
 * cmd_hash.c: the hash commands (HSET, HSETNX, HMSET, HGET, HMGET, HDEL,
 * HEXISTS, HLEN, HSTRLEN, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT,
 * HRANDFIELD, HSCAN), with Redis 7.0's arguments, replies and errors.
 *
 * Run by workers.  Each command works on one key: it takes the key's
 * stripe lock through command_find_typed() and keeps it until its reply
 * is built, so the bytes of fields and values are read where they lie in
 * the arena and copied into the client's private reply buffer.  The hash
 * itself, whatever its encoding, is hmap.c's.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/hmap.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"

#include "command_internal.h"

/* The parts of a pair that a reply shows. */
#define HASH_FIELDS	0x01
#define HASH_VALUES	0x02

/*
 * Lock the stripe of a key and find its live entry.  0 with the stripe
 * locked and *ep the entry (or NULL when the key is missing); -1, with the
 * stripe unlocked and WRONGTYPE answered, when the key is not a hash.
 * `reading': the lookup counts as a hit or a miss.
 */
static int
cmd_hash_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, int reading, struct ks_stripe **stp, const struct entry **ep)
{
	return (command_find_typed(cl, OBJ_HASH, k, key, klen, reading, stp,
	    ep));
}

/* Unlock and answer OOM: a change that found no memory changed nothing. */
static void
cmd_hash_oom(struct client *cl, struct ks_stripe *st)
{
	keyspace_unlock(cl->cl_ks, st);
	reply_error(&cl->cl_reply, CMD_ERR_OOM);
}

/*
 * Set one field (HSETNX, HINCRBY, HINCRBYFLOAT) in the hash e of key k:
 * 0, or -1 after the OOM reply, with the stripe unlocked.
 */
static int
cmd_hash_set_one(struct client *cl, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, const char *field,
    size_t flen, const char *value, size_t vlen)
{
	struct hmap_vec	 v;
	int		 rv;

	hmap_vec_init(&v);
	rv = hmap_vec_add(&v, field, flen, value, vlen);
	if (rv == 0)
		rv = hmap_set_locked(cl->cl_ks, st, k, e, &v, NULL);
	hmap_vec_free(&v);
	if (rv == -1)
		cmd_hash_oom(cl, st);
	return (rv);
}

/* HSET and HMSET key field value [field value ...]. */
static void
cmd_hset_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int hmset)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_vec		 v;
	uint64_t		 added = 0;
	int			 i, rv = 0;

	if (argc % 2 == 1) {
		command_reply_arity(cl, hmset ? "hmset" : "hset");
		return;
	}
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	hmap_vec_init(&v);
	for (i = 2; rv == 0 && i < argc; i += 2)
		rv = hmap_vec_add(&v, argv[i], argvlen[i], argv[i + 1],
		    argvlen[i + 1]);
	if (rv == 0)
		rv = hmap_set_locked(cl->cl_ks, st, &k, e, &v, &added);
	hmap_vec_free(&v);
	if (rv == -1) {
		cmd_hash_oom(cl, st);
		return;
	}
	keyspace_unlock(cl->cl_ks, st);
	if (hmset)
		reply_status(&cl->cl_reply, "OK");
	else
		reply_int(&cl->cl_reply, (long long)added);
}

static void
cmd_hset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_hset_generic(cl, argc, argv, argvlen, 0);
}

static void
cmd_hmset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_hset_generic(cl, argc, argv, argvlen, 1);
}

/* HSETNX key field value: a field that exists is left as it is. */
static void
cmd_hsetnx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;

	(void)argc;
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e != NULL && hmap_find(cl->cl_ks->ks_arena, e, argv[2],
	    argvlen[2], &p)) {
		keyspace_unlock(cl->cl_ks, st);
		reply_int(&cl->cl_reply, 0);
		return;
	}
	if (cmd_hash_set_one(cl, st, &k, e, argv[2], argvlen[2], argv[3],
	    argvlen[3]) == -1)
		return;
	keyspace_unlock(cl->cl_ks, st);
	reply_int(&cl->cl_reply, 1);
}

/* HGET (a bulk) and HMGET (an array): the values of fields, or nulls. */
static void
cmd_hash_get(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int array)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;
	int			 i;

	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (array)
		reply_array_len(&cl->cl_reply, argc - 2);
	for (i = 2; i < argc; i++) {
		if (e != NULL && hmap_find(cl->cl_ks->ks_arena, e, argv[i],
		    argvlen[i], &p))
			reply_bulk(&cl->cl_reply, p.hp_value, p.hp_vlen);
		else
			reply_null(&cl->cl_reply);
	}
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_hget(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_hash_get(cl, argc, argv, argvlen, 0);
}

static void
cmd_hmget(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_hash_get(cl, argc, argv, argvlen, 1);
}

static void
cmd_hdel(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_vec		 v;
	uint64_t		 deleted = 0;
	int			 i, rv = 0;

	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e != NULL) {
		hmap_vec_init(&v);
		for (i = 2; rv == 0 && i < argc; i++)
			rv = hmap_vec_add(&v, argv[i], argvlen[i], NULL, 0);
		if (rv == 0)
			rv = hmap_delete_locked(cl->cl_ks, st, &k, e, &v,
			    &deleted);
		hmap_vec_free(&v);
		if (rv == -1) {
			cmd_hash_oom(cl, st);
			return;
		}
	}
	keyspace_unlock(cl->cl_ks, st);
	reply_int(&cl->cl_reply, (long long)deleted);
}

/* HEXISTS and HSTRLEN: a number about one field, 0 when it is missing. */
static void
cmd_hash_field_int(struct client *cl, const char *const *argv,
    const size_t *argvlen, int strlen_of)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;
	long long		 n = 0;

	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e != NULL && hmap_find(cl->cl_ks->ks_arena, e, argv[2],
	    argvlen[2], &p))
		n = strlen_of ? (long long)p.hp_vlen : 1;
	keyspace_unlock(cl->cl_ks, st);
	reply_int(&cl->cl_reply, n);
}

static void
cmd_hexists(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_hash_field_int(cl, argv, argvlen, 0);
}

static void
cmd_hstrlen(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_hash_field_int(cl, argv, argvlen, 1);
}

static void
cmd_hlen(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_int(&cl->cl_reply, e == NULL ? 0 :
	    (long long)hmap_count(cl->cl_ks->ks_arena, e));
	keyspace_unlock(cl->cl_ks, st);
}

/* Reply the parts `what' of one pair. */
static void
cmd_hash_reply_pair(struct client *cl, const struct hmap_pair *p, int what)
{
	if (what & HASH_FIELDS)
		reply_bulk(&cl->cl_reply, p->hp_field, p->hp_flen);
	if (what & HASH_VALUES)
		reply_bulk(&cl->cl_reply, p->hp_value, p->hp_vlen);
}

/*
 * HKEYS, HVALS and HGETALL: every field, value or both, in the hash's
 * order; both are a map in RESP3.
 */
static void
cmd_hash_all(struct client *cl, const char *const *argv,
    const size_t *argvlen, int what)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_iter	 it;
	struct hmap_pair	 p;
	long			 n;

	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	n = e == NULL ? 0 : (long)hmap_count(cl->cl_ks->ks_arena, e);
	if (what == (HASH_FIELDS | HASH_VALUES))
		reply_map_len(&cl->cl_reply, n);
	else
		reply_array_len(&cl->cl_reply, n);
	if (e != NULL) {
		hmap_iter_init(&it, cl->cl_ks->ks_arena, e);
		while (hmap_iter_next(&it, &p))
			cmd_hash_reply_pair(cl, &p, what);
	}
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_hkeys(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_hash_all(cl, argv, argvlen, HASH_FIELDS);
}

static void
cmd_hvals(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_hash_all(cl, argv, argvlen, HASH_VALUES);
}

static void
cmd_hgetall(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_hash_all(cl, argv, argvlen, HASH_FIELDS | HASH_VALUES);
}

/*
 * HINCRBY key field increment.  A value that is missing counts as 0; one
 * that is not a long long as Redis's string2ll() reads it is refused.
 */
static void
cmd_hincrby(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;
	long long		 incr, value = 0;
	char			 buf[24];
	size_t			 n;

	(void)argc;
	if (command_parse_ll(argv[3], argvlen[3], &incr) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e != NULL && hmap_find(cl->cl_ks->ks_arena, e, argv[2],
	    argvlen[2], &p) &&
	    command_parse_ll(p.hp_value, p.hp_vlen, &value) == -1) {
		keyspace_unlock(cl->cl_ks, st);
		reply_error(&cl->cl_reply, "hash value is not an integer");
		return;
	}
	if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
	    (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
		keyspace_unlock(cl->cl_ks, st);
		reply_error(&cl->cl_reply,
		    "increment or decrement would overflow");
		return;
	}
	value += incr;
	n = reply_fmt_ll(buf, value);
	if (cmd_hash_set_one(cl, st, &k, e, argv[2], argvlen[2], buf, n) ==
	    -1)
		return;
	keyspace_unlock(cl->cl_ks, st);
	reply_int(&cl->cl_reply, value);
}

/* HINCRBYFLOAT key field increment, in long double as Redis does it. */
static void
cmd_hincrbyfloat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;
	long double		 incr, value = 0;
	char			 buf[COMMAND_LD_MAX];
	size_t			 n;

	(void)argc;
	if (command_parse_ld(argv[3], argvlen[3], &incr) == -1) {
		reply_error(&cl->cl_reply, "value is not a valid float");
		return;
	}
	if (isnan(incr) || isinf(incr)) {
		reply_error(&cl->cl_reply, "value is NaN or Infinity");
		return;
	}
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e != NULL && hmap_find(cl->cl_ks->ks_arena, e, argv[2],
	    argvlen[2], &p) &&
	    command_parse_ld(p.hp_value, p.hp_vlen, &value) == -1) {
		keyspace_unlock(cl->cl_ks, st);
		reply_error(&cl->cl_reply, "hash value is not a float");
		return;
	}
	value += incr;
	if (isnan(value) || isinf(value)) {
		keyspace_unlock(cl->cl_ks, st);
		reply_error(&cl->cl_reply,
		    "increment would produce NaN or Infinity");
		return;
	}
	n = command_fmt_ld(buf, value);
	if (cmd_hash_set_one(cl, st, &k, e, argv[2], argvlen[2], buf, n) ==
	    -1)
		return;
	keyspace_unlock(cl->cl_ks, st);
	reply_bulk(&cl->cl_reply, buf, n);
}

/*
 * The pairs of HRANDFIELD's draws: a packed hash is read once into a
 * vector, so that each draw costs no walk; a table draws from itself.
 */
struct hash_draw {
	struct arena		*hd_arena;
	const struct entry	*hd_entry;
	struct hmap_vec		 hd_vec;	/* empty for a table */
};

static int
cmd_hash_draw_init(struct hash_draw *d, struct arena *a,
    const struct entry *e)
{
	d->hd_arena = a;
	d->hd_entry = e;
	hmap_vec_init(&d->hd_vec);
	if (e->e_type != (OBJ_HASH | OBJ_HASH_PACKED))
		return (0);
	return (hmap_vec_load(&d->hd_vec, a, e));
}

/* A random number below bound (> 0), for draws and samples. */
static uint64_t
cmd_hash_rand(uint64_t bound)
{
	uint64_t	 r;

	if (bound <= UINT32_MAX)
		return (arc4random_uniform((uint32_t)bound));
	arc4random_buf(&r, sizeof(r));
	return (r % bound);
}

static void
cmd_hash_draw(struct hash_draw *d, struct hmap_pair *p)
{
	if (d->hd_vec.hv_n > 0)
		*p = d->hd_vec.hv_p[cmd_hash_rand(d->hd_vec.hv_n)];
	else
		hmap_random(d->hd_arena, d->hd_entry, cmd_hash_rand(UINT64_MAX),
		    p);
}

/* One pair of HRANDFIELD's reply: a pair of its own in RESP3. */
static void
cmd_hrandfield_reply(struct client *cl, const struct hmap_pair *p,
    int withvalues)
{
	if (withvalues && cl->cl_reply.rb_proto == REPLY_RESP3)
		reply_array_len(&cl->cl_reply, 2);
	cmd_hash_reply_pair(cl, p, withvalues ? HASH_FIELDS | HASH_VALUES :
	    HASH_FIELDS);
}

/* The array of n pairs of HRANDFIELD: flat in RESP2 with values. */
static void
cmd_hrandfield_header(struct client *cl, unsigned long long n,
    int withvalues)
{
	reply_array_len(&cl->cl_reply, (long)(withvalues &&
	    cl->cl_reply.rb_proto == REPLY_RESP2 ? n * 2 : n));
}

/*
 * Reply n distinct pairs of table e (n at most a third of its pairs),
 * drawn at random: a pair drawn again is drawn over, known by where its
 * field lies.  0, or -1 ENOMEM before anything was replied.
 */
static int
cmd_hrandfield_draws(struct client *cl, const struct entry *e,
    unsigned long long n, int withvalues)
{
	struct hmap_pair	*got;
	const char		**seen;
	size_t			 mask, slot, i;
	uint64_t		 h;

	for (mask = 1; mask < 2 * n; mask <<= 1)
		;
	if ((seen = calloc(mask, sizeof(*seen))) == NULL)
		return (-1);
	if ((got = reallocarray(NULL, n, sizeof(*got))) == NULL) {
		free(seen);
		return (-1);
	}
	mask--;
	for (i = 0; i < n;) {
		hmap_random(cl->cl_ks->ks_arena, e, cmd_hash_rand(UINT64_MAX),
		    &got[i]);
		h = (uint64_t)(uintptr_t)got[i].hp_field * 0x9e3779b97f4a7c15ULL;
		for (slot = (size_t)(h >> 32) & mask; seen[slot] != NULL &&
		    seen[slot] != got[i].hp_field; slot = (slot + 1) & mask)
			;
		if (seen[slot] == NULL) {
			seen[slot] = got[i].hp_field;
			i++;
		}
	}
	cmd_hrandfield_header(cl, n, withvalues);
	for (i = 0; i < n; i++)
		cmd_hrandfield_reply(cl, &got[i], withvalues);
	free(seen);
	free(got);
	return (0);
}

/*
 * HRANDFIELD key count [WITHVALUES], once the count is read: a negative
 * count draws that many pairs, repeats allowed; a positive one that many
 * distinct pairs, the whole hash when it has no more, else a sample
 * taken in the hash's order (as Redis samples a listpack).
 */
static void
cmd_hrandfield_count(struct client *cl, const char *key, size_t klen,
    long long count, int withvalues)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hash_draw	 d;
	struct hmap_iter	 it;
	struct hmap_pair	 p;
	unsigned long long	 n, size, need;
	int			 uniq = count >= 0;

	if (cmd_hash_find(cl, &k, key, klen, 1, &st, &e) == -1)
		return;
	n = count >= 0 ? (unsigned long long)count :
	    (unsigned long long)-count;
	if (e == NULL || n == 0) {
		keyspace_unlock(cl->cl_ks, st);
		reply_array_len(&cl->cl_reply, 0);
		return;
	}
	size = hmap_count(cl->cl_ks->ks_arena, e);
	if (!uniq || n == 1) {
		if (cmd_hash_draw_init(&d, cl->cl_ks->ks_arena, e) == -1) {
			hmap_vec_free(&d.hd_vec);
			cmd_hash_oom(cl, st);
			return;
		}
		cmd_hrandfield_header(cl, n, withvalues);
		/* A reply past the buffer's cap ends the connection. */
		while (n-- > 0 && reply_buf_error(&cl->cl_reply) == 0) {
			cmd_hash_draw(&d, &p);
			cmd_hrandfield_reply(cl, &p, withvalues);
		}
		hmap_vec_free(&d.hd_vec);
		keyspace_unlock(cl->cl_ks, st);
		return;
	}
	if (n > size)
		n = size;
	if (e->e_type == (OBJ_HASH | OBJ_HASH_TABLE) && n * 3 <= size) {
		/* Few of many: draws, each pair taken once. */
		if (cmd_hrandfield_draws(cl, e, n, withvalues) == -1)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		keyspace_unlock(cl->cl_ks, st);
		return;
	}
	cmd_hrandfield_header(cl, n, withvalues);
	/* Selection sampling: each pair with the odds of what is left. */
	need = n;
	hmap_iter_init(&it, cl->cl_ks->ks_arena, e);
	while (need > 0 && hmap_iter_next(&it, &p)) {
		if (cmd_hash_rand(size--) >= need)
			continue;
		need--;
		cmd_hrandfield_reply(cl, &p, withvalues);
	}
	keyspace_unlock(cl->cl_ks, st);
}

/* HRANDFIELD key [count [WITHVALUES]]. */
static void
cmd_hrandfield(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 p;
	long long		 count;
	int			 withvalues = 0;

	if (argc >= 3) {
		if (command_parse_ll(argv[2], argvlen[2], &count) == -1) {
			reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
			return;
		}
		if (count == LLONG_MIN) {
			reply_errorf(&cl->cl_reply, "value is out of range, "
			    "value must between %lld and %lld", -LLONG_MAX,
			    LLONG_MAX);
			return;
		}
		if (argc > 4 || (argc == 4 && !command_arg_is(argv[3],
		    argvlen[3], "withvalues"))) {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
		if (argc == 4) {
			withvalues = 1;
			/* Twice the count must stay a long. */
			if (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2) {
				reply_error(&cl->cl_reply,
				    "value is out of range");
				return;
			}
		}
		cmd_hrandfield_count(cl, argv[1], argvlen[1], count,
		    withvalues);
		return;
	}
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL)
		reply_null(&cl->cl_reply);
	else {
		hmap_random(cl->cl_ks->ks_arena, e,
		    cmd_hash_rand(UINT64_MAX), &p);
		reply_bulk(&cl->cl_reply, p.hp_field, p.hp_flen);
	}
	keyspace_unlock(cl->cl_ks, st);
}

/* What an HSCAN step collects: pairs, filtered by a pattern. */
struct hash_scan {
	struct hmap_vec			 hs_vec;
	const struct command_scan	*hs_opts;
	size_t				 hs_seen;	/* pairs visited */
	int				 hs_failed;
};

static void
cmd_hscan_visit(const struct hmap_pair *p, void *arg)
{
	struct hash_scan	*hs = arg;

	hs->hs_seen++;
	if (!command_scan_match(hs->hs_opts, p->hp_field, p->hp_flen))
		return;
	if (hmap_vec_add(&hs->hs_vec, p->hp_field, p->hp_flen, p->hp_value,
	    p->hp_vlen) == -1)
		hs->hs_failed = 1;
}

/*
 * HSCAN key cursor [MATCH pattern] [COUNT count], after Redis 7.0's
 * scanGenericCommand(): a missing key answers an empty scan before the
 * options are read; steps are taken as command_scan_more() says, a pair
 * counting as a field and a value.
 */
static void
cmd_hscan(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct command_scan	 sc;
	struct hash_scan	 hs;
	uint64_t		 cursor;
	size_t			 i;

	if (command_scan_cursor(cl, argv[2], argvlen[2], &cursor) == -1)
		return;
	if (cmd_hash_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL) {
		keyspace_unlock(cl->cl_ks, st);
		command_reply_scan_empty(cl);
		return;
	}
	if (command_scan_args(cl, argc, argv, argvlen, 3, 0, &sc) == -1) {
		keyspace_unlock(cl->cl_ks, st);
		return;
	}
	memset(&hs, 0, sizeof(hs));
	hs.hs_opts = &sc;
	do {
		cursor = hmap_scan(cl->cl_ks->ks_arena, e, cursor,
		    cmd_hscan_visit, &hs);
	} while (!hs.hs_failed && command_scan_more(&sc, cursor,
	    hs.hs_seen * 2));
	if (hs.hs_failed) {
		hmap_vec_free(&hs.hs_vec);
		cmd_hash_oom(cl, st);
		return;
	}
	command_reply_cursor(cl, cursor);
	reply_array_len(&cl->cl_reply, (long)hs.hs_vec.hv_n * 2);
	for (i = 0; i < hs.hs_vec.hv_n; i++)
		cmd_hash_reply_pair(cl, &hs.hs_vec.hv_p[i],
		    HASH_FIELDS | HASH_VALUES);
	keyspace_unlock(cl->cl_ks, st);
	hmap_vec_free(&hs.hs_vec);
}

static const struct command cmd_hash_commands[] = {
	{ "hset",	-4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_hset },
	{ "hmset",	-4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_hmset },
	{ "hsetnx",	4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_hsetnx },
	{ "hget",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_hget },
	{ "hmget",	-3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_hmget },
	{ "hdel",	-3,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_hdel },
	{ "hexists",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_hexists },
	{ "hlen",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_hlen },
	{ "hstrlen",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_hstrlen },
	{ "hkeys",	2,	CMD_READONLY, 1, 1, 1, cmd_hkeys },
	{ "hvals",	2,	CMD_READONLY, 1, 1, 1, cmd_hvals },
	{ "hgetall",	2,	CMD_READONLY, 1, 1, 1, cmd_hgetall },
	{ "hincrby",	4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_hincrby },
	{ "hincrbyfloat", 4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_hincrbyfloat },
	{ "hrandfield",	-2,	CMD_READONLY, 1, 1, 1, cmd_hrandfield },
	{ "hscan",	-3,	CMD_READONLY, 1, 1, 1, cmd_hscan },
};

const struct command_family cmd_hash_family = {
	cmd_hash_commands, nitems(cmd_hash_commands)
};
