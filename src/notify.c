/*
 * notify.c: telling a service manager that hydrad is ready (see
 * notify.h): one datagram to systemd's notification socket, or a SIGSTOP
 * for upstart.
 *
 * Run by the supervisor, once, before it forks the workers; takes no
 * locks.  A failure to notify is logged and otherwise ignored: the
 * manager's own timeout then decides.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/config.h"
#include "hydra/log.h"
#include "hydra/notify.h"

#define NOTIFY_READY	"READY=1\nSTATUS=ready to accept connections\n"

/* `mode' when the manager's variable `var' is set, else no, logged. */
static int
notify_require(int mode, const char *name, const char *var)
{
	if (getenv(var) != NULL)
		return (mode);
	log_warnx("supervised %s: %s is not set; not notifying", name, var);
	return (CONFIG_SUPERVISED_NO);
}

int
notify_mode(int supervised)
{
	switch (supervised) {
	case CONFIG_SUPERVISED_AUTO:
		if (getenv("UPSTART_JOB") != NULL)
			return (CONFIG_SUPERVISED_UPSTART);
		if (getenv("NOTIFY_SOCKET") != NULL)
			return (CONFIG_SUPERVISED_SYSTEMD);
		return (CONFIG_SUPERVISED_NO);
	case CONFIG_SUPERVISED_UPSTART:
		return (notify_require(supervised, "upstart", "UPSTART_JOB"));
	case CONFIG_SUPERVISED_SYSTEMD:
		return (notify_require(supervised, "systemd",
		    "NOTIFY_SOCKET"));
	default:
		return (CONFIG_SUPERVISED_NO);
	}
}

/*
 * Send `msg' to $NOTIFY_SOCKET: a path, or with a leading '@' a name in
 * Linux's abstract namespace.  0, or -1 with errno.
 */
static int
notify_systemd(const char *msg)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	size_t			 plen;
	ssize_t			 n;
	int			 fd, saved;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (plen = strlen(path)) >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return (-1);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return (-1);
	n = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sun, len);
	saved = errno;
	close(fd);
	errno = saved;
	return (n == (ssize_t)strlen(msg) ? 0 : -1);
}

void
notify_ready(int mode)
{
	if (mode == CONFIG_SUPERVISED_SYSTEMD) {
		if (notify_systemd(NOTIFY_READY) == -1)
			log_warn("supervised systemd: cannot notify %s",
			    getenv("NOTIFY_SOCKET"));
		else
			log_info("supervised systemd: told the service "
			    "manager that hydrad is ready");
	} else if (mode == CONFIG_SUPERVISED_UPSTART) {
		log_info("supervised upstart: stopping until upstart "
		    "continues hydrad");
		unsetenv("UPSTART_JOB");
		raise(SIGSTOP);
	}
}
