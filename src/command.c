/*
 * command.c: the command table, gathered from the families, and the
 * dispatcher that checks a request against it.
 *
 * Run by workers.  Takes no locks itself; the handlers it calls take the
 * stripe locks of their keys.
 *
 * The table is an array sorted by name, built once by command_init() in
 * each worker.  An entry's place in the sorted table is its commandstats
 * index; every worker builds the same table, so the indexes agree across
 * workers.  Names are found through an open-addressing hash of the
 * indexes, hashed and compared without regard to ASCII case, so that a
 * request's name is looked up where it lies, without a lower-cased copy.
 *
 * Statistics follow Redis 7.0: a command that ran counts a call, its time
 * and total_commands_processed, and a failure when it replied an error; a
 * command refused for its arity counts a rejected call; an unknown
 * command or subcommand counts nowhere but in the error statistics.
 * Every error reply is counted by its code through the reply buffer's
 * hook, whoever appends it.  Outside a worker (unit tests) nothing is
 * counted.
 * The errors for an unknown command and a wrong arity are Redis 7.0's,
 * byte for byte: names and arguments are cut at 128 bytes (and at a NUL,
 * as Redis's printf cuts them), and CR and LF become spaces.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/auth.h"
#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/compat.h"
#include "hydra/command.h"
#include "hydra/config_live.h"
#include "hydra/glob.h"
#include "hydra/intset.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/persister.h"
#include "hydra/reply.h"
#include "hydra/scoreboard.h"
#include "hydra/worker.h"

#include "command_internal.h"

#define COMMAND_NAME_MAX	64	/* longer names are unknown */
#define COMMAND_ERR_ARGS	128	/* Redis's cut for the echoed words */

static const struct command_family *const command_families[] = {
	&cmd_connection_family,
	&cmd_client_family,
	&cmd_string_family,
	&cmd_keys_family,
	&cmd_dump_family,
	&cmd_list_family,
	&cmd_sort_family,
	&cmd_memory_family,
	&cmd_zset_family,
	&cmd_zset_range_family,
	&cmd_zset_ops_family,
	&cmd_set_family,
	&cmd_hash_family,
	&cmd_server_family,
	&cmd_persist_family,
	&cmd_command_family,
};

static const struct command	**command_table;
static size_t			  command_ntable;

/* While a command runs in a worker: the time it started at, else -1. */
static int64_t			  command_start_ms = -1;

/* The hash of names: table indexes, SIZE_MAX for an empty slot. */
static size_t	*command_hash;
static size_t	 command_hash_mask;

static int
command_cmp(const void *a, const void *b)
{
	const struct command *const	*ca = a, *const *cb = b;

	return (strcmp((*ca)->cmd_name, (*cb)->cmd_name));
}

static unsigned char
command_fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* FNV-1a over prefix and name, folded to lower case. */
static uint64_t
command_hash_name(const char *prefix, size_t plen, const char *name,
    size_t len)
{
	uint64_t	 h = 14695981039346656037ULL;
	size_t		 i;

	for (i = 0; i < plen; i++)
		h = (h ^ command_fold((unsigned char)prefix[i])) *
		    1099511628211ULL;
	for (i = 0; i < len; i++)
		h = (h ^ command_fold((unsigned char)name[i])) *
		    1099511628211ULL;
	return (h);
}

/* Is the table name `lower' the concatenation of prefix and name? */
static int
command_name_is(const char *lower, const char *prefix, size_t plen,
    const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < plen; i++)
		if (lower[i] == '\0' ||
		    lower[i] != (char)command_fold((unsigned char)prefix[i]))
			return (0);
	lower += plen;
	for (i = 0; i < len; i++)
		if (lower[i] == '\0' ||
		    lower[i] != (char)command_fold((unsigned char)name[i]))
			return (0);
	return (lower[len] == '\0');
}

static int
command_hash_build(void)
{
	size_t	 i, size, slot;

	for (size = 16; size < 4 * command_ntable; size *= 2)
		;
	if ((command_hash = calloc(size, sizeof(*command_hash))) == NULL)
		return (-1);
	command_hash_mask = size - 1;
	for (i = 0; i < size; i++)
		command_hash[i] = SIZE_MAX;
	for (i = 0; i < command_ntable; i++) {
		slot = command_hash_name("", 0, command_table[i]->cmd_name,
		    strlen(command_table[i]->cmd_name)) & command_hash_mask;
		while (command_hash[slot] != SIZE_MAX)
			slot = (slot + 1) & command_hash_mask;
		command_hash[slot] = i;
	}
	return (0);
}

