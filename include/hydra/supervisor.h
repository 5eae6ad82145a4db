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
 * Open the listening sockets that the configuration asks for, non-blocking,
 * and keep them in a new supervisor: TCP on port (none when it is 0), and
 * the Unix socket of unixsocket, with the mode of unixsocketperm, after
 * removing a stale socket file that nobody listens on.  The workers accept
 * on all of them alike.  Returns NULL after logging why (an address in
 * use, a path that is not a socket, nowhere to listen at all).
 */
struct supervisor *supervisor_listen(struct config *);

/*
 * A descriptor of the supervisor's own (the pidfile's) that each child
 * closes as soon as it is forked.
 */
void	 supervisor_private_fd(struct supervisor *, int fd);

/*
 * Fork the roles on the created arena and supervise them until SIGTERM or
 * SIGINT (which the caller has blocked, with SIGHUP and SIGCHLD, in
 * `set'), or until a process reports a configuration error; SIGHUP
 * reopens the log file.  Then stop the children, close the listening
 * sockets and remove the Unix socket's file, mark the arena clean, detach
 * and remove it.  Returns the daemon's exit status.
 */
int	 supervisor_run(struct supervisor *, struct arena *,
	    const char *arena_name, const sigset_t *set);

#endif /* HYDRA_SUPERVISOR_H */
