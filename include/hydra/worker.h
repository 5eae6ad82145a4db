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
struct scoreboard;
struct worker;

struct worker_params {
	const struct config	*wp_cfg;
	struct arena		*wp_arena;	/* mapped by the supervisor */
	const int		*wp_listen;	/* non-blocking listeners */
	int			 wp_nlisten;
	int			 wp_index;	/* 0 to workers - 1 */
	int			 wp_nworkers;	/* workers, as resolved */
	pid_t			 wp_parent;	/* the supervisor */
	struct scoreboard	*wp_scoreboard;	/* mapped by the supervisor */
	int			 wp_persister_fd; /* wakes the persister;
						   -1: none */
};

/*
 * The client entries each worker has on the scoreboard: room for
 * maxclients clients and the other descriptors a worker holds, because a
 * client's entry is indexed by its descriptor.
 */
int	 worker_client_slots(const struct config *, int nlisten,
	    int nworkers);

/* Serve clients until the supervisor dies; returns an exit status. */
int	 worker_main(const struct worker_params *);

/* What command handlers may ask of the worker that runs them. */
struct config		*worker_config(struct worker *);	/* live */
struct scoreboard	*worker_scoreboard(struct worker *);
struct sb_worker	*worker_slot(struct worker *);	/* its own */
int			 worker_index(const struct worker *);

/*
 * After CONFIG SET records were applied to the worker's configuration:
 * follow what the worker keeps outside it (the expiry period, the LFU
 * clock, the encoding limits).
 */
void			 worker_config_applied(struct worker *);

/*
 * The worker's own clients, indexed by descriptor: *n slots, NULL where
 * there is no client.  Valid until the worker closes or accepts one.
 */
struct client *const	*worker_clients(struct worker *, int *n);

/*
 * Block the client whose command is running on the wait bc (already
 * registered, blocking.h): it gets no reply and runs no other command
 * until the wait ends (served, timed out, unblocked); then bc's
 * callbacks answer it and bc is freed.
 */
struct blocking_client;
struct client;
void			 worker_block(struct worker *, struct client *,
			    struct blocking_client *);

/*
 * Close one of the worker's clients other than the one whose command is
 * running, before the worker next waits for events (CLIENT KILL).
 */
void			 worker_kill_client(struct worker *, struct client *);

#endif /* HYDRA_WORKER_H */
