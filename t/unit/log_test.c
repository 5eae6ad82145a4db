/*
 * log_test.c: checks log.c: what a line carries, which lines each level
 * lets through, the echo of warnings to standard error during startup,
 * and log_reopen(): after the file is moved away, the process that
 * reopens it and a child forked before the reopen both write to the new
 * file and no longer to the old one.
 *
 * Each check reads the files back; the files live in a directory of
 * their own under TMPDIR (or /tmp), removed at the end.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/log.h"
#include "tap.h"

static char	 dir[256];

/* The contents of `path', NUL-terminated, or "" if it cannot be read. */
static char *
slurp(const char *path)
{
	static char	 buf[65536];
	FILE		*fp;
	size_t		 n = 0;

	buf[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL)
		return (buf);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (buf);
}

static int
contains(const char *path, const char *needle)
{
	return (strstr(slurp(path), needle) != NULL);
}

/* Does some line of `path' match the extended regular expression `re'? */
static int
matches(const char *path, const char *re)
{
	regex_t	 rx;
	int	 m;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0)
		return (0);
	m = regexec(&rx, slurp(path), 0, NULL, 0) == 0;
	regfree(&rx);
	return (m);
}

static void
path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

int
main(void)
{
	char	 logpath[PATH_MAX], moved[PATH_MAX], errpath[PATH_MAX];
	char	 re[256];
	int	 go[2], saved_err, errfd, status, i;
	pid_t	 child;
	char	 c;

	tap_no_plan();
	snprintf(dir, sizeof(dir), "%s/hydra-log-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	path_of(logpath, sizeof(logpath), "hydrad.log");
	path_of(moved, sizeof(moved), "hydrad.log.1");
	path_of(errpath, sizeof(errpath), "stderr");

	/* Standard error goes to a file, to see what the echo writes. */
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	saved_err = dup(STDERR_FILENO);
	if (errfd == -1 || saved_err == -1 ||
	    dup2(errfd, STDERR_FILENO) == -1) {
		perror(errpath);
		return (1);
	}
	close(errfd);

	log_init("log_test", 1, 0);
	log_procname("tester");
	ok(log_open_file(logpath) == 0, "log_open_file creates the file");
	log_info("first notice");
	snprintf(re, sizeof(re), "^%d:tester [0-9]{2} [A-Z][a-z]{2} "
	    "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} \\* first notice$",
	    (int)getpid());
	ok(matches(logpath, re), "a line carries the pid, the role, the time "
	    "and the mark of a notice");
	ok(!contains(errpath, "first notice"),
	    "with a log file, nothing goes to standard error");

	log_debug("hidden debug");
	ok(!contains(logpath, "hidden debug"), "notice hides debug lines");
	log_setlevel(LOG_LEVEL_VERBOSE);
	log_debug("verbose debug");
	ok(matches(logpath, " \\. verbose debug$"),
	    "verbose lets debug lines through, marked '.'");
	log_setlevel(LOG_LEVEL_WARNING);
	log_info("hidden notice");
	log_warnx("shown warning");
	ok(!contains(logpath, "hidden notice"), "warning hides notices");
	ok(matches(logpath, " # shown warning$"),
	    "warning keeps warnings, marked '#'");
	log_setverbose(-1);
	log_warnx("quiet warning");
	ok(!contains(logpath, "quiet warning"),
	    "verbose -1 (the old quiet setting) hides warnings");
	log_setlevel(LOG_LEVEL_NOTICE);

	log_echo_stderr(1);
	log_warnx("echoed warning");
	log_info("unechoed notice");
	log_echo_stderr(0);
	log_warnx("late warning");
	ok(contains(errpath, "echoed warning") &&
	    contains(logpath, "echoed warning"),
	    "while echoing, a warning goes to the file and standard error");
	ok(!contains(errpath, "unechoed notice"),
	    "the echo leaves notices out");
	ok(!contains(errpath, "late warning"), "the echo can be turned off");

	/* A child forked now, before the file is moved and reopened. */
	if (pipe(go) == -1) {
		perror("pipe");
		return (1);
	}
	if ((child = fork()) == -1) {
		perror("fork");
		return (1);
	}
	if (child == 0) {
		log_procname("child");
		log_info("child before");
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		log_info("child after");
		_exit(0);
	}
	close(go[0]);
	/* The child's first line is in before the file moves (5 s at most). */
	for (i = 0; i < 5000 && !contains(logpath, "child before"); i++)
		usleep(1000);
	ok(rename(logpath, moved) == 0, "the log file is moved away");
	ok(log_reopen() == 0, "log_reopen succeeds");
	log_info("parent after");
	(void)write(go[1], "", 1);
	close(go[1]);
	status = -1;
	waitpid(child, &status, 0);
	is_int(status, 0, "the child exits 0");
	ok(contains(logpath, "parent after"),
	    "the reopening process writes to the new file");
	ok(contains(logpath, "child after"),
	    "a child forked before the reopen writes to the new file");
	ok(!contains(moved, "parent after") && !contains(moved, "child after"),
	    "nothing more goes to the moved file");
	ok(contains(moved, "child before"),
	    "the moved file keeps the lines from before");
	ok(matches(logpath, "^[0-9]+:child .* \\* child after$"),
	    "the child's line names its own role");

	dup2(saved_err, STDERR_FILENO);
	close(saved_err);
	unlink(logpath);
	unlink(moved);
	unlink(errpath);
	rmdir(dir);
	return (tap_done());
}
