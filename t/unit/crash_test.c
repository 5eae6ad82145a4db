/*
 * crash_test.c: a process killed at any step of a change leaves the store
 * consistent.
 *
 * A child process runs a fixed workload of keyspace changes (puts of short,
 * long-keyed, mid-sized and page-run values, deletes, expiries set in place
 * and by rebuilding the entry, persists, lazy and active expiry, flushes,
 * renames within and across stripes, moves to the other database, swaps
 * of the two databases, growing and shrinking rehashes) and is SIGKILLed:
 *   - at each crash point of the tree in turn, at several of its hits;
 *   - at the n-th crash point hit of any kind, for n spread over the run;
 *   - after a random delay, wherever it happens to be.
 * Sometimes a second child then starts the repair and is killed inside it.
 * The parent then takes every lock (running repair), and asserts that
 *   - the checker finds every invariant intact and no chunk leaked;
 *   - each key is wholly as before the op in flight or wholly as after it
 *     (value bytes, length and expiry), and every completed op is there;
 *   - a swap of the databases in flight is wholly done or wholly not: the
 *     whole store is as before it or as after it;
 *   - a rename or a move in flight left the value under exactly one of
 *     its two names: both keys as before it, or both as after it (a
 *     cross-stripe one is two stripes' changes under one transaction).
 * Lists (three per database, beside the string keys) take pushes of up
 * to 150 elements at either end (enough to make a chain of nodes), pops
 * of up to 200, inserts, sets, trims (a rebuild), deletes, renames and
 * moves to the other database; a list in flight must read back element
 * for element as before or as after.  Lists 0 and 1 are named so that
 * they lie in different stripes and list 2 in list 0's, with names of
 * different lengths (so a list's root is laid out anew when it changes
 * name): renames go across stripes (0 to 1, 1 to 2) and within one (2 to
 * 0), and a moved or renamed list must be wholly under one of its two
 * names, with a clean checker (its nodes are taken over by the new name,
 * never leaked, never freed while the list is live).
 * Hash tables (two per database, in place of some string ops) live
 * through episodes (ops_tables()): grown by adds through splits, one of
 * which needs a new segment, shrunk by deletes through merges, one of
 * which frees a segment, written whole, changed by a batch of several
 * fields in one intent, renamed onto the other table; a
 * table in flight must hold exactly the fields and values it held before
 * or after.
 * Some string ops are puts of several keys in one transaction of the
 * keyspace's (as MSET makes them; some aborted at the end), and some
 * list pops move their element onto another list in one (as LMOVE does):
 * one in flight must leave the whole store as before it or as after it.
 * A crash point that the workload never reaches fails the test, but for
 * those of the blocked clients (blocking_*), of sorted sets (zset_*) and
 * of snapshots (snapshot_*), which blocking_test.c, zset_test.c and
 * snapshot_test.c kill at with workloads of their own.
 *
 * HYDRA_CRASH_TRIALS scales the number of kills (default 1: the quick pass
 * of `make test'; `make crash-long' uses more).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/dict.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/store.h"
#include "tap.h"

static const char *crashpoint_names[] = {
#include "crashpoints.h"
};

#define NDB		2
#define NKEYS		40
#define NOPS		320
#define NOW		INT64_C(1000)
#define PAST		INT64_C(500)
#define FAR		(INT64_C(1) << 40)
#define ARENA_BYTES	((size_t)48 << 20)
#define BIG_LEN		(1200 * 1024)
#define MAX_VALUE	(BIG_LEN + 1)

enum op_kind {
	OP_PUT,
	OP_DEL,
	OP_EXPIRE,
	OP_PERSIST,
	OP_GET,
	OP_FLUSH,
	OP_RENAME,	/* key to key2, in db */
	OP_MOVE,	/* key of db to the other db, unless it is there */
	OP_SWAPDB,	/* db 0 and db 1 */
	OP_SWEEP,	/* active expiry over every stripe of db */
	/* On list `key' (< NLISTS) of db; `key2' LIST_HEAD or LIST_TAIL. */
	OP_LPUSH,	/* `len' elements */
	OP_LPOP,	/* `len' elements */
	OP_LINSERT,	/* before (key2 0) or after element expire % n */
	OP_LSET,	/* element expire % length */
	OP_LTRIM,	/* keep from expire % length, len % the rest + 1 */
	OP_LDEL,
	OP_LEXPIRE,	/* give the list expiry `expire' (or take it) */
	OP_LRENAME,	/* list `key' to list `key2' */
	OP_LMOVE,	/* list `key' to the other db, unless it is there */
	/* On table `key' (< NTABLES) of db; `key2' a field (< TABLE_FIELDS). */
	OP_TSET,	/* set field key2 */
	OP_TDEL,	/* delete the first field present from key2 on */
	OP_TWRITE,	/* write fields [key2, key2 + len) (none: delete) */
	OP_TRENAME,	/* table `key' to the other table */
	OP_TBATCH,	/* one batch on fields [key2, key2 + len): those
			   whose number is a multiple of 3 deleted, the
			   others set */
	/* Several keys in one transaction (keyspace_multi_begin()). */
	OP_MPUT,	/* keys key + 7j (j < key2) put with `len' bytes;
			   with expire 1, aborted at the end */
	OP_LELMOVE	/* an element of list key, at end expire % 2, to
			   end expire / 2 % 2 of list key2 */
};

#define NLISTS		3
#define LIST_MAX	8000
#define NTABLES		2
#define TABLE_FIELDS	20

struct op {
	uint8_t		 kind;
	uint8_t		 db;
	uint16_t	 key;
	uint16_t	 key2;
	uint32_t	 len;
	int64_t		 expire;
};

struct keystate {
	int		 present;
	uint32_t	 op;		/* the put that wrote the value */
	uint32_t	 len;
	int64_t		 expire;
};

/* A list: the ids of its elements, head first (see list_elem()). */
struct listmodel {
	uint32_t	 n;
	uint32_t	 id[LIST_MAX];
};

/* A table: the op that set each field (plus one), or 0: absent. */
struct tablemodel {
	uint32_t	 gen[TABLE_FIELDS];
};

struct model {
	struct keystate	 k[NDB][NKEYS];
	struct listmodel l[NDB][NLISTS];
	struct tablemodel t[NDB][NTABLES];
};

struct shared {
	uint64_t	 done;		/* ops completed by the child */
	uint64_t	 chain_moves[3];	/* of a chain: renames within a
					   stripe, across, moves */
	uint64_t	 hits;		/* crash point hits in a counting run */
	int64_t		 usec;		/* duration of a counting run */
};

