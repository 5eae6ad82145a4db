/*
 * keyspace_multi_test.c: the commands that change several keys at once
 * (SMOVE, LMOVE, RPOPLPUSH, MSET, MSETNX) are one change across a crash,
 * through the keyspace's transactions (keyspace_multi_begin()).
 *
 * Each scenario sets its keys up with commands, then runs the command
 * under test through command_dispatch() in a child process that is
 * SIGKILLed at its n-th crash point hit, for every n until it runs to its
 * end (sometimes the repairer is killed too).  Invariant: after the
 * repair, the checker finds the arena whole with nothing leaked, and
 * every key of the scenario (its type and whole content, read back with
 * commands) is as before the command or as after it, all of them the same
 * way: never a member in neither set or in both, never an element in
 * neither list or in both, never some keys of an MSET set and others not.
 * "Before" and "after" are what the same commands give in a store where
 * nothing is killed.  A move's two keys lie in the same stripe, or in two,
 * as the scenario asks; an MSET's keys lie in many stripes.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/check.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/crashpoint.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/store.h"
#include "tap.h"
#include "testarena.h"
#include "testrequest.h"

#define MT_BYTES	((size_t)16 << 20)
#define MT_MAXARGS	64
#define MT_MAXKEYS	16
#define MT_DUMP		(256 * 1024)

/* Where a move's destination lies. */
#define MT_SAME		0	/* in the source's stripe */
#define MT_OTHER	1	/* in the other stripe */
#define MT_ANY		2	/* named as it is (MSET's keys) */

struct mt_scn {
	const char	*ms_what;
	int		 ms_where;
	unsigned	 ms_stripes_log2;
	const char	*ms_setup[6];	/* commands; $S and $D name the keys */
	const char	*ms_cmd;
	const char	*ms_reply;	/* what the command answers */
	const char	*ms_keys;	/* the keys to read back */
};

#define MT_M30								\
	"m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 "	\
	"m16 m17 m18 m19 m20 m21 m22 m23 m24 m25 m26 m27 m28 m29"
#define MT_MSET_KEYS	"k0 k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11"