/*
 * The index of the entry named prefix followed by name[0..len), in any
 * ASCII case, or SIZE_MAX.  Names longer than COMMAND_NAME_MAX are
 * unknown.
 */
static size_t
command_find_len(const char *prefix, size_t plen, const char *name,
    size_t len)
{
	size_t	 slot, i;

	if (len > COMMAND_NAME_MAX || command_hash == NULL)
		return (SIZE_MAX);
	slot = command_hash_name(prefix, plen, name, len) & command_hash_mask;
	while ((i = command_hash[slot]) != SIZE_MAX) {
		if (command_name_is(command_table[i]->cmd_name, prefix, plen,
		    name, len))
			return (i);
		slot = (slot + 1) & command_hash_mask;
	}
	return (SIZE_MAX);
}

int
command_init(void)
{
	size_t	 i, j, n = 0;

	if (command_table != NULL)
		return (0);
	for (i = 0; i < nitems(command_families); i++)
		n += command_families[i]->cf_count;
	if ((command_table = calloc(n, sizeof(*command_table))) == NULL)
		return (-1);
	for (i = 0; i < nitems(command_families); i++)
		for (j = 0; j < command_families[i]->cf_count; j++)
			command_table[command_ntable++] =
			    &command_families[i]->cf_commands[j];
	qsort(command_table, command_ntable, sizeof(*command_table),
	    command_cmp);
	if (command_hash_build() == -1) {
		free(command_table);
		command_table = NULL;
		command_ntable = 0;
		return (-1);
	}
	return (0);
}

size_t
command_count(void)
{
	return (command_ntable);
}

const struct command *
command_at(size_t i)
{
	return (i < command_ntable ? command_table[i] : NULL);
}

size_t
command_index(const struct command *cmd)
{
	return (command_find_len("", 0, cmd->cmd_name, strlen(cmd->cmd_name)));
}

const struct command *
command_lookup(const char *name, size_t len)
{
	size_t	 i;

	if ((i = command_find_len("", 0, name, len)) == SIZE_MAX)
		return (NULL);
	return (command_table[i]);
}

/*
 * Resolve a request's name, and its subcommand for a container, to the
 * index of its table entry; SIZE_MAX when unknown.
 */
static size_t
command_resolve_index(int argc, const char *const *argv,
    const size_t *argvlen, const struct command **container)
{
	const struct command	*cmd;
	char			 prefix[COMMAND_NAME_MAX + 2];
	size_t			 i, plen;

	*container = NULL;
	if ((i = command_find_len("", 0, argv[0], argvlen[0])) == SIZE_MAX)
		return (SIZE_MAX);
	cmd = command_table[i];
	if (strchr(cmd->cmd_name, '|') != NULL)
		return (SIZE_MAX);
	if (!(cmd->cmd_flags & CMD_CONTAINER) || argc < 2)
		return (i);
	*container = cmd;
	plen = strlen(cmd->cmd_name);
	if (plen > COMMAND_NAME_MAX)
		return (SIZE_MAX);
	memcpy(prefix, cmd->cmd_name, plen);
	prefix[plen++] = '|';
	return (command_find_len(prefix, plen, argv[1], argvlen[1]));
}

const struct command *
command_resolve(int argc, const char *const *argv, const size_t *argvlen,
    const struct command **container)
{
	size_t	 i;

	if ((i = command_resolve_index(argc, argv, argvlen,
	    container)) == SIZE_MAX)
		return (NULL);
	return (command_table[i]);
}

/*
 * Append at most `max' bytes of s[0..len), stopping at a NUL as printf's
 * "%.*s" does, to buf at *pos (bounded by cap), with CR and LF made
 * spaces as Redis's rejectCommandFormat() makes them.
 */
static void
command_err_append(char *buf, size_t cap, size_t *pos, const char *s,
    size_t len, size_t max)
{
	size_t	 i;

	for (i = 0; i < len && i < max && s[i] != '\0' && *pos < cap; i++)
		buf[(*pos)++] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
}

