/*
 * log.c: logging for every hydra process.
 *
 * Lines go to standard error (foreground, tests) or to syslog (daemon).
 * Each line carries the process role so that the supervisor, a worker and
 * the persister can be told apart in one stream.  No locks: each call is one
 * write(2) or one syslog(3) call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hydra/log.h"

static int	 log_to_stderr = 1;
static int	 log_verbose;
static char	 log_role[32] = "hydra";

void
log_init(const char *ident, int to_stderr, int verbose)
{
	log_to_stderr = to_stderr;
	log_verbose = verbose;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

void
log_procname(const char *name)
{
	snprintf(log_role, sizeof(log_role), "%s", name);
}

static void
log_emit(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 msg[1024], line[1200], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;

	if (log_verbose < 0 && pri > LOG_CRIT)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_to_stderr) {
		if (suffix != NULL)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%d:%s %s.%03ld %s%s%s\n",
	    (int)getpid(), log_role, stamp, ts.tv_nsec / 1000000, msg,
	    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	(void)write(STDERR_FILENO, line, n);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