static const struct mt_scn mt_scns[] = {
	{ "SMOVE intset to intset", MT_SAME, 1,
	    { "SADD $S 1 2 3", "SADD $D 7 8" },
	    "SMOVE $S $D 2", ":1\r\n", "$S $D" },
	{ "SMOVE intset to intset", MT_OTHER, 1,
	    { "SADD $S 1 2 3", "SADD $D 7 8" },
	    "SMOVE $S $D 2", ":1\r\n", "$S $D" },
	{ "SMOVE into an intset that becomes a table", MT_SAME, 1,
	    { "SADD $S 1 2 3", "SADD $D 5 6 7 8" },
	    "SMOVE $S $D 2", ":1\r\n", "$S $D" },
	{ "SMOVE into an intset that becomes a table", MT_OTHER, 1,
	    { "SADD $S 1 2 3", "SADD $D 5 6 7 8" },
	    "SMOVE $S $D 2", ":1\r\n", "$S $D" },
	{ "SMOVE table to table", MT_SAME, 1,
	    { "SADD $S " MT_M30, "SADD $D x y z" },
	    "SMOVE $S $D m7", ":1\r\n", "$S $D" },
	{ "SMOVE table to table", MT_OTHER, 1,
	    { "SADD $S " MT_M30, "SADD $D x y z" },
	    "SMOVE $S $D m7", ":1\r\n", "$S $D" },
	{ "SMOVE of the last member to a new key", MT_SAME, 1,
	    { "SADD $S only" },
	    "SMOVE $S $D only", ":1\r\n", "$S $D" },
	{ "SMOVE of the last member to a new key", MT_OTHER, 1,
	    { "SADD $S only" },
	    "SMOVE $S $D only", ":1\r\n", "$S $D" },
	{ "LMOVE packed to packed", MT_SAME, 1,
	    { "RPUSH $S a b c", "RPUSH $D x y" },
	    "LMOVE $S $D LEFT RIGHT", "$1\r\na\r\n", "$S $D" },
	{ "LMOVE packed to packed", MT_OTHER, 1,
	    { "RPUSH $S a b c", "RPUSH $D x y" },
	    "LMOVE $S $D LEFT RIGHT", "$1\r\na\r\n", "$S $D" },
	{ "LMOVE chain to chain", MT_SAME, 1,
	    { "RPUSH $S 1 2 3 4 5 6 7 8 9 10", "RPUSH $D a b c d e f g h i" },
	    "LMOVE $S $D RIGHT LEFT", "$2\r\n10\r\n", "$S $D" },
	{ "LMOVE chain to chain", MT_OTHER, 1,
	    { "RPUSH $S 1 2 3 4 5 6 7 8 9 10", "RPUSH $D a b c d e f g h i" },
	    "LMOVE $S $D RIGHT LEFT", "$2\r\n10\r\n", "$S $D" },
	{ "LMOVE onto a packed list that becomes a chain", MT_SAME, 1,
	    { "RPUSH $S q", "RPUSH $D a b c d" },
	    "LMOVE $S $D LEFT LEFT", "$1\r\nq\r\n", "$S $D" },
	{ "LMOVE onto a packed list that becomes a chain", MT_OTHER, 1,
	    { "RPUSH $S q", "RPUSH $D a b c d" },
	    "LMOVE $S $D LEFT LEFT", "$1\r\nq\r\n", "$S $D" },
	{ "RPOPLPUSH of the last element to a new key", MT_SAME, 1,
	    { "RPUSH $S z" },
	    "RPOPLPUSH $S $D", "$1\r\nz\r\n", "$S $D" },
	{ "RPOPLPUSH of the last element to a new key", MT_OTHER, 1,
	    { "RPUSH $S z" },
	    "RPOPLPUSH $S $D", "$1\r\nz\r\n", "$S $D" },
	{ "LMOVE of a chain onto itself", MT_SAME, 1,
	    { "RPUSH $S 1 2 3 4 5 6 7 8 9 10" },
	    "LMOVE $S $S LEFT RIGHT", "$1\r\n1\r\n", "$S" },
	{ "MSET over strings, a chain and a table in many stripes", MT_ANY,
	    4,
	    { "SET k0 old0", "SET k3 old3", "RPUSH k5 1 2 3 4 5 6 7 8 9",
		"SADD k8 " MT_M30, "SET k11 old11" },
	    "MSET " "k0 v0 k1 v1 k2 v2 k3 v3 k4 v4 k5 v5 k6 v6 k7 v7 "
	    "k8 v8 k9 v9 k10 v10 k11 v11 k3 twice", "+OK\r\n",
	    MT_MSET_KEYS },
	{ "MSETNX of new keys in many stripes", MT_ANY, 4,
	    { "SET other x" },
	    "MSETNX " "k0 v0 k1 v1 k2 v2 k3 v3 k4 v4 k5 v5 k6 v6 k7 v7 "
	    "k8 v8 k9 v9 k10 v10 k11 v11", ":1\r\n", MT_MSET_KEYS },
};

/* The names of a trial's keys: the source, and a destination per store. */
struct mt_names {
	char	 n_src[16];
	char	 n_dst[16];
};

static void
mt_names(struct keyspace *ks, const struct mt_scn *s, struct mt_names *n)
{
	struct ks_key	 ksrc, kdst;
	unsigned	 i;

	snprintf(n->n_src, sizeof(n->n_src), "src");
	keyspace_key(ks, &ksrc, n->n_src, strlen(n->n_src));
	for (i = 0;; i++) {
		snprintf(n->n_dst, sizeof(n->n_dst), "dst%u", i);
		keyspace_key(ks, &kdst, n->n_dst, strlen(n->n_dst));
		if (s->ms_where == MT_ANY ||
		    (keyspace_stripe_index(ks, &ksrc) ==
		    keyspace_stripe_index(ks, &kdst)) ==
		    (s->ms_where == MT_SAME))
			return;
	}
}

/* Split a command at blanks into argv, with $S and $D replaced. */
static int
mt_words(const char *line, const struct mt_names *n, char *buf,
    size_t cap, const char **argv, size_t *argvlen)
{
	const char	*w, *e;
	char		*p = buf;
	int		 argc = 0;
	size_t		 len;

	for (w = line; *w != '\0' && argc < MT_MAXARGS; w = e) {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		if ((e = strchr(w, ' ')) == NULL)
			e = w + strlen(w);
		len = (size_t)(e - w);
		if (len == 2 && w[0] == '$' && (w[1] == 'S' || w[1] == 'D')) {
			w = w[1] == 'S' ? n->n_src : n->n_dst;
			len = strlen(w);
		}
		if ((size_t)(p - buf) + len + 1 > cap)
			abort();
		memcpy(p, w, len);
		p[len] = '\0';
		argv[argc] = p;
		argvlen[argc++] = len;
		p += len + 1;
	}
	return (argc);
}

