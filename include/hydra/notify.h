/*
 * notify.h: telling a service manager that hydrad is ready, as the
 * supervised directive asks: systemd through its notification socket
 * ($NOTIFY_SOCKET, the sd_notify protocol), upstart by stopping with
 * SIGSTOP until it sends SIGCONT ("expect stop").
 *
 * Run by the supervisor only, once, when it is ready to serve.
 */
#ifndef HYDRA_NOTIFY_H
#define HYDRA_NOTIFY_H

/*
 * The manager to notify, a CONFIG_SUPERVISED_* value: auto becomes
 * upstart when $UPSTART_JOB is set, systemd when $NOTIFY_SOCKET is,
 * otherwise no; systemd or upstart without their variable is logged and
 * becomes no.  A manager that starts hydrad wants it in the foreground,
 * so the caller does not daemonize when this returns another value.
 */
int	notify_mode(int supervised);

/* Say "ready" to the manager of `mode' (from notify_mode()). */
void	notify_ready(int mode);

#endif /* HYDRA_NOTIFY_H */