static struct op	 ops[NOPS];
static struct shared	*shared;
static char		 arena_name[64];
static unsigned char	 valbuf[MAX_VALUE];
static unsigned char	 expbuf[MAX_VALUE];

static uint64_t		 rng_state = 0x9e3779b97f4a7c15ULL;

/* The next number of the xorshift stream *st. */
static uint32_t
rng_next(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return ((uint32_t)(*st >> 16));
}

static uint32_t
rng(void)
{
	return (rng_next(&rng_state));
}

/* Keys 7, 15, ... are 300 bytes long (the long-key layout). */
static size_t
key_name(unsigned k, char *buf)
{
	if (k % 8 == 7) {
		memset(buf, 'L', 300);
		return (300 - 4 + (size_t)snprintf(buf + 296, 5, "%04u", k));
	}
	return ((size_t)snprintf(buf, 32, "key:%u", k));
}

static void
value_fill(unsigned char *p, uint32_t op, uint32_t len)
{
	uint32_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(op * 131 + i * 7 + (i >> 8));
}

/* Make o a list op. */
static void
ops_list(struct op *o)
{
	uint32_t	 r = rng() % 100;

	o->key = (uint16_t)(rng() % NLISTS);
	o->key2 = (uint16_t)(rng() % 2);
	o->expire = rng() % 100000;
	if (r < 40) {
		o->kind = OP_LPUSH;
		o->len = rng() % 3 == 0 ? 100 + rng() % 51 : 1 + rng() % 4;
	} else if (r < 62) {
		o->kind = OP_LPOP;
		o->len = rng() % 4 == 0 ? 1 + rng() % 200 : 1;
	} else if (r < 74)
		o->kind = OP_LINSERT;
	else if (r < 84)
		o->kind = OP_LSET;
	else if (r < 92) {
		o->kind = OP_LTRIM;
		o->len = rng() % 1000;
	} else if (r < 94)
		o->kind = OP_LDEL;
	else if (r < 97)
		o->kind = OP_LRENAME;
	else
		o->kind = OP_LMOVE;
	if (r % 7 == 0) {
		o->kind = OP_LEXPIRE;
		o->expire = r % 2 ? FAR : KEYSPACE_NO_EXPIRE;
	}
	if (o->kind == OP_LRENAME)
		o->key2 = (uint16_t)((o->key + 1) % NLISTS);
}

/*
 * Make some of the string ops table ops, from a random stream of their
 * own (so the other ops stay as they were): episodes on one table each:
 * written with 12 fields and grown by 8 adds through 2 splits (the second
 * needs a new segment), written with 20, changed by a batch of two
 * buckets (one intent with an overflow record), shrunk by 17 deletes through
 * 4 merges (the first frees the segment), written with 6 and shrunk
 * through one more, written again, renamed.
 */
static void
ops_tables(void)
{
	static const struct {
		uint8_t		 kind;
		uint8_t		 field;		/* 255: random */
		uint8_t		 len;
	} episode[] = {
		{ OP_TWRITE, 0, 12 }, { OP_TSET, 12, 0 }, { OP_TSET, 13, 0 },
		{ OP_TSET, 14, 0 }, { OP_TSET, 15, 0 }, { OP_TSET, 16, 0 },
		{ OP_TSET, 17, 0 }, { OP_TSET, 18, 0 }, { OP_TSET, 19, 0 },
		{ OP_TSET, 3, 0 }, { OP_TWRITE, 0, 20 }, { OP_TBATCH, 6, 2 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TWRITE, 4, 6 },
		{ OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 }, { OP_TDEL, 255, 0 },
		{ OP_TWRITE, 255, 255 }, { OP_TSET, 255, 0 },
		{ OP_TRENAME, 0, 0 }
	};
	uint64_t	 st = 0x2545f4914f6cdd1dULL;
	struct op	*o;
	uint32_t	 i, r, step = 0, ep = 0, db = 0;

	for (i = 60; i < NOPS; i++) {
		o = &ops[i];
		r = rng_next(&st);
		/* The episode follows its table where a swap takes it. */
		db ^= o->kind == OP_SWAPDB;
		if (o->kind > OP_GET || r % 5 >= 2)
			continue;
		o->kind = episode[step].kind;
		o->db = (uint8_t)db;
		o->key = (uint16_t)(ep % NTABLES);
		o->key2 = episode[step].field != 255 ? episode[step].field :
		    (uint16_t)(r / 8 % TABLE_FIELDS);
		o->len = episode[step].len != 255 ? episode[step].len :
		    r / 1024 % (TABLE_FIELDS + 1);
		if (++step == nitems(episode)) {
			step = 0;
			ep++;
			db ^= ep % 4 == 3;
		}
	}
}

/*
 * Make some string ops MSET-like puts of several keys and some list pops
 * moves of an element to another list, from a random stream of their own:
 * lists 0 to 1 and 1 to 2 go across stripes, 2 to 0 within one.
 */
static void
ops_multi(void)
{
	uint64_t	 st = 0x9fb21c651e98df25ULL;
	struct op	*o;
	uint32_t	 i, r;

	for (i = 60; i < NOPS; i++) {
		o = &ops[i];
		r = rng_next(&st);
		if (o->kind <= OP_GET && o->kind != OP_FLUSH && r % 9 == 0) {
			o->kind = OP_MPUT;
			o->key2 = (uint16_t)(2 + r / 16 % 5);
			o->len = r / 256 % 3 == 0 ? 300000 + r % 1000 :
			    r / 64 % 120;
			o->expire = r / 4096 % 4 == 0;
		} else if (o->kind == OP_LPOP && r % 2 == 0) {
			o->kind = OP_LELMOVE;
			o->key2 = (uint16_t)((o->key + 1) % NLISTS);
			o->expire = r / 8 % 4;
		}
	}
}