/* Run one command line; its reply in out (NUL-ended), its length returned. */
static size_t
mt_run(struct client *cl, const char *line, const struct mt_names *n,
    char *out, size_t cap)
{
	const char	*argv[MT_MAXARGS];
	size_t		 argvlen[MT_MAXARGS];
	char		 buf[2048];
	int		 argc;

	argc = mt_words(line, n, buf, sizeof(buf), argv, argvlen);
	return (test_request_argv(cl, out, cap, argc, argv, argvlen));
}

/* The limits the scenarios are written for: small chains and intsets. */
static void
mt_limits(void)
{
	object_limits.ol_set_intset_entries = 4;
	list_set_fill(4);
}

/*
 * Every key of the scenario, read back: its type, then its content
 * (a string, a list in order, a set's members sorted), into out.
 */
static void
mt_dump(struct keyspace *ks, const struct mt_scn *s, const struct mt_names *n,
    char *out, size_t cap)
{
	struct client	*cl = client_new(-1, ks, 1 << 20, 512 << 20);
	const char	*argv[MT_MAXARGS];
	size_t		 argvlen[MT_MAXARGS], used = 0;
	char		 buf[2048], line[64], type[64];
	int		 argc, i;

	argc = mt_words(s->ms_keys, n, buf, sizeof(buf), argv, argvlen);
	out[0] = '\0';
	for (i = 0; i < argc && used + 1 < cap; i++) {
		snprintf(line, sizeof(line), "TYPE %s", argv[i]);
		(void)mt_run(cl, line, n, type, sizeof(type));
		if (strcmp(type, "+string\r\n") == 0)
			snprintf(line, sizeof(line), "GET %s", argv[i]);
		else if (strcmp(type, "+list\r\n") == 0)
			snprintf(line, sizeof(line), "LRANGE %s 0 -1", argv[i]);
		else if (strcmp(type, "+set\r\n") == 0)
			snprintf(line, sizeof(line), "SORT %s ALPHA", argv[i]);
		else
			snprintf(line, sizeof(line), "EXISTS %s", argv[i]);
		used += (size_t)snprintf(out + used, cap - used, "%s ",
		    type);
		if (used + 1 < cap)
			used += mt_run(cl, line, n, out + used, cap - used);
	}
	client_free(cl);
}

/* The scenario's keys set up (not killed), and its command run when `run'. */
static int
mt_play(struct keyspace *ks, const struct mt_scn *s, int run,
    uint64_t countdown)
{
	struct client	*cl = client_new(-1, ks, 1 << 20, 512 << 20);
	struct mt_names	 n;
	char		 out[4096];
	size_t		 i;
	int		 good = 1;

	mt_limits();
	mt_names(ks, s, &n);
	for (i = 0; i < nitems(s->ms_setup) && s->ms_setup[i] != NULL; i++) {
		(void)mt_run(cl, s->ms_setup[i], &n, out, sizeof(out));
		if (out[0] == '-')
			good = 0;
	}
	if (run) {
		if (countdown > 0)
			crashpoint_arm("any", countdown);
		(void)mt_run(cl, s->ms_cmd, &n, out, sizeof(out));
		if (strcmp(out, s->ms_reply) != 0)
			good = 0;
	}
	client_free(cl);
	return (good);
}

struct mt_arg {
	const struct mt_scn	*ma_scn;
	uint64_t		 ma_countdown;
};

static void
mt_child(struct keyspace *ks, const void *arg)
{
	const struct mt_arg	*ma = arg;

	_exit(mt_play(ks, ma->ma_scn, 1, ma->ma_countdown) ? 0 : 3);
}

