/*
 * config_live.c: CONFIG SET in every worker, through the scoreboard's
 * config log.
 *
 * Run by workers.  Takes sb_config_lock (through scoreboard_config_append)
 * and nothing else.
 *
 * The live config a worker starts with is a shallow copy of the
 * supervisor's: its strings belong to the supervisor's struct.  The first
 * sync gives the worker private copies of them (config_copy()), so a
 * later change frees only what this worker allocated.
 *
 * A record in the log is a 4-byte length (host order: every reader runs
 * on the same machine) and then the pairs, each name and value ended by a
 * NUL.  A value with a NUL inside is cut there, as a C string is.  The
 * issuing worker does not apply its change directly: it appends, then
 * syncs, so that it applies every record in the log's order, as the
 * others do.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hydra/command.h"
#include "hydra/config.h"
#include "hydra/config_live.h"
#include "hydra/log.h"
#include "hydra/scoreboard.h"
#include "hydra/worker.h"

#define CONFIG_LIVE_HDR		4

static size_t	config_live_applied;	/* log bytes applied here */
static int	config_live_owned;	/* the live strings are ours */

/* Set one directive from one value word, as CONFIG SET does. */
static int
config_live_apply(struct config *cfg, const char *name, const char *value,
    char *err, size_t errlen)
{
	char	*argv[1];

	argv[0] = (char *)(uintptr_t)value;
	/* A CONFIG SET save replaces the points; it never adds to them. */
	cfg->cf_save_seen = 0;
	return (config_set(cfg, name, argv, 1, err, errlen));
}

/*
 * What a change means to the running worker beyond its config: a new
 * loglevel changes which lines are written (and only a change of it, so
 * that hydrad -v keeps its effect until someone sets loglevel); the
 * worker follows the rest (worker_config_applied()).
 */
static void
config_live_effects(struct worker *w, int old_loglevel)
{
	const struct config	*cfg = worker_config(w);

	if (cfg->cf_loglevel != old_loglevel)
		log_setlevel(config_log_level(cfg->cf_loglevel, 0));
	worker_config_applied(w);
}

static void
config_live_own(struct config *cfg)
{
	struct config	 copy;

	if (config_live_owned)
		return;
	if (config_copy(&copy, cfg) == -1) {
		log_warn("config copy");
		return;
	}
	/* The old strings are the supervisor's: dropped, never freed. */
	*cfg = copy;
	config_live_owned = 1;
}

void
config_live_sync(struct worker *w)
{
	struct scoreboard	*sb = worker_scoreboard(w);
	struct config		*cfg = worker_config(w);
	const char		*log, *p, *end, *name, *value;
	char			 err[CONFIG_ERR_MAX];
	uint32_t		 reclen;
	size_t			 len;
	int			 old_loglevel;

	if (sb == NULL)
		return;
	log = scoreboard_config_log(sb, &len);
	if (len == config_live_applied)
		return;
	config_live_own(cfg);
	if (!config_live_owned)
		return;
	old_loglevel = cfg->cf_loglevel;
	while (config_live_applied + CONFIG_LIVE_HDR <= len) {
		memcpy(&reclen, log + config_live_applied, sizeof(reclen));
		p = log + config_live_applied + CONFIG_LIVE_HDR;
		end = p + reclen;
		if (end > log + len) {
			log_warnx("config log: a record runs past the end");
			break;
		}
		while (p < end) {
			name = p;
			value = name + strlen(name) + 1;
			p = value + strlen(value) + 1;
			if (config_live_apply(cfg, name, value, err,
			    sizeof(err)) == -1)
				log_warnx("config log: %s: %s", name, err);
		}
		config_live_applied += CONFIG_LIVE_HDR + reclen;
	}
	config_live_effects(w, old_loglevel);
}

static int
config_live_err(char *err, size_t errlen, const char *name, const char *why)
{
	snprintf(err, errlen, "CONFIG SET failed (possibly related to "
	    "argument '%s') - %s", name, why);
	return (-1);
}

/*
 * Does a change leave the listening sockets alone?  Workers cannot open
 * new ones; setting port or bind to the value it has is fine.  1 or 0.
 */