static void
ops_generate(void)
{
	struct op	*o;
	uint32_t	 i, r;

	for (i = 0; i < NOPS; i++) {
		o = &ops[i];
		memset(o, 0, sizeof(*o));
		/* Mostly db 0; a phase of inserts first to force growth. */
		o->db = rng() % 5 == 0 ? 1 : 0;
		o->key = (uint16_t)(rng() % NKEYS);
		r = i < 60 ? 0 : rng() % 100;
		if (r < 45) {
			o->kind = OP_PUT;
			o->len = rng() % 120;
			/*
			 * Keys 0-2 sometimes take page runs; keys 3-14 often
			 * take chunks of one large class, three to a page, so
			 * that pages fill, empty and go back to the pool.
			 */
			if (o->key < 3 && rng() % 2 == 0)
				o->len = BIG_LEN;
			else if (o->key >= 3 && o->key < 15 && rng() % 2 == 0)
				o->len = 300000 + rng() % 1000;
			switch (rng() % 6) {
			case 0:
				o->expire = FAR + rng() % 1000;
				break;
			case 1:
				o->expire = PAST;
				break;
			default:
				o->expire = KEYSPACE_NO_EXPIRE;
				break;
			}
		} else if (r < 70)
			o->kind = OP_DEL;
		else if (r < 80) {
			o->kind = OP_EXPIRE;
			o->expire = FAR + rng() % 1000;
		} else if (r < 84) {
			o->kind = OP_PERSIST;
			o->expire = KEYSPACE_NO_EXPIRE;
		} else if (r < 86)
			o->kind = OP_GET;
		else if (r < 91) {
			o->kind = OP_RENAME;
			o->key2 = (uint16_t)((o->key + 1 + rng() %
			    (NKEYS - 1)) % NKEYS);
		} else if (r < 95)
			o->kind = OP_MOVE;	/* across stripes always */
		else if (r < 97)
			o->kind = OP_SWAPDB;
		else if (r < 99)
			o->kind = OP_SWEEP;
		else
			o->kind = OP_FLUSH;
		/* Often rename or move the key the op before wrote. */
		if ((o->kind == OP_RENAME || o->kind == OP_MOVE) &&
		    ops[i - 1].kind == OP_PUT && rng() % 2 == 0) {
			o->db = ops[i - 1].db;
			o->key = ops[i - 1].key;
			if (o->key2 == o->key)
				o->key2 = (uint16_t)((o->key + 1) % NKEYS);
		}
		if (i >= 20 && rng() % 3 == 0)
			ops_list(o);
		/* Often rename or move the list the op before pushed to. */
		if (o->kind == OP_LPUSH && i + 1 < NOPS && rng() % 2 == 0) {
			ops[i + 1] = *o;
			ops[i + 1].kind = rng() % 3 == 0 ? OP_LMOVE :
			    OP_LRENAME;
			ops[i + 1].key2 = (uint16_t)((o->key + 1) % NLISTS);
			i++;
		}
	}
	ops_tables();
	ops_multi();
}

static int
key_live(const struct keystate *ks)
{
	return (ks->present && (ks->expire == KEYSPACE_NO_EXPIRE ||
	    NOW <= ks->expire));
}

static void
model_list_insert(struct listmodel *l, uint32_t at, uint32_t id)
{
	memmove(&l->id[at + 1], &l->id[at], (l->n - at) * sizeof(l->id[0]));
	l->id[at] = id;
	l->n++;
}

static void
model_list(struct model *m, uint32_t idx)
{
	const struct op		*o = &ops[idx];
	struct listmodel	*l = &m->l[o->db][o->key];
	uint32_t		 j, at, n;

	if (o->kind == OP_LRENAME) {
		if (l->n > 0) {
			m->l[o->db][o->key2] = *l;
			l->n = 0;
		}
		return;
	}
	if (o->kind == OP_LELMOVE) {
		if (l->n > 0) {
			at = o->expire % 2 == LIST_HEAD ? 0 : l->n - 1;
			j = l->id[at];
			memmove(&l->id[at], &l->id[at + 1],
			    (l->n - at - 1) * sizeof(l->id[0]));
			l->n--;
			l = &m->l[o->db][o->key2];
			model_list_insert(l, o->expire / 2 % 2 == LIST_HEAD ?
			    0 : l->n, j);
		}
		return;
	}
	if (o->kind == OP_LMOVE) {
		if (l->n > 0 && m->l[!o->db][o->key].n == 0) {
			m->l[!o->db][o->key] = *l;
			l->n = 0;
		}
		return;
	}
	if (o->kind != OP_LPUSH && l->n == 0)
		return;
	at = l->n > 0 ? (uint32_t)(o->expire % l->n) : 0;
	switch (o->kind) {
	case OP_LPUSH:
		if (l->n + o->len > LIST_MAX)
			abort();
		for (j = 0; j < o->len; j++)
			model_list_insert(l, o->key2 == LIST_HEAD ? 0 : l->n,
			    idx * 1000 + j);
		break;
	case OP_LPOP:
		n = o->len < l->n ? o->len : l->n;
		if (o->key2 == LIST_HEAD)
			memmove(&l->id[0], &l->id[n],
			    (l->n - n) * sizeof(l->id[0]));
		l->n -= n;
		break;
	case OP_LINSERT:
		model_list_insert(l, at + o->key2, idx * 1000);
		break;
	case OP_LSET:
		l->id[at] = idx * 1000;
		break;
	case OP_LTRIM:
		n = o->len % (l->n - at) + 1;
		memmove(&l->id[0], &l->id[at], n * sizeof(l->id[0]));
		l->n = n;
		break;
	case OP_LDEL:
		l->n = 0;
		break;
	}
	/* OP_LEXPIRE changes no element, and the time never comes. */
}

static void
model_table(struct model *m, uint32_t idx)
{
	const struct op		*o = &ops[idx];
	struct tablemodel	*t = &m->t[o->db][o->key];
	uint32_t		 f, n = 0;

	for (f = 0; f < TABLE_FIELDS; f++)
		n += t->gen[f] != 0;
	switch (o->kind) {
	case OP_TSET:
		t->gen[o->key2] = idx + 1;
		break;
	case OP_TDEL:
		for (f = 0; f < TABLE_FIELDS; f++)
			if (t->gen[(o->key2 + f) % TABLE_FIELDS] != 0) {
				t->gen[(o->key2 + f) % TABLE_FIELDS] = 0;
				break;
			}
		break;
	case OP_TWRITE:
		memset(t, 0, sizeof(*t));
		for (f = o->key2; f < o->key2 + o->len && f < TABLE_FIELDS;
		    f++)
			t->gen[f] = idx + 1;
		break;
	case OP_TRENAME:
		if (n > 0) {
			m->t[o->db][!o->key] = *t;
			memset(t, 0, sizeof(*t));
		}
		break;
	case OP_TBATCH:
		for (f = o->key2; n > 0 && f < o->key2 + o->len &&
		    f < TABLE_FIELDS; f++)
			t->gen[f] = f % 3 == 0 ? 0 : idx + 1;
		break;
	}
}

