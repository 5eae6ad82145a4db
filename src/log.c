/*
 * log.c: logging for every hydra process.
 *
 * Lines go to standard error (the default, and -d), or to the log file
 * that the supervisor opened before it forked, and to syslog as well when
 * it is enabled.  A line reads
 *
 *   <pid>:<role> <day> <month> <year> <hh:mm:ss.mmm> <mark> <message>
 *
 * where the role tells the supervisor and each worker apart in one file,
 * and the mark is Redis's: '#' a warning or a fatal error, '*' a notice,
 * '.' a debug line.  Syslog gets "<role>: <message>" under its ident, with
 * the pid.
 *
 * Reopening (SIGHUP, for logrotate): the supervisor reopens the file and
 * bumps a generation number in a page that log_open_file() mapped shared
 * before any fork; every other process sees the number change before its
 * next line and reopens the file itself, onto the same descriptor.  A
 * process that logs nothing keeps the old file open until it does.
 *
 * No locks: each line is one write(2) on a descriptor opened O_APPEND, or
 * one syslog(3) call; the generation is read and bumped atomically.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hydra/log.h"

#define LOG_FILE_MODE	0644

static int		 log_fd = STDERR_FILENO;	/* -1: syslog only */
static int		 log_level = LOG_LEVEL_NOTICE;
static int		 log_to_syslog;
static int		 log_echo;
static char		*log_path;		/* NULL: no log file */
static uint32_t		*log_shared_gen;	/* shared by the children */
static uint32_t		 log_gen;		/* the file this one has */
static char		 log_role[32] = "hydra";

/* The level of the old "verbose" argument: < 0 quiet, 0, 1, 2 or more. */
static int
log_verbose_level(int verbose)
{
	if (verbose < 0)
		return (LOG_LEVEL_FATAL);
	if (verbose > LOG_LEVEL_DEBUG - LOG_LEVEL_NOTICE)
		return (LOG_LEVEL_DEBUG);
	return (LOG_LEVEL_NOTICE + verbose);
}

void
log_init(const char *ident, int to_stderr, int verbose)
{
	log_level = log_verbose_level(verbose);
	if (to_stderr)
		log_fd = STDERR_FILENO;
	else {
		log_fd = -1;
		log_syslog(ident, LOG_DAEMON);
	}
}

void
log_setverbose(int verbose)
{
	log_level = log_verbose_level(verbose);
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

void
log_procname(const char *name)
{
	snprintf(log_role, sizeof(log_role), "%s", name);
}

void
log_syslog(const char *ident, int facility)
{
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	log_to_syslog = 1;
}

void
log_echo_stderr(int on)
{
	log_echo = on;
}

/* Open log_path and make it log_fd.  0, or -1 with errno. */
static int
log_open_path(void)
{
	int	 fd, saved;

	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY |
	    O_CLOEXEC, LOG_FILE_MODE);
	if (fd == -1)
		return (-1);
	if (log_fd == -1 || log_fd == STDERR_FILENO) {
		log_fd = fd;
		return (0);
	}
	if (dup2(fd, log_fd) == -1 ||
	    fcntl(log_fd, F_SETFD, FD_CLOEXEC) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	close(fd);
	return (0);
}

int
log_open_file(const char *path)
{
	void	*p;

	free(log_path);
	if ((log_path = strdup(path)) == NULL)
		return (-1);
	if (log_open_path() == -1) {
		free(log_path);
		log_path = NULL;
		return (-1);
	}
	if (log_shared_gen == NULL) {
		p = mmap(NULL, sizeof(*log_shared_gen), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANON, -1, 0);
		if (p == MAP_FAILED)
			return (-1);
		log_shared_gen = p;
	}
	log_gen = __atomic_load_n(log_shared_gen, __ATOMIC_ACQUIRE);
	return (0);
}

int
log_reopen(void)
{
	if (log_path == NULL)
		return (0);
	if (log_open_path() == -1)
		return (-1);
	log_gen = __atomic_add_fetch(log_shared_gen, 1, __ATOMIC_ACQ_REL);
	return (0);
}

/*
 * Before a line: reopen the file if the supervisor has since.  A failure
 * keeps the old file, and is said there once per generation.
 */
static void
log_follow(void)
{
	uint32_t	 gen;
	char		 why[160];
	int		 n;

	if (log_shared_gen == NULL)
		return;
	gen = __atomic_load_n(log_shared_gen, __ATOMIC_ACQUIRE);
	if (gen == log_gen)
		return;
	log_gen = gen;
	if (log_open_path() == -1) {
		n = snprintf(why, sizeof(why), "%d:%s cannot reopen the log "
		    "file: %s\n", (int)getpid(), log_role, strerror(errno));
		if (n > 0 && n < (int)sizeof(why))
			(void)write(log_fd, why, n);
	}
}

static void
log_emit(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 msg[1024], line[1200], stamp[32], mark;
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_syslog) {
		if (suffix != NULL)
			syslog(pri, "%s: %s: %s", log_role, msg, suffix);
		else
			syslog(pri, "%s: %s", log_role, msg);
	}
	log_follow();
	if (pri <= LOG_WARNING)
		mark = '#';
	else if (pri == LOG_DEBUG)
		mark = '.';
	else
		mark = '*';
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%d:%s %s.%03ld %c %s%s%s\n",
	    (int)getpid(), log_role, stamp, ts.tv_nsec / 1000000, mark, msg,
	    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	if (n > (int)sizeof(line) - 1) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (log_fd != -1)
		(void)write(log_fd, line, n);
	if (log_echo && pri <= LOG_WARNING && log_fd != STDERR_FILENO)
		(void)write(STDERR_FILENO, line, n);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	if (log_level < LOG_LEVEL_WARNING)
		return;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_WARNING)
		return;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_NOTICE)
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_VERBOSE)
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
