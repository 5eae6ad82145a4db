/*
 * worker.h: a worker process, which serves clients from the shared
 * listening sockets.
 *
 * The supervisor forks each worker after the arena is mapped and the
 * listening sockets are open; worker_main() runs in the child and returns
 * its exit status, which the supervisor reads by the contract in
 * supervisor.h: EX_CONFIG (sysexits.h) when the configuration cannot be
 * applied, which stops the daemon; anything else is a crash and the
 * worker is respawned.
 *
 * Takes the keyspace stripe locks of the keys its commands touch, one at
 * a time.
 */
#ifndef HYDRA_WORKER_H
#define HYDRA_WORKER_H

#include <sys/types.h>

struct arena;
struct config;

struct worker_params {
	const struct config	*wp_cfg;
	struct arena		*wp_arena;	/* mapped by the supervisor */
	const int		*wp_listen;	/* non-blocking listeners */
	int			 wp_nlisten;
	int			 wp_index;	/* 0 to workers - 1 */
	int			 wp_nworkers;	/* workers, as resolved */
	pid_t			 wp_parent;	/* the supervisor */
};

/* Serve clients until the supervisor dies; returns an exit status. */
int	 worker_main(const struct worker_params *);

#endif /* HYDRA_WORKER_H */