static int
config_live_same_sockets(const struct config *a, const struct config *b,
    const struct config_directive *cd)
{
	char	 va[CONFIG_ERR_MAX * 4], vb[CONFIG_ERR_MAX * 4];

	if (!(cd->cd_flags & CONFIG_F_LISTEN))
		return (1);
	config_format(a, cd, va, sizeof(va));
	config_format(b, cd, vb, sizeof(vb));
	return (strcmp(va, vb) == 0);
}

int
config_live_set(struct worker *w, int npairs, const char *const *argv,
    const size_t *argvlen, char *err, size_t errlen)
{
	const struct config_directive	*cd, **seen = NULL;
	struct config			 trial;
	char				 why[CONFIG_ERR_MAX];
	char				*name = NULL, *value = NULL, *rec = NULL;
	char				*grown;
	size_t				 reclen = 0, n;
	uint32_t			 len32;
	int				 i, j, rv = -1;

	config_live_sync(w);
	if ((seen = calloc((size_t)npairs, sizeof(*seen))) == NULL)
		return (snprintf(err, errlen, "out of memory"), -1);
	/* Names first: unknown, immutable, protected, repeated. */
	for (i = 0; i < npairs; i++) {
		free(name);
		if ((name = command_arg_cstr(argv[2 * i],
		    argvlen[2 * i])) == NULL)
			goto oom;
		if ((cd = config_lookup(name)) == NULL) {
			snprintf(err, errlen, "Unknown option or number of "
			    "arguments for CONFIG SET - '%s'", name);
			goto out;
		}
		if (!(cd->cd_flags & CONFIG_F_MUTABLE)) {
			config_live_err(err, errlen, name,
			    "can't set immutable config");
			goto out;
		}
		if (cd->cd_flags & CONFIG_F_PROTECTED) {
			config_live_err(err, errlen, name,
			    "can't set protected config");
			goto out;
		}
		for (j = 0; j < i; j++)
			if (seen[j] == cd)
				break;
		if (j < i) {
			config_live_err(err, errlen, name,
			    "duplicate parameter");
			goto out;
		}
		seen[i] = cd;
	}
	/* Then the values, on a copy: all of them or none. */
	if (config_copy(&trial, worker_config(w)) == -1)
		goto oom;
	for (i = 0; i < npairs; i++) {
		free(name);
		free(value);
		name = command_arg_cstr(argv[2 * i], argvlen[2 * i]);
		value = command_arg_cstr(argv[2 * i + 1], argvlen[2 * i + 1]);
		if (name == NULL || value == NULL) {
			config_free(&trial);
			goto oom;
		}
		if (config_live_apply(&trial, name, value, why,
		    sizeof(why)) == -1) {
			config_free(&trial);
			config_live_err(err, errlen, name, why);
			goto out;
		}
		if (config_live_same_sockets(&trial, worker_config(w),
		    seen[i]) == 0) {
			config_free(&trial);
			config_live_err(err, errlen, name, "can't change the "
			    "listening sockets of a running server");
			goto out;
		}
		n = strlen(name) + strlen(value) + 2;
		if ((grown = realloc(rec, CONFIG_LIVE_HDR + reclen + n)) ==
		    NULL) {
			config_free(&trial);
			goto oom;
		}
		rec = grown;
		memcpy(rec + CONFIG_LIVE_HDR + reclen, name,
		    strlen(name) + 1);
		memcpy(rec + CONFIG_LIVE_HDR + reclen + strlen(name) + 1,
		    value, strlen(value) + 1);
		reclen += n;
	}
	config_free(&trial);
	len32 = (uint32_t)reclen;
	memcpy(rec, &len32, sizeof(len32));
	if (scoreboard_config_append(worker_scoreboard(w), rec,
	    CONFIG_LIVE_HDR + reclen) == -1) {
		snprintf(err, errlen, "CONFIG SET failed - the log of "
		    "configuration changes is full");
		goto out;
	}
	config_live_sync(w);
	/* Idle workers apply it now too (timeout, maxclients, hz...). */
	for (i = 0; i < scoreboard_workers(worker_scoreboard(w)); i++)
		if (i != worker_index(w))
			scoreboard_wake(worker_scoreboard(w), i);
	rv = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(seen);
	free(name);
	free(value);
	free(rec);
	return (rv);
}
