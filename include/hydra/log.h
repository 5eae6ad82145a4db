/*
 * log.h: the logging interface of every hydra process, in the style of the
 * OpenBSD daemons: log_warn() appends strerror(errno), log_warnx() does not;
 * fatal() and fatalx() log and exit.
 */
#ifndef HYDRA_LOG_H
#define HYDRA_LOG_H

#include <stdarg.h>

/*
 * Open the log.  With `to_stderr' set, lines go to standard error with a
 * timestamp; otherwise to syslog under `ident'.  `verbose' > 0 lets
 * log_debug() through; `verbose' < 0 keeps only fatal messages (for tests
 * that provoke thousands of repairs).
 */
void	log_init(const char *ident, int to_stderr, int verbose);
void	log_setverbose(int verbose);
void	log_procname(const char *name);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* HYDRA_LOG_H */
