/*
 * supervisor.h: the supervisor, hydrad's first process, which opens the
 * listening sockets, forks the other processes and keeps them running.
 *
 * The other processes are declared in a role table (today one role,
 * "worker"; the persister and the broker come later), each role with a
 * count and a main function.  The exit-code contract with them:
 *
 *   EX_CONFIG (sysexits.h)  the configuration cannot be applied: the
 *                           supervisor stops the daemon, exit status 1
 *   anything else, or a     a crash: logged, and the process respawned
 *   signal                  after a backoff that starts at 100 ms,
 *                           doubles up to 5 s, and starts over once the
 *                           process has run for 10 s
 *
 * Run by the supervisor.  Takes no keyspace lock, ever.
 */
#ifndef HYDRA_SUPERVISOR_H
#define HYDRA_SUPERVISOR_H

#include <signal.h>

struct arena;
struct config;
struct supervisor;

/*
 * Open the TCP listening sockets that the configuration asks for,
 * non-blocking, and keep them in a new supervisor.  Returns NULL after
 * logging why (an address in use, say).
 */
struct supervisor *supervisor_listen(struct config *);

/*
 * Fork the roles on the created arena and supervise them until SIGTERM or
 * SIGINT (which the caller has blocked, with SIGHUP and SIGCHLD, in
 * `set'), or until a process reports a configuration error.  Then stop
 * the children, mark the arena clean, detach and remove it.  Returns the
 * daemon's exit status.
 */
int	 supervisor_run(struct supervisor *, struct arena *,
	    const char *arena_name, const sigset_t *set);

#endif /* HYDRA_SUPERVISOR_H */
