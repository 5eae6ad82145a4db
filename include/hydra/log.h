/*
 * log.h: the logging interface of every hydra process, in the style of the
 * OpenBSD daemons: log_warn() appends strerror(errno), log_warnx() does not;
 * fatal() and fatalx() log and exit.
 *
 * A line goes to one file descriptor (standard error, or the log file),
 * and to syslog as well when that is enabled.  The level decides which
 * calls are heard; redis.conf's loglevel maps onto it:
 *
 *   warning   fatal(x), log_warn(x)
 *   notice    and log_info (the default)
 *   verbose   and log_debug
 *   debug     the same as verbose, for now
 *
 * A log file is opened by the supervisor before it forks, so the children
 * inherit it.  log_reopen() opens it again under its name (after logrotate
 * moved it away) and bumps a generation number kept in a page that every
 * process forked afterwards shares; each process compares that number
 * with its own before it writes a line, and reopens the file when they
 * differ.
 */
#ifndef HYDRA_LOG_H
#define HYDRA_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_FATAL,	/* fatal() and fatalx() only */
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_DEBUG
};

/*
 * Start logging.  With `to_stderr' set, lines go to standard error with a
 * timestamp; otherwise to syslog under `ident' (facility daemon).
 * `verbose' > 0 lets log_debug() through; `verbose' < 0 keeps only fatal
 * messages (for tests that provoke thousands of repairs).
 */
void	log_init(const char *ident, int to_stderr, int verbose);
void	log_setverbose(int verbose);
void	log_setlevel(enum log_level);
void	log_procname(const char *name);

/*
 * Write lines to the file `path' (opened for appending, created if
 * missing) instead of standard error.  A relative path is resolved against
 * the working directory of each later reopen, so the caller enters its
 * directory first and stays there.  0, or -1 with errno.
 */
int	log_open_file(const char *path);

/* Send lines to syslog too, under `ident' and the LOG_* `facility'. */
void	log_syslog(const char *ident, int facility);

/*
 * While set, warnings and fatal messages that go to a log file or syslog
 * are written to standard error as well: a daemon that fails to start
 * says why on the terminal that started it.
 */
void	log_echo_stderr(int);

/*
 * Reopen the log file under its name, and have every process forked
 * after log_open_file() do the same before its next line.  0 (also when
 * there is no log file), or -1 with errno, the old file kept.
 */
int	log_reopen(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* HYDRA_LOG_H */
