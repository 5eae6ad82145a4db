/*
 * cmd_memory.c: the MEMORY container (USAGE, STATS, DOCTOR, MALLOC-STATS,
 * PURGE, HELP), answered from the arena rather than from malloc.
 *
 * Run by workers.  MEMORY USAGE takes its key's stripe lock while it adds
 * up the chunks of the entry and of its value; STATS and MALLOC-STATS
 * read the slab allocator's counters (each slab lock briefly) and the
 * keyspace's racy key counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/reply.h"
#include "hydra/slab.h"
#include "hydra/value.h"

#include "command_internal.h"

/*
 * MEMORY USAGE key [SAMPLES count]: every chunk is counted, so SAMPLES
 * is checked as Redis checks it and otherwise not needed.
 */
static void
cmd_memory_usage(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 samples;
	uint64_t		 bytes = 0;

	if (argc == 5 && command_arg_is(argv[3], argvlen[3], "samples")) {
		if (command_parse_ll(argv[4], argvlen[4], &samples) == -1) {
			reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
			return;
		}
		if (samples < 0) {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	} else if (argc != 3) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	keyspace_key(ks, &k, argv[2], argvlen[2]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, command_now_ms())) != NULL)
		bytes = value_memory(ks->ks_arena, e);
	keyspace_unlock(ks, st);
	if (e == NULL)
		reply_null(&cl->cl_reply);
	else
		reply_int(&cl->cl_reply, (long long)bytes);
}

/* MEMORY STATS: the figures of Redis's map that the arena has. */
static void
cmd_memory_stats(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct slab_stats	 ss;
	uint64_t		 keys;

	(void)argc;
	(void)argv;
	(void)argvlen;
	slab_stats(cl->cl_ks->ks_arena, &ss);
	keys = keyspace_count_all(cl->cl_ks);
	reply_map_len(&cl->cl_reply, 4);
	reply_bulk_cstr(&cl->cl_reply, "total.allocated");
	reply_int(&cl->cl_reply, (long long)ss.bytes_used);
	reply_bulk_cstr(&cl->cl_reply, "keys.count");
	reply_int(&cl->cl_reply, (long long)keys);
	reply_bulk_cstr(&cl->cl_reply, "keys.bytes-per-key");
	reply_int(&cl->cl_reply, keys == 0 ? 0 :
	    (long long)(ss.bytes_used / keys));
	reply_bulk_cstr(&cl->cl_reply, "dataset.bytes");
	reply_int(&cl->cl_reply, (long long)ss.bytes_used);
}

/* MEMORY MALLOC-STATS: the arena's allocator, in a few lines of text. */
static void
cmd_memory_malloc_stats(struct client *cl, int argc,
    const char *const *argv, const size_t *argvlen)
{
	struct slab_stats	 ss;
	char			 buf[512];
	int			 n;

	(void)argc;
	(void)argv;
	(void)argvlen;
	slab_stats(cl->cl_ks->ks_arena, &ss);
	n = snprintf(buf, sizeof(buf),
	    "arena pages: %u total, %u free, %u of slab chunks, %u in runs, "
	    "%u committed\nchunk bytes: %llu handed out, %llu free in slab "
	    "pages\nslab classes: %u\n", ss.npages, ss.pages_free,
	    ss.pages_slab, ss.pages_run, ss.pages_committed,
	    (unsigned long long)ss.bytes_used,
	    (unsigned long long)ss.bytes_free, ss.nclasses);
	reply_bulk(&cl->cl_reply, buf, (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1);
}

/* MEMORY DOCTOR: what the arena can say about itself. */
static void
cmd_memory_doctor(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct slab_stats	 ss;
	char			 buf[256];
	int			 n;

	(void)argc;
	(void)argv;
	(void)argvlen;
	slab_stats(cl->cl_ks->ks_arena, &ss);
	if (ss.npages > 0 && ss.pages_free < ss.npages / 10)
		n = snprintf(buf, sizeof(buf), "The arena is over 90%% full "
		    "(%u of %u pages free): writes will soon fail with an "
		    "out-of-memory error.", ss.pages_free, ss.npages);
	else
		n = snprintf(buf, sizeof(buf), "No memory problems found: "
		    "%u of the arena's %u pages are free.", ss.pages_free,
		    ss.npages);
	reply_verbatim(&cl->cl_reply, buf, (size_t)n, "txt");
}

/* MEMORY PURGE: the arena returns nothing to the system; nothing to do. */
static void
cmd_memory_purge(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_status(&cl->cl_reply, "OK");
}

static void
cmd_memory_help(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	static const char *const lines[] = {
		"DOCTOR",
		"    Say whether the arena is close to full.",
		"MALLOC-STATS",
		"    The arena allocator's counters, as text.",
		"PURGE",
		"    Accepted; the arena keeps its pages.",
		"STATS",
		"    Bytes handed out, keys, bytes per key.",
		"USAGE <key> [SAMPLES <count>]",
		"    The arena bytes of <key>'s entry and of its value.",
	};

	(void)argc;
	(void)argv;
	(void)argvlen;
	command_reply_help(cl, "MEMORY", lines, nitems(lines));
}

static const struct command cmd_memory_commands[] = {
	{ "memory",	-2,	CMD_CONTAINER,	0, 0, 0,
	    command_container_proc },
	{ "memory|doctor", 2,	0,		0, 0, 0, cmd_memory_doctor },
	{ "memory|help", 2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_memory_help },
	{ "memory|malloc-stats", 2, 0,		0, 0, 0,
	    cmd_memory_malloc_stats },
	{ "memory|purge", 2,	0,		0, 0, 0, cmd_memory_purge },
	{ "memory|stats", 2,	0,		0, 0, 0, cmd_memory_stats },
	{ "memory|usage", -3,	CMD_READONLY,	2, 2, 1, cmd_memory_usage },
};

const struct command_family cmd_memory_family = {
	cmd_memory_commands, nitems(cmd_memory_commands)
};