static void
model_apply(struct model *m, uint32_t idx)
{
	const struct op	*o = &ops[idx];
	struct keystate	*ks = &m->k[o->db][o->key];
	unsigned	 k;

	switch (o->kind) {
	case OP_PUT:
		ks->present = 1;
		ks->op = idx;
		ks->len = o->len;
		ks->expire = o->expire;
		break;
	case OP_DEL:
		ks->present = 0;
		break;
	case OP_EXPIRE:
		if (key_live(ks))
			ks->expire = o->expire;
		break;
	case OP_PERSIST:
		if (key_live(ks))
			ks->expire = KEYSPACE_NO_EXPIRE;
		break;
	case OP_GET:
		break;
	case OP_MPUT:
		for (k = 0; k < o->key2 && o->expire != 1; k++) {
			ks = &m->k[o->db][(o->key + 7 * k) % NKEYS];
			ks->present = 1;
			ks->op = idx;
			ks->len = o->len;
			ks->expire = KEYSPACE_NO_EXPIRE;
		}
		return;
	case OP_FLUSH:
		for (k = 0; k < NKEYS; k++)
			m->k[o->db][k].present = 0;
		break;
	case OP_RENAME:
		if (key_live(ks)) {
			m->k[o->db][o->key2] = *ks;
			ks->present = 0;
		}
		break;
	case OP_MOVE:
		if (key_live(ks) && !key_live(&m->k[!o->db][o->key])) {
			m->k[!o->db][o->key] = *ks;
			ks->present = 0;
		}
		break;
	case OP_SWAPDB:
		for (k = 0; k < NKEYS; k++) {
			struct keystate t = m->k[0][k];

			m->k[0][k] = m->k[1][k];
			m->k[1][k] = t;
		}
		break;
	case OP_SWEEP:
		break;
	case OP_TSET:
	case OP_TDEL:
	case OP_TWRITE:
	case OP_TRENAME:
	case OP_TBATCH:
		model_table(m, idx);
		return;
	default:
		model_list(m, idx);
		return;
	}
	if (o->kind == OP_FLUSH) {
		memset(m->l[o->db], 0, sizeof(m->l[o->db]));
		memset(m->t[o->db], 0, sizeof(m->t[o->db]));
	}
	if (o->kind == OP_SWAPDB) {
		for (k = 0; k < NLISTS; k++) {
			static struct listmodel t;

			t = m->l[0][k];
			m->l[0][k] = m->l[1][k];
			m->l[1][k] = t;
		}
		for (k = 0; k < NTABLES; k++) {
			struct tablemodel t = m->t[0][k];

			m->t[0][k] = m->t[1][k];
			m->t[1][k] = t;
		}
	}
	if (!key_live(ks))
		ks->present = 0;
}

static void
model_at(struct model *m, uint64_t n)
{
	uint32_t	 i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n && i < NOPS; i++)
		model_apply(m, i);
}

/* RENAME of key k0 to k1 in db, with both stripes held, as the command. */
static int
op_rename_names(struct keyspace *ks, unsigned db, const char *k0,
    size_t l0, const char *k1, size_t l1)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	size_t			 nheld;
	int			 rv;

	keyspace_key(ks, &kk[0], k0, l0);
	keyspace_key(ks, &kk[1], k1, l1);
	nheld = keyspace_lock_keys(ks, db, NULL, kk, 2, sts, held);
	rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1], NOW, 0,
	    -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv == -1 ? -1 : 0);
}

/* RENAME key key2. */
static int
op_rename(struct keyspace *ks, const struct op *o)
{
	char	 k0[320], k1[320];
	size_t	 l0 = key_name(o->key, k0);

	return (op_rename_names(ks, o->db, k0, l0, k1, key_name(o->key2, k1)));
}

/* MOVE key to the other database, as the command does it. */
static int
op_move(struct keyspace *ks, const struct op *o)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	unsigned		 dbs[2] = { o->db, !o->db };
	char			 k0[320];
	size_t			 nheld;
	int			 rv = 0;

	keyspace_key(ks, &kk[0], k0, key_name(o->key, k0));
	kk[1] = kk[0];
	nheld = keyspace_lock_keys(ks, 0, dbs, kk, 2, sts, held);
	if (keyspace_find_locked(ks, sts[1], &kk[1], NOW) == NULL)
		rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1],
		    NOW, 0, -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv == -1 ? -1 : 0);
}

/* Sweep every stripe of the database until nothing expired is left. */
static int
op_sweep(struct keyspace *ks, unsigned db)
{
	uint32_t	 s;
	unsigned	 visited;

	for (s = 0; s < keyspace_stripes(ks); s++)
		while (keyspace_expire_sweep(ks, db, s, NOW, 4,
		    &visited) > 0)
			continue;
	return (0);
}

/* The lists' names in this trial's arena (list_names_pick()). */
static char		 list_names[NLISTS][32];
static size_t		 list_lens[NLISTS];

static size_t
list_name(unsigned l, char *buf)
{
	memcpy(buf, list_names[l], list_lens[l]);
	return (list_lens[l]);
}

/*
 * Name the lists for the arena's hash seed: list 0 and list 1 in
 * different stripes, list 2 in list 0's; list l's name is 4k + l + 8
 * bytes long, so that each rename changes where a root lies in its value.
 */
static void
list_names_pick(struct keyspace *ks)
{
	struct ks_key	 kk;
	uint32_t	 s0 = 0, salt;
	unsigned	 l;
	int		 n;

	for (l = 0; l < NLISTS; l++) {
		for (salt = 0;; salt++) {
			n = snprintf(list_names[l], sizeof(list_names[l]),
			    "list:%u:%u", l, salt);
			while (n % 4 != (int)l)
				list_names[l][n++] = 'x';
			list_lens[l] = (size_t)n;
			keyspace_key(ks, &kk, list_names[l], list_lens[l]);
			if (l == 0)
				s0 = keyspace_stripe_index(ks, &kk);
			if (l == 0 || (l == 1) ==
			    (keyspace_stripe_index(ks, &kk) != s0))
				break;
		}
	}
}

/* The bytes of list element `id': 40 to 119 of them. */
static size_t
list_elem(uint32_t id, unsigned char *buf)
{
	size_t	 len = 40 + id % 80;

	value_fill(buf, id, (uint32_t)len);
	return (len);
}

