/*
 * config_live.h: CONFIG SET across workers.
 *
 * Each worker runs on its own live copy of the configuration.  CONFIG SET
 * validates a change on a copy of the issuing worker's live config, then
 * appends it to the scoreboard's config log; every worker (the issuing
 * one included) applies the log's records in order, so all workers agree
 * on the order of changes.  A respawned worker starts from the
 * supervisor's configuration and replays the whole log.
 *
 * Run by workers.  Takes the scoreboard's sb_config_lock to append.
 */
#ifndef HYDRA_CONFIG_LIVE_H
#define HYDRA_CONFIG_LIVE_H

#include <stddef.h>

struct worker;

/*
 * Apply the log records this worker has not applied yet.  Cheap when
 * nothing changed (one load of the log's length).  The dispatcher calls
 * it before each command; the worker should call it once at start (so a
 * respawned worker catches up before it serves) and on each wake-up.
 */
void	 config_live_sync(struct worker *);

/*
 * CONFIG SET name value [name value ...] (argv holds the pairs only):
 * check every pair as Redis 7.0 does, apply them all or none, publish
 * them to the other workers.  0, or -1 with the error reply's text
 * (without "-ERR ") in err.
 */
int	 config_live_set(struct worker *, int npairs, const char *const *argv,
	    const size_t *argvlen, char *err, size_t errlen);

#endif /* HYDRA_CONFIG_LIVE_H */