/* Append a string literal to the local `buf' at the local `pos'. */
#define LIT(s)	command_err_append(buf, sizeof(buf), &pos, (s), \
		    sizeof(s) - 1, sizeof(s))

static void
command_reply_unknown(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	char	 buf[64 + 2 * COMMAND_ERR_ARGS + 4 * COMMAND_ERR_ARGS];
	size_t	 pos = 0, argstart;
	int	 i;

	LIT("unknown command '");
	command_err_append(buf, sizeof(buf), &pos, argv[0], argvlen[0],
	    COMMAND_ERR_ARGS);
	LIT("', with args beginning with: ");
	argstart = pos;
	for (i = 1; i < argc && pos - argstart < COMMAND_ERR_ARGS; i++) {
		LIT("'");
		/* Redis's precision: 128 less what the list holds already. */
		command_err_append(buf, sizeof(buf), &pos, argv[i],
		    argvlen[i], COMMAND_ERR_ARGS - (pos - 1 - argstart));
		LIT("' ");
	}
	reply_error_len(&cl->cl_reply, buf, pos);
}

void
command_container_proc(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;

	(void)argc;
	cmd = command_lookup(argv[0], argvlen[0]);
	command_reply_arity(cl, cmd != NULL ? cmd->cmd_name : "");
}

void
command_reply_arity(struct client *cl, const char *name)
{
	reply_errorf(&cl->cl_reply,
	    "wrong number of arguments for '%s' command", name);
}