/* A list op, under the list's stripe lock, as the commands do it. */
static int
op_list(struct keyspace *ks, uint32_t idx)
{
	const struct op		*o = &ops[idx];
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v;
	char			 name[32];
	size_t			 len, off = 0;
	uint64_t		 n, at;
	uint32_t		 j;
	int			 rv = 0;

	keyspace_key(ks, &k, name, list_name(o->key, name));
	st = keyspace_lock(ks, o->db, &k);
	e = keyspace_find_locked(ks, st, &k, NOW);
	n = e != NULL ? list_length(ks->ks_arena, e) : 0;
	at = n > 0 ? (uint64_t)o->expire % n : 0;
	list_vec_init(&v);
	switch (o->kind) {
	case OP_LPUSH:
		for (j = 0; j < o->len; j++) {
			len = list_elem(idx * 1000 + j, valbuf + off);
			list_vec_add(&v, (char *)valbuf + off, len);
			off += len;
		}
		rv = list_push_locked(ks, st, &k, e, o->key2, &v);
		break;
	case OP_LPOP:
		if (n > 0)
			rv = list_pop_locked(ks, st, &k, e, o->key2, o->len);
		break;
	case OP_LINSERT:
	case OP_LSET:
		if (n == 0)
			break;
		len = list_elem(idx * 1000, valbuf);
		rv = o->kind == OP_LSET ?
		    list_set_locked(ks, st, &k, e, at, (char *)valbuf, len) :
		    list_insert_locked(ks, st, &k, e, at, o->key2,
		    (char *)valbuf, len);
		break;
	case OP_LTRIM:
		if (n == 0)
			break;
		rv = list_vec_load(&v, ks->ks_arena, e, at,
		    at + o->len % (n - at) + 1);
		if (rv == 0)
			rv = list_write_locked(ks, st, &k, &v,
			    KEYSPACE_NO_EXPIRE);
		break;
	case OP_LDEL:
		(void)keyspace_delete_locked(ks, st, &k);
		break;
	case OP_LEXPIRE:
		if (n > 0)
			rv = keyspace_set_expire_locked(ks, st, &k,
			    o->expire) == -1 ? -1 : 0;
		break;
	}
	list_vec_free(&v);
	keyspace_unlock(ks, st);
	return (rv);
}

/*
 * RENAME of list key to list key2, or MOVE of list key to the other
 * database (unless it is there), as the commands do them; counts the
 * chains among them.
 */
static int
op_list_rename(struct keyspace *ks, const struct op *o)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	const struct entry	*e;
	unsigned		 dbs[2] = { o->db, o->db };
	char			 k0[32], k1[32];
	size_t			 nheld;
	int			 rv = 0;

	keyspace_key(ks, &kk[0], k0, list_name(o->key, k0));
	if (o->kind == OP_LMOVE) {
		dbs[1] = !o->db;
		kk[1] = kk[0];
	} else
		keyspace_key(ks, &kk[1], k1, list_name(o->key2, k1));
	nheld = keyspace_lock_keys(ks, 0, dbs, kk, 2, sts, held);
	e = keyspace_peek_locked(ks, sts[0], &kk[0], NOW);
	if (e != NULL && !aoff_isnull(list_chain(ks->ks_arena, e)))
		shared->chain_moves[o->kind == OP_LMOVE ? 2 :
		    sts[0] != sts[1]]++;
	if (o->kind != OP_LMOVE ||
	    keyspace_find_locked(ks, sts[1], &kk[1], NOW) == NULL)
		rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1],
		    NOW, 0, -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv == -1 ? -1 : 0);
}

/* Table t's name; field f's name and the value op idx gives it. */
static size_t
table_name(unsigned t, char *buf)
{
	return ((size_t)snprintf(buf, 16, "table:%u", t));
}

static size_t
table_field(uint32_t f, unsigned char *buf)
{
	/* Fields 7, 15, ... are 200 bytes long; 5 is empty. */
	if (f % 8 == 7) {
		value_fill(buf, f, 200);
		return (200);
	}
	if (f == 5)
		return (0);
	return ((size_t)snprintf((char *)buf, 16, "tf:%u", f));
}

static size_t
table_value(uint32_t gen, uint32_t f, unsigned char *buf)
{
	uint32_t	 len = (gen * 3 + f) % 61;

	value_fill(buf, gen * 64 + f, len);
	return (len);
}

/* A table op, under the table's stripe lock, as the commands do it. */
static int
op_table(struct keyspace *ks, uint32_t idx)
{
	static unsigned char	 buf[TABLE_FIELDS][300];
	struct dict_pair	 p[TABLE_FIELDS];
	struct dict_change	 ch[TABLE_FIELDS];
	const struct op		*o = &ops[idx];
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	char			 name[16];
	uint32_t		 f, n = 0;
	int			 rv = 0;

	keyspace_key(ks, &k, name, table_name(o->key, name));
	st = keyspace_lock(ks, o->db, &k);
	e = keyspace_find_locked(ks, st, &k, NOW);
	switch (o->kind) {
	case OP_TSET:
	case OP_TWRITE:
		for (f = o->key2; f < TABLE_FIELDS && (f == o->key2 ||
		    (o->kind == OP_TWRITE && f < o->key2 + o->len)); f++) {
			p[n].dp_field = (char *)buf[f];
			p[n].dp_flen = table_field(f, buf[f]);
			p[n].dp_value = (char *)buf[f] + 200;
			p[n].dp_vlen = table_value(idx + 1, f, buf[f] + 200);
			n++;
		}
		if (o->kind == OP_TWRITE && o->len == 0)
			n = 0;
		if (o->kind == OP_TSET && e != NULL)
			rv = dict_set_locked(ks, st, &k, e, p[0].dp_field,
			    p[0].dp_flen, p[0].dp_value, p[0].dp_vlen);
		else
			rv = dict_write_locked(ks, st, &k,
			    OBJ_HASH | OBJ_HASH_TABLE, p, n,
			    KEYSPACE_NO_EXPIRE);
		break;
	case OP_TDEL:
		for (f = 0; e != NULL && f < TABLE_FIELDS && rv == 0; f++) {
			n = (uint32_t)table_field((o->key2 + f) % TABLE_FIELDS,
			    buf[0]);
			rv = dict_delete_locked(ks, st, &k, e, buf[0], n);
		}
		break;
	case OP_TBATCH:
		for (f = o->key2; f < o->key2 + o->len && f < TABLE_FIELDS;
		    f++, n++) {
			ch[n].dc_field = buf[f];
			ch[n].dc_flen = table_field(f, buf[f]);
			ch[n].dc_value = buf[f] + 200;
			ch[n].dc_vlen = table_value(idx + 1, f, buf[f] + 200);
			ch[n].dc_delete = f % 3 == 0;
		}
		if (e != NULL)
			rv = dict_batch_locked(ks, st, &k, e, ch, n, NULL);
		break;
	}
	keyspace_unlock(ks, st);
	return (rv == -1 ? -1 : 0);
}

/* RENAME of table key to the other table. */
static int
op_table_rename(struct keyspace *ks, const struct op *o)
{
	char	 k0[16], k1[16];
	size_t	 l0 = table_name(o->key, k0);

	return (op_rename_names(ks, o->db, k0, l0, k1, table_name(!o->key,
	    k1)));
}

