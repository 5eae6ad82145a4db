/*
 * persister.h: the persister process, and what workers ask of it.
 *
 * The persister takes the snapshots (snapshot.h) and writes them to
 * `dbfilename' in `dir' as RDB files (rdb_file.h): on request (SAVE,
 * BGSAVE) and when a `save' rule is due.  Workers ask through words of
 * the persister's region in the arena and wake it with a byte on a pipe
 * that the supervisor made before forking; they learn the result from
 * the same words.
 */
#ifndef HYDRA_PERSISTER_H
#define HYDRA_PERSISTER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/snapshot.h"

struct scoreboard;

/* How stripes are serialized: RDB's SELECTDB and key records. */
extern const struct snapshot_codec persister_codec;

struct persister_params {
	const struct config	*pp_cfg;
	struct arena		*pp_arena;	/* mapped by the supervisor */
	struct scoreboard	*pp_scoreboard;	/* LASTSAVE lives there */
	pid_t			 pp_parent;	/* the supervisor */
	int			 pp_wake_fd;	/* read end of the wake pipe */
};

/* Module hooks for the arena's region directory. */
size_t	 persister_shm_size(const struct arena_params *, size_t npages);
int	 persister_shm_init(struct arena *, void *region,
	    const struct arena_params *);

/*
 * Mark a fresh arena as waiting for the dataset of `dbfilename': workers
 * answer -LOADING until the persister has loaded it.  Called by the
 * supervisor before the first fork, never for an arena it adopted.
 */
void	 persister_load_pending(struct arena *);

/* The persister's life: returns an exit code. */
int	 persister_main(const struct persister_params *);

/*
 * What a worker asks.  persister_link() once, with the write end of the
 * wake pipe (-1: none), before the others.
 *
 * persister_save(): a save that the caller waits for (SAVE): 0 done, -1
 * it failed, 1 a save already runs.  persister_bgsave(): 0 started, 1 a
 * save already runs (BGSAVE).  persister_writes_denied(): 1 when the last
 * save failed and the configuration says to refuse writes then
 * (stop-writes-on-bgsave-error with a save rule).
 */
void	 persister_link(struct arena *, int wake_fd);
int	 persister_save(void);
int	 persister_bgsave(void);
int	 persister_writes_denied(const struct config *);
/*
 * SHUTDOWN: tell the persister whether to save at exit (how), then ask
 * the supervisor to stop the daemon.
 */
#define PERSISTER_SHUTDOWN_DEFAULT	0	/* if save rules exist */
#define PERSISTER_SHUTDOWN_SAVE		1
#define PERSISTER_SHUTDOWN_NOSAVE	2
void	 persister_shutdown(int how);
/* 1 while the persister loads the dataset (commands get -LOADING). */
int	 persister_loading(void);

/* For INFO persistence. */
struct persister_info {
	int		 pi_loading;
	int		 pi_in_progress;
	int		 pi_last_ok;
	int64_t		 pi_last_secs;		/* -1: none yet */
	int64_t		 pi_current_secs;	/* -1: none running */
	uint64_t	 pi_saves;
	uint64_t	 pi_changes;		/* since the last save */
	uint64_t	 pi_keys_done;		/* of the running save */
	uint64_t	 pi_keys_total;
	uint64_t	 pi_load_keys;		/* by the last load */
	uint64_t	 pi_load_expired;
};

/* ks may be NULL: the answer of a server that never saved. */
void	 persister_info(struct keyspace *, struct persister_info *);

#endif /* HYDRA_PERSISTER_H */