/* "unknown subcommand 'x'. Try CONFIG HELP.", with argv[0] upper-cased. */
static void
command_reply_unknown_sub(struct client *cl, const char *const *argv,
    const size_t *argvlen)
{
	char	 buf[64 + 2 * COMMAND_ERR_ARGS];
	size_t	 pos = 0, i, start;

	LIT("unknown subcommand '");
	command_err_append(buf, sizeof(buf), &pos, argv[1], argvlen[1],
	    COMMAND_ERR_ARGS);
	LIT("'. Try ");
	start = pos;
	command_err_append(buf, sizeof(buf), &pos, argv[0], argvlen[0],
	    COMMAND_ERR_ARGS);
	for (i = start; i < pos; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	LIT(" HELP.");
	reply_error_len(&cl->cl_reply, buf, pos);
}

void
command_reply_subcommand_error(struct client *cl, const char *cmd,
    const char *sub, size_t len)
{
	char	 buf[96 + COMMAND_ERR_ARGS + COMMAND_NAME_MAX];
	size_t	 pos = 0;

	LIT("unknown subcommand or wrong number of arguments for '");
	command_err_append(buf, sizeof(buf), &pos, sub, len,
	    COMMAND_ERR_ARGS);
	LIT("'. Try ");
	command_err_append(buf, sizeof(buf), &pos, cmd, strlen(cmd),
	    COMMAND_NAME_MAX);
	LIT(" HELP.");
	reply_error_len(&cl->cl_reply, buf, pos);
}

void
command_reply_help(struct client *cl, const char *cmd,
    const char *const *lines, size_t n)
{
	char	 first[COMMAND_NAME_MAX + 64];
	size_t	 i;

	snprintf(first, sizeof(first), "%s <subcommand> [<arg> [value] "
	    "[opt] ...]. Subcommands are:", cmd);
	reply_array_len(&cl->cl_reply, (long)n + 3);
	reply_status(&cl->cl_reply, first);
	for (i = 0; i < n; i++)
		reply_status(&cl->cl_reply, lines[i]);
	reply_status(&cl->cl_reply, "HELP");
	reply_status(&cl->cl_reply, "    Print this help.");
}

/* The reply buffer's error hook: count the code on the worker's slot. */
static void
command_count_error(void *arg, const char *code, size_t len)
{
	scoreboard_count_error(arg, code, len);
}

/*
 * The wall clock in microseconds.  A command's time is measured on it, as
 * Redis measures it; a step of the clock backwards counts as no time.
 */
static int64_t
command_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

void
command_client_attach(struct client *cl)
{
	if (cl->cl_worker == NULL)
		return;
	cl->cl_reply.rb_on_error = command_count_error;
	cl->cl_reply.rb_on_error_arg = worker_slot(cl->cl_worker);
}

void
command_dispatch(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd, *parent;
	struct sb_worker	*slot = NULL;
	struct sb_cmdstat	*cs = NULL;
	unsigned long		 errors;
	int64_t			 t0, t1;
	size_t			 idx;

	if (cl->cl_worker != NULL) {
		config_live_sync(cl->cl_worker);
		slot = worker_slot(cl->cl_worker);
	}
	cl->cl_lastcmd = NULL;
	if ((idx = command_resolve_index(argc, argv, argvlen,
	    &parent)) == SIZE_MAX) {
		if (parent != NULL)
			command_reply_unknown_sub(cl, argv, argvlen);
		else
			command_reply_unknown(cl, argc, argv, argvlen);
		return;
	}
	cmd = command_table[idx];
	if (slot != NULL)
		cs = &scoreboard_cmdstats(worker_scoreboard(cl->cl_worker),
		    worker_index(cl->cl_worker))[idx];
	cl->cl_lastcmd = cmd->cmd_name;
	if ((cmd->cmd_arity > 0 && cmd->cmd_arity != argc) ||
	    argc < -cmd->cmd_arity) {
		command_reply_arity(cl, cmd->cmd_name);
		if (cs != NULL)
			scoreboard_add(&cs->cs_rejected, 1);
		return;
	}
	if (!(cmd->cmd_flags & CMD_NO_AUTH) && auth_required(cl)) {
		reply_error(&cl->cl_reply, AUTH_ERR_NOAUTH);
		if (cs != NULL)
			scoreboard_add(&cs->cs_rejected, 1);
		return;
	}
	if (!(cmd->cmd_flags & CMD_LOADING) && persister_loading()) {
		reply_error(&cl->cl_reply, CMD_ERR_LOADING);
		if (cs != NULL)
			scoreboard_add(&cs->cs_rejected, 1);
		return;
	}
	if (cl->cl_worker != NULL && (cmd->cmd_flags & CMD_WRITE ||
	    strcmp(cmd->cmd_name, "ping") == 0) &&
	    persister_writes_denied(worker_config(cl->cl_worker))) {
		reply_error(&cl->cl_reply, CMD_ERR_MISCONF);
		if (cs != NULL)
			scoreboard_add(&cs->cs_rejected, 1);
		return;
	}
	errors = cl->cl_reply.rb_nerrors;
	if (cs == NULL) {
		cmd->cmd_proc(cl, argc, argv, argvlen);
		return;
	}
	/* The command sees the time it started at (command_now_ms()). */
	t0 = command_now_us();
	command_start_ms = t0 / 1000;
	cmd->cmd_proc(cl, argc, argv, argvlen);
	command_start_ms = -1;
	t1 = command_now_us();
	scoreboard_add(&cs->cs_usec, t1 > t0 ? (uint64_t)(t1 - t0) : 0);
	scoreboard_add(&cs->cs_calls, 1);
	if (cl->cl_reply.rb_nerrors != errors)
		scoreboard_add(&cs->cs_failed, 1);
	scoreboard_count(slot, SB_COMMANDS_PROCESSED, 1);
}

void
command_count_lookup(struct client *cl, int hit)
{
	if (cl->cl_worker != NULL)
		scoreboard_count(worker_slot(cl->cl_worker),
		    hit ? SB_KEYSPACE_HITS : SB_KEYSPACE_MISSES, 1);
}

int
command_find_typed(struct client *cl, int type, struct ks_key *k,
    const char *key, size_t klen, int reading, struct ks_stripe **stp,
    const struct entry **ep)
{
	struct keyspace	*ks = cl->cl_ks;

	keyspace_key(ks, k, key, klen);
	*stp = keyspace_lock(ks, cl->cl_db, k);
	*ep = keyspace_find_locked(ks, *stp, k, command_now_ms());
	if (reading)
		command_count_lookup(cl, *ep != NULL);
	if (*ep != NULL && OBJ_TYPE((*ep)->e_type) != type) {
		keyspace_unlock(ks, *stp);
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		return (-1);
	}
	return (0);
}

int
command_range(long long start, long long end, long long n, long long *from,
    long long *to)
{
	if (start < 0)
		start = n + start;
	if (end < 0)
		end = n + end;
	if (start < 0)
		start = 0;
	if (start > end || start >= n)
		return (0);
	if (end >= n)
		end = n - 1;
	*from = start;
	*to = end;
	return (1);
}

/* A count within [1, LLONG_MAX], or -1 after `msg' (for either fault). */
static int
command_positive(struct client *cl, const char *arg, size_t len,
    long long *out, const char *msg)
{
	if (command_parse_ll(arg, len, out) == 0 && *out >= 1)
		return (0);
	reply_error(&cl->cl_reply, msg);
	return (-1);
}

int
command_mpop_args(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int ni, const char *const w[2], long long *numkeys,
    int *where, long long *count)
{
	int	 j, wi;

	*count = -1;
	if (command_positive(cl, argv[ni], argvlen[ni], numkeys,
	    "-ERR numkeys should be greater than 0") == -1)
		return (-1);
	if (*numkeys >= argc - ni - 1) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return (-1);
	}
	wi = ni + 1 + (int)*numkeys;
	if (command_arg_is(argv[wi], argvlen[wi], w[0]))
		*where = 0;
	else if (command_arg_is(argv[wi], argvlen[wi], w[1]))
		*where = 1;
	else {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return (-1);
	}
	for (j = wi + 1; j < argc; j++) {
		if (*count == -1 && command_arg_is(argv[j], argvlen[j],
		    "count") && j + 1 < argc) {
			j++;
			if (command_positive(cl, argv[j], argvlen[j], count,
			    "-ERR count should be greater than 0") == -1)
				return (-1);
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	if (*count == -1)
		*count = 1;
	return (0);
}

long long
command_mpop_find(struct client *cl, struct ks_multi *m,
    const char *const *argv, const size_t *argvlen, int ni,
    long long numkeys, int type, const struct entry **ep)
{
	struct keyspace	*ks = cl->cl_ks;
	size_t		 i;

	if (keyspace_multi_lock_names(ks, m, cl->cl_db, argv + ni + 1,
	    argvlen + ni + 1, (size_t)numkeys, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return (-1);
	}
	for (i = 0; i < m->km_n; i++) {
		*ep = keyspace_find_locked(ks, m->km_sts[i], &m->km_keys[i],
		    command_now_ms());
		if (*ep == NULL)
			continue;
		if (OBJ_TYPE((*ep)->e_type) != type) {
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return (-2);
		}
		return ((long long)i);
	}
	return (numkeys);
}

/* Beyond a thousand years a timeout is for ever. */
#define COMMAND_TIMEOUT_MAX	(1000LL * 366 * 86400 * 1000)

int
command_block_timeout(struct client *cl, const char *arg, size_t len,
    long long *ms)
{
	long double	 v;
	long long	 t;

	if (command_parse_ld(arg, len, &v) == -1) {
		reply_error(&cl->cl_reply,
		    "timeout is not a float or out of range");
		return (-1);
	}
	v = ceill(v * 1000.0L);
	t = v < 9223372036854775807.0L && v > -9223372036854775808.0L ?
	    (long long)v : LLONG_MIN;
	if (t < 0) {
		reply_error(&cl->cl_reply, "timeout is negative");
		return (-1);
	}
	if (t > COMMAND_TIMEOUT_MAX)
		t = 0;
	*ms = t;
	return (0);
}

int
command_block(struct client *cl, struct ks_multi *m, size_t n,
    struct blocking_client *bc, int kind, uint32_t arg0, uint32_t arg1)
{
	struct blocking	*b = cl->cl_ks->ks_blocking;

	if (cl->cl_worker == NULL || b == NULL)
		return (1);
	if (blocking_wait_locked(b, &bc->bc_wait, kind, arg0, arg1,
	    cl->cl_db, m->km_keys, m->km_sts, n) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return (-1);
	}
	worker_block(cl->cl_worker, cl, bc);
	return (0);
}

int
command_scan_cursor(struct client *cl, const char *arg, size_t len,
    uint64_t *cursor)
{
	char			 buf[COMMAND_CURSOR_MAX + 1], *end;
	const char		*nul;
	unsigned long long	 v;

	/* strtoul() sees the argument up to its first NUL. */
	if ((nul = memchr(arg, '\0', len)) != NULL)
		len = (size_t)(nul - arg);
	if (len > COMMAND_CURSOR_MAX)
		goto invalid;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	if (isspace((unsigned char)buf[0]))
		goto invalid;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		goto invalid;
	*cursor = v;
	return (0);
invalid:
	reply_error(&cl->cl_reply, "invalid cursor");
	return (-1);
}

void
command_reply_cursor(struct client *cl, uint64_t cursor)
{
	char	 buf[COMMAND_CURSOR_MAX];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cursor);
	reply_array_len(&cl->cl_reply, 2);
	reply_bulk(&cl->cl_reply, buf, (size_t)n);
}

#define COMMAND_SCAN_COUNT	10	/* COUNT when not given */

int
command_scan_args(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int first, int typed, struct command_scan *sc)
{
	const char	*nul;
	int		 j;

	memset(sc, 0, sizeof(*sc));
	sc->sc_count = COMMAND_SCAN_COUNT;
	for (j = first; j < argc; j += 2) {
		if (j + 1 < argc && command_arg_is(argv[j], argvlen[j],
		    "count")) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &sc->sc_count) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return (-1);
			}
			if (sc->sc_count < 1) {
				reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
				return (-1);
			}
		} else if (j + 1 < argc && command_arg_is(argv[j], argvlen[j],
		    "match")) {
			/* The lone "*" is no filter, as in Redis. */
			sc->sc_pat = argvlen[j + 1] == 1 &&
			    argv[j + 1][0] == '*' ? NULL : argv[j + 1];
			sc->sc_patlen = argvlen[j + 1];
		} else if (typed && j + 1 < argc && command_arg_is(argv[j],
		    argvlen[j], "type")) {
			/* Redis compares the type as a C string. */
			sc->sc_type = argv[j + 1];
			nul = memchr(argv[j + 1], '\0', argvlen[j + 1]);
			sc->sc_typelen = nul != NULL ?
			    (size_t)(nul - argv[j + 1]) : argvlen[j + 1];
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	sc->sc_steps = sc->sc_count > LLONG_MAX / 10 ? LLONG_MAX :
	    sc->sc_count * 10;
	return (0);
}

int
command_scan_match(const struct command_scan *sc, const char *s, size_t len)
{
	return (sc->sc_pat == NULL || glob_match(sc->sc_pat, sc->sc_patlen, s,
	    len, 0));
}

int
command_scan_more(struct command_scan *sc, uint64_t cursor, uint64_t seen)
{
	return (cursor != 0 && sc->sc_steps-- > 0 &&
	    seen < (uint64_t)sc->sc_count);
}

void
command_reply_scan_empty(struct client *cl)
{
	command_reply_cursor(cl, 0);
	reply_array_len(&cl->cl_reply, 0);
}

int
command_parse_ll(const char *s, size_t len, long long *out)
{
	int64_t	 v;

	if (intset_parse(s, len, &v) == -1)
		return (-1);
	*out = v;
	return (0);
}

int
command_parse_ld(const char *s, size_t len, long double *out)
{
	char		 buf[COMMAND_LD_MAX];
	char		*end;
	long double	 v;

	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtold(buf, &end);
	if (isspace((unsigned char)buf[0]) || *end != '\0' ||
	    (size_t)(end - buf) != len ||
	    (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL ||
	    fpclassify(v) == FP_ZERO)) || errno == EINVAL || isnan(v))
		return (-1);
	*out = v;
	return (0);
}

size_t
command_fmt_ld(char *buf, long double v)
{
	char	*p;
	int	 n;

	/* A finite long double takes under 5,000 bytes this way. */
	n = snprintf(buf, COMMAND_LD_MAX, "%.17Lf", v);
	if (n < 0 || n >= COMMAND_LD_MAX)
		n = 0;
	if (memchr(buf, '.', (size_t)n) != NULL) {
		p = buf + n - 1;
		while (*p == '0') {
			p--;
			n--;
		}
		if (*p == '.')
			n--;
	}
	if (n == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		n = 1;
	}
	return ((size_t)n);
}

int64_t
command_now_ms(void)
{
	if (command_start_ms >= 0)
		return (command_start_ms);
	return (command_now_us() / 1000);
}

char *
command_arg_cstr(const char *arg, size_t len)
{
	const char	*nul = memchr(arg, '\0', len);

	return (strndup(arg, nul != NULL ? (size_t)(nul - arg) : len));
}

int
command_arg_is(const char *arg, size_t len, const char *w)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (w[i] == '\0' || tolower((unsigned char)arg[i]) != w[i])
			return (0);
	return (w[len] == '\0');
}