/* MSET of keys key + 7j, in one transaction; aborted when asked. */
static int
op_mput(struct keyspace *ks, uint32_t idx)
{
	static char		 keys[8][320];
	const struct op		*o = &ops[idx];
	struct ks_multi		 m;
	size_t			 j;
	int			 rv = 0;

	if (o->key2 > nitems(keys) || keyspace_multi_init(&m, o->key2) == -1)
		return (-1);
	for (j = 0; j < o->key2; j++)
		keyspace_multi_set(ks, &m, j, o->db, keys[j],
		    key_name((o->key + 7 * (unsigned)j) % NKEYS, keys[j]));
	keyspace_multi_lock(ks, &m);
	value_fill(valbuf, idx, o->len);
	if (keyspace_multi_begin(ks, &m, 0) == -1)
		rv = -1;
	for (j = 0; j < o->key2 && rv == 0; j++)
		rv = keyspace_put_locked(ks, m.km_sts[j], &m.km_keys[j], 0,
		    valbuf, o->len, KEYSPACE_NO_EXPIRE);
	if (rv == -1 || o->expire == 1)
		keyspace_multi_abort(ks, &m);
	else
		keyspace_multi_commit(ks, &m);
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	return (rv);
}

/* LMOVE of an element from list key to list key2, as the command. */
static int
op_lelmove(struct keyspace *ks, const struct op *o)
{
	struct ks_multi		 m;
	const struct entry	*se, *de;
	struct list_iter	 it;
	struct list_vec		 v;
	const char		*s;
	char			 k0[32], k1[32];
	size_t			 len;
	int			 from = o->expire % 2, to = o->expire / 2 % 2;
	int			 rv = 0;

	if (keyspace_multi_init(&m, 2) == -1)
		return (-1);
	keyspace_multi_set(ks, &m, 0, o->db, k0, list_name(o->key, k0));
	keyspace_multi_set(ks, &m, 1, o->db, k1, list_name(o->key2, k1));
	keyspace_multi_lock(ks, &m);
	se = keyspace_find_locked(ks, m.km_sts[0], &m.km_keys[0], NOW);
	de = keyspace_find_locked(ks, m.km_sts[1], &m.km_keys[1], NOW);
	list_vec_init(&v);
	if (se != NULL) {
		list_iter_init(&it, ks->ks_arena, se, 0, from == LIST_TAIL);
		(void)list_iter_next(&it, &s, &len);
		memcpy(expbuf, s, len);
		rv = list_vec_add(&v, (char *)expbuf, len);
		if (rv == 0)
			rv = keyspace_multi_begin(ks, &m, 0);
		if (rv == 0)
			rv = list_push_locked(ks, m.km_sts[1], &m.km_keys[1],
			    de, to, &v);
		if (rv == 0) {
			se = keyspace_peek_locked(ks, m.km_sts[0],
			    &m.km_keys[0], NOW);
			rv = list_pop_locked(ks, m.km_sts[0], &m.km_keys[0],
			    se, from, 1);
		}
		if (rv == -1)
			keyspace_multi_abort(ks, &m);
	}
	list_vec_free(&v);
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	return (rv);
}

static int
op_run(struct keyspace *ks, uint32_t idx)
{
	const struct op	*o = &ops[idx];
	char		 key[320];
	size_t		 klen = key_name(o->key, key), vlen;

	switch (o->kind) {
	case OP_PUT:
		value_fill(valbuf, idx, o->len);
		return (keyspace_put(ks, o->db, key, klen, 0, valbuf, o->len,
		    o->expire));
	case OP_DEL:
		(void)keyspace_delete(ks, o->db, key, klen);
		return (0);
	case OP_EXPIRE:
	case OP_PERSIST:
		return (keyspace_set_expire(ks, o->db, key, klen, o->expire,
		    NOW) == -1 ? -1 : 0);
	case OP_GET:
		(void)keyspace_get(ks, o->db, key, klen, NOW, valbuf,
		    sizeof(valbuf), &vlen, NULL, NULL);
		return (0);
	case OP_FLUSH:
		keyspace_flush(ks, o->db);
		return (0);
	case OP_RENAME:
		return (op_rename(ks, o));
	case OP_MOVE:
		return (op_move(ks, o));
	case OP_SWAPDB:
		keyspace_swapdb(ks, 0, 1);
		return (0);
	case OP_SWEEP:
		return (op_sweep(ks, o->db));
	case OP_LRENAME:
	case OP_LMOVE:
		return (op_list_rename(ks, o));
	case OP_TSET:
	case OP_TDEL:
	case OP_TWRITE:
	case OP_TBATCH:
		return (op_table(ks, idx));
	case OP_TRENAME:
		return (op_table_rename(ks, o));
	case OP_MPUT:
		return (op_mput(ks, idx));
	case OP_LELMOVE:
		return (op_lelmove(ks, o));
	default:
		return (op_list(ks, idx));
	}
	return (-1);
}