/* What the keys hold before the command (run 0) or after it (run 1). */
static int
mt_reference(const struct mt_scn *s, int run, char *out, size_t cap)
{
	struct arena	 a;
	struct keyspace	 ks;
	struct arena_params ap;
	struct mt_names	 n;
	char		 err[256], name[64];
	int		 good;

	snprintf(name, sizeof(name), "/hydra-mtref-%ld", (long)getpid());
	(void)arena_unlink(name);
	store_default_params(&ap, MT_BYTES);
	ap.ap_databases = 1;
	ap.ap_stripes_log2 = s->ms_stripes_log2;
	if (store_create(&a, &ks, name, &ap, err,
	    sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (0);
	}
	good = mt_play(&ks, s, run, 0);
	mt_names(&ks, s, &n);
	mt_dump(&ks, s, &n, out, cap);
	testarena_destroy(&a);
	return (good);
}

static char	 mt_before[MT_DUMP], mt_after[MT_DUMP], mt_seen[MT_DUMP];

/* The stripes the scenario's keys lie in, in a store. */
static unsigned
mt_stripes(struct keyspace *ks, const struct mt_scn *s)
{
	struct mt_names	 n;
	struct ks_key	 k;
	const char	*argv[MT_MAXARGS];
	size_t		 argvlen[MT_MAXARGS];
	char		 buf[2048];
	unsigned	 seen[64] = { 0 }, count = 0, st;
	int		 argc, i;

	mt_names(ks, s, &n);
	argc = mt_words(s->ms_keys, &n, buf, sizeof(buf), argv, argvlen);
	for (i = 0; i < argc; i++) {
		keyspace_key(ks, &k, argv[i], argvlen[i]);
		st = keyspace_stripe_index(ks, &k);
		if (st < nitems(seen) && seen[st]++ == 0)
			count++;
	}
	return (count);
}

struct mt_trial {
	const struct mt_scn	*mt_scn;
	unsigned		 mt_stripes;	/* most seen in one trial */
};

static int
mt_trial(const void *arg, uint64_t countdown, uint64_t repair, int *killed)
{
	struct mt_trial		*t = (struct mt_trial *)arg;
	const struct mt_scn	*s = t->mt_scn;
	struct mt_arg		 ma = { s, countdown };
	struct arena		 a;
	struct keyspace		 ks;
	struct mt_names		 n;
	unsigned		 st;
	int			 good;

	memset(&a, 0, sizeof(a));
	good = testarena_crash_run_in(&a, &ks, MT_BYTES, s->ms_stripes_log2,
	    s->ms_what, mt_child, &ma, repair, killed) == 0;
	if (a.ar_base == NULL)
		return (0);
	if ((st = mt_stripes(&ks, s)) > t->mt_stripes)
		t->mt_stripes = st;
	mt_limits();
	mt_names(&ks, s, &n);
	mt_dump(&ks, s, &n, mt_seen, sizeof(mt_seen));
	if (strcmp(mt_seen, mt_after) != 0 &&
	    (!*killed || strcmp(mt_seen, mt_before) != 0)) {
		diag("%s: %s at hit %llu, the keys are neither all as before "
		    "nor all as after: %s", s->ms_what, *killed ? "killed" :
		    "not killed", (unsigned long long)countdown, mt_seen);
		good = 0;
	}
	testarena_destroy(&a);
	return (good);
}

static void
test_crash(void)
{
	struct mt_trial	 t;
	size_t		 i;
	unsigned	 kills;
	int		 broken;

	for (i = 0; i < nitems(mt_scns); i++) {
		t.mt_scn = &mt_scns[i];
		t.mt_stripes = 0;
		if (!ok(mt_reference(t.mt_scn, 0, mt_before,
		    sizeof(mt_before)) && mt_reference(t.mt_scn, 1, mt_after,
		    sizeof(mt_after)) && strcmp(mt_before, mt_after) != 0,
		    "%s: set up, run whole, it answers as Redis does and "
		    "changes its keys", t.mt_scn->ms_what))
			continue;
		broken = testarena_crash_each(mt_trial, &t, 5000, &kills);
		ok(broken == 0 && kills > 0, "%s (%s): killed at each of its "
		    "%u crash point hits, the keys are all as before or all as "
		    "after and the arena whole", t.mt_scn->ms_what,
		    t.mt_scn->ms_where == MT_SAME ? "one stripe" :
		    t.mt_scn->ms_where == MT_OTHER ? "two stripes" :
		    "many stripes", kills);
		if (t.mt_scn->ms_where == MT_ANY)
			ok(t.mt_stripes >= 4, "its keys lay in %u stripes",
			    t.mt_stripes);
	}
}

int
main(void)
{
	tap_no_plan();
	if (!crashpoint_enabled()) {
		skip(1, "this build has no crash points (HYDRA_CRASHPOINTS)");
		return (tap_done());
	}
	if (!ok(command_init() == 0, "the command table"))
		return (tap_done());
	/* Repairs follow: keep their notes quiet. */
	log_init("keyspace_multi_test", 1, -1);
	test_crash();
	return (tap_done());
}