/* The child: run the workload from the start, armed as asked. */
static void
child_run(struct keyspace *ks, const char *arm, uint64_t countdown)
{
	struct timespec	 t0, t1;
	uint32_t	 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (arm != NULL)
		crashpoint_arm(arm, countdown);
	else
		crashpoint_count();
	for (i = 0; i < NOPS; i++) {
		if (op_run(ks, i) == -1)
			_exit(3);
		__atomic_store_n(&shared->done, i + 1, __ATOMIC_SEQ_CST);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	shared->hits = crashpoint_hits("any");
	shared->usec = (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	_exit(0);
}

/* Does key (db, k) read back as the model says? */
static int
key_matches(struct keyspace *ks, unsigned db, unsigned k,
    const struct keystate *want)
{
	char		 key[320];
	size_t		 klen = key_name(k, key), vlen;
	int64_t		 expire;
	int		 found;

	found = keyspace_get(ks, db, key, klen, NOW, valbuf, sizeof(valbuf),
	    &vlen, &expire, NULL);
	if (!want->present)
		return (!found);
	if (!found || vlen != want->len || expire != want->expire)
		return (0);
	value_fill(expbuf, want->op, want->len);
	return (memcmp(valbuf, expbuf, vlen) == 0);
}

/* Does list l of db read back element for element as the model says? */
static int
list_matches(struct keyspace *ks, unsigned db, unsigned l,
    const struct listmodel *want)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_iter	 it;
	const char		*s;
	char			 name[32];
	size_t			 len;
	uint32_t		 i;
	int			 good;

	keyspace_key(ks, &k, name, list_name(l, name));
	st = keyspace_lock(ks, db, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good = e == NULL ? want->n == 0 :
	    list_length(ks->ks_arena, e) == want->n;
	if (good && e != NULL) {
		list_iter_init(&it, ks->ks_arena, e, 0, 0);
		for (i = 0; good && i < want->n; i++) {
			good = list_iter_next(&it, &s, &len) &&
			    len == list_elem(want->id[i], expbuf) &&
			    memcmp(s, expbuf, len) == 0;
		}
	}
	keyspace_unlock(ks, st);
	return (good);
}

/* Does table t of db hold exactly the fields and values of the model? */
static int
table_matches(struct keyspace *ks, unsigned db, unsigned t,
    const struct tablemodel *want)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct dict_pair	 p;
	char			 name[16];
	uint32_t		 f, n = 0;
	size_t			 len;
	int			 good;

	for (f = 0; f < TABLE_FIELDS; f++)
		n += want->gen[f] != 0;
	keyspace_key(ks, &k, name, table_name(t, name));
	st = keyspace_lock(ks, db, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good = e == NULL ? n == 0 : dict_count(ks->ks_arena, e) == n;
	for (f = 0; good && e != NULL && f < TABLE_FIELDS; f++) {
		len = table_field(f, valbuf);
		if (!dict_find(ks->ks_arena, e, valbuf, len, &p)) {
			good = want->gen[f] == 0;
			continue;
		}
		len = table_value(want->gen[f], f, expbuf);
		good = want->gen[f] != 0 && p.dp_vlen == len &&
		    memcmp(p.dp_value, expbuf, len) == 0;
	}
	keyspace_unlock(ks, st);
	return (good);
}

/* Does every key of the store read back as the model says? */
static int
store_matches(struct keyspace *ks, const struct model *m)
{
	unsigned	 db, k;

	for (db = 0; db < NDB; db++) {
		for (k = 0; k < NKEYS; k++)
			if (!key_matches(ks, db, k, &m->k[db][k]))
				return (0);
		for (k = 0; k < NLISTS; k++)
			if (!list_matches(ks, db, k, &m->l[db][k]))
				return (0);
		for (k = 0; k < NTABLES; k++)
			if (!table_matches(ks, db, k, &m->t[db][k]))
				return (0);
	}
	return (1);
}

/* Kinds of key: string, list, table. */
#define SLOT_KEY	0
#define SLOT_LIST	1
#define SLOT_TABLE	2

/* Does key k of that kind in db read back as m says? */
static int
slot_matches(struct keyspace *ks, unsigned db, unsigned k,
    const struct model *m, int kind)
{
	if (kind == SLOT_TABLE)
		return (table_matches(ks, db, k, &m->t[db][k]));
	return (kind == SLOT_LIST ? list_matches(ks, db, k, &m->l[db][k]) :
	    key_matches(ks, db, k, &m->k[db][k]));
}

/*
 * The two names of a rename or a move (of a string or a list): both as
 * before it, or both as after it, so that the value is under exactly one
 * of them.
 */
static int
names_as_one(struct keyspace *ks, const struct op *o,
    const struct model *before, const struct model *after)
{
	int		 list = o->kind == OP_LRENAME || o->kind == OP_LMOVE ?
			    SLOT_LIST : o->kind == OP_TRENAME ? SLOT_TABLE :
			    SLOT_KEY;
	int		 move = o->kind == OP_MOVE || o->kind == OP_LMOVE;
	unsigned	 sdb = o->db, skey = o->key;
	unsigned	 ddb = move ? !o->db : o->db;
	unsigned	 dkey = move ? o->key : o->kind == OP_TRENAME ?
			    !o->key : o->key2;

	return ((slot_matches(ks, sdb, skey, before, list) &&
	    slot_matches(ks, ddb, dkey, before, list)) ||
	    (slot_matches(ks, sdb, skey, after, list) &&
	    slot_matches(ks, ddb, dkey, after, list)));
}

struct trial {
	const char	*arm;		/* crash point, "any", or NULL: timer */
	uint64_t	 countdown;
	int64_t		 delay_usec;	/* for timer kills */
	uint64_t	 repair_countdown;	/* 0: no dying repairer */
};

enum trial_result {
	TRIAL_CONSISTENT,	/* killed, and consistent afterwards */
	TRIAL_COMPLETED,	/* never killed, and consistent */
	TRIAL_BROKEN
};

static enum trial_result
trial_run(const struct trial *t)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct arena_params	 ap;
	struct model		 before, after;
	const struct op		*inflight;
	char			 err[256];
	pid_t			 pid;
	int			 status, killed, ok0, ok1, bad = 0;
	unsigned		 db, k;
	int64_t			 problems;

	store_default_params(&ap, ARENA_BYTES);
	ap.ap_databases = NDB;
	ap.ap_stripes_log2 = 1;
	(void)arena_unlink(arena_name);
	if (store_create(&a, &ks, arena_name, &ap, err, sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (TRIAL_BROKEN);
	}
	shared->done = 0;
	memset(shared->chain_moves, 0, sizeof(shared->chain_moves));
	list_names_pick(&ks);
	if ((pid = fork()) == 0)
		child_run(&ks, t->arm, t->countdown);
	if (t->arm == NULL) {
		struct timespec ts = { 0, (long)t->delay_usec * 1000 };

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		diag("workload child failed (status %#x)", status);
		bad = 1;
	}
	if (killed && t->repair_countdown > 0) {
		/* A repairer that dies in the middle of its repair. */
		if ((pid = fork()) == 0) {
			crashpoint_arm("any", t->repair_countdown);
			(void)check_arena(&a, 0, NULL, NULL);
			_exit(0);
		}
		waitpid(pid, &status, 0);
	}
	problems = check_arena(&a, 0, stderr, NULL);
	if (problems != 0) {
		diag("checker found %lld problems after a kill at op %llu",
		    (long long)problems, (unsigned long long)shared->done);
		bad = 1;
	}
	model_at(&before, shared->done);
	model_at(&after, shared->done + (killed ? 1 : 0));
	inflight = killed && shared->done < NOPS ? &ops[shared->done] : NULL;
	if (inflight != NULL && (inflight->kind == OP_SWAPDB ||
	    inflight->kind == OP_MPUT || inflight->kind == OP_LELMOVE)) {
		if (!store_matches(&ks, &before) && !store_matches(&ks, &after)) {
			diag("a swap or a change of several keys killed at "
			    "op %llu left the store neither as before nor as "
			    "after it",
			    (unsigned long long)shared->done);
			bad = 1;
		}
	}
	if (inflight != NULL && (inflight->kind == OP_RENAME ||
	    inflight->kind == OP_MOVE || inflight->kind == OP_LRENAME ||
	    inflight->kind == OP_LMOVE || inflight->kind == OP_TRENAME) &&
	    !names_as_one(&ks, inflight,
	    &before, &after)) {
		diag("a %s killed at op %llu left its two names neither "
		    "both as before nor both as after",
		    inflight->kind == OP_RENAME ? "rename" :
		    inflight->kind == OP_MOVE ? "move" :
		    inflight->kind == OP_LRENAME ? "list rename" :
		    inflight->kind == OP_LMOVE ? "list move" : "table rename",
		    (unsigned long long)shared->done);
		bad = 1;
	}
	for (db = 0; db < NDB; db++) {
		for (k = 0; k < NKEYS; k++) {
			ok0 = key_matches(&ks, db, k, &before.k[db][k]);
			ok1 = ok0 || key_matches(&ks, db, k, &after.k[db][k]);
			if (!ok1) {
				diag("db %u key %u is neither as before nor as "
				    "after op %llu", db, k,
				    (unsigned long long)shared->done);
				bad = 1;
			}
		}
		for (k = 0; k < NLISTS; k++) {
			if (!list_matches(&ks, db, k, &before.l[db][k]) &&
			    !list_matches(&ks, db, k, &after.l[db][k])) {
				diag("db %u list %u is neither as before nor "
				    "as after op %llu", db, k,
				    (unsigned long long)shared->done);
				bad = 1;
			}
		}
		for (k = 0; k < NTABLES; k++) {
			if (!table_matches(&ks, db, k, &before.t[db][k]) &&
			    !table_matches(&ks, db, k, &after.t[db][k])) {
				diag("db %u table %u is neither as before nor "
				    "as after op %llu", db, k,
				    (unsigned long long)shared->done);
				bad = 1;
			}
		}
	}
	arena_detach(&a);
	(void)arena_unlink(arena_name);
	if (bad)
		return (TRIAL_BROKEN);
	return (killed ? TRIAL_CONSISTENT : TRIAL_COMPLETED);
}

static unsigned
scale(void)
{
	const char	*s = getenv("HYDRA_CRASH_TRIALS");
	long		 n = s != NULL ? strtol(s, NULL, 10) : 1;

	return (n < 1 ? 1 : (unsigned)n);
}

int
main(void)
{
	struct trial	 t;
	unsigned	 i, j, n, broken, kills, tables;
	uint64_t	 total_hits;
	int64_t		 usec;
	enum trial_result r;
	static const uint64_t countdowns[] = { 1, 2, 3, 7, 19, 61 };

	tap_no_plan();
	log_init("crash_test", 1, -1);
	ok(crashpoint_enabled(), "this build has crash points compiled in");
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return (1);
	snprintf(arena_name, sizeof(arena_name), "/hydra-crash-%ld",
	    (long)getpid());
	ops_generate();

	/* A run without kills: the workload itself is right. */
	memset(&t, 0, sizeof(t));
	t.arm = "";
	r = trial_run(&t);
	ok(r == TRIAL_COMPLETED, "the unkilled workload matches the model "
	    "and leaves a clean arena");
	total_hits = shared->hits;
	usec = shared->usec;
	diag("workload: %d ops, %llu crash point hits, %lld us", NOPS,
	    (unsigned long long)total_hits, (long long)usec);
	for (i = 0, j = 0, n = 0, tables = 0; i < NOPS; i++) {
		j += ops[i].kind >= OP_LPUSH && ops[i].kind <= OP_LMOVE;
		tables += ops[i].kind >= OP_TSET;
		n += ops[i].kind == OP_LRENAME || ops[i].kind == OP_LMOVE;
	}
	diag("%u list ops, %u list renames and moves, %u table ops", j, n,
	    tables);
	for (i = 0, j = 0, n = 0; i < NOPS; i++) {
		j += ops[i].kind == OP_MPUT;
		n += ops[i].kind == OP_LELMOVE;
	}
	ok(j > 0 && n > 0, "the workload puts several keys in one "
	    "transaction (%u) and moves elements between lists (%u)", j, n);
	ok(shared->chain_moves[0] > 0 && shared->chain_moves[1] > 0 &&
	    shared->chain_moves[2] > 0, "the workload renames chains of nodes "
	    "within a stripe (%llu) and across stripes (%llu), and moves "
	    "them to the other database (%llu)",
	    (unsigned long long)shared->chain_moves[0],
	    (unsigned long long)shared->chain_moves[1],
	    (unsigned long long)shared->chain_moves[2]);

	/*
	 * Each crash point, at several of its hits; blocking_test and
	 * zset_test kill at theirs, which this workload does not reach.
	 */
	for (i = 0; i < nitems(crashpoint_names); i++) {
		if (strncmp(crashpoint_names[i], "blocking_", 9) == 0 ||
		    strncmp(crashpoint_names[i], "zset_", 5) == 0 ||
		    strncmp(crashpoint_names[i], "snapshot_", 9) == 0)
			continue;
		broken = kills = 0;
		for (j = 0; j < nitems(countdowns); j++) {
			memset(&t, 0, sizeof(t));
			t.arm = crashpoint_names[i];
			t.countdown = countdowns[j];
			t.repair_countdown = j % 2 ? 1 + rng() % 40 : 0;
			r = trial_run(&t);
			if (r == TRIAL_BROKEN)
				broken++;
			else if (r == TRIAL_CONSISTENT)
				kills++;
		}
		ok(kills > 0 && broken == 0, "crash point %s: reached (%u "
		    "kills), each kill left the store consistent (%u broken)",
		    crashpoint_names[i], kills, broken);
	}

	/* The n-th hit of any crash point, spread over the whole run. */
	n = 300 * scale();
	broken = kills = 0;
	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof(t));
		t.arm = "any";
		t.countdown = 1 + (total_hits * i) / n + rng() % 3;
		t.repair_countdown = i % 3 == 0 ? 1 + rng() % 40 : 0;
		r = trial_run(&t);
		if (r == TRIAL_BROKEN)
			broken++;
		else if (r == TRIAL_CONSISTENT)
			kills++;
	}
	ok(broken == 0 && kills > n / 2, "kills at %u points spread over "
	    "the run: %u killed, none left the store inconsistent (%u broken)",
	    n, kills, broken);

	/* Kills at random moments, wherever the child is. */
	n = 1500 * scale();
	broken = kills = 0;
	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof(t));
		t.arm = NULL;
		t.delay_usec = (int64_t)(rng() % (uint32_t)(usec + 1));
		t.repair_countdown = i % 4 == 0 ? 1 + rng() % 40 : 0;
		r = trial_run(&t);
		if (r == TRIAL_BROKEN)
			broken++;
		else if (r == TRIAL_CONSISTENT)
			kills++;
	}
	ok(broken == 0 && kills > 0, "SIGKILL at %u random moments: %u "
	    "killed mid-run, none left the store inconsistent (%u broken)", n,
	    kills, broken);
	(void)arena_unlink(arena_name);
	return (tap_done());
}
