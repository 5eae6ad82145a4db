/*
 * crashpoint.c: the test hook behind the CRASHPOINT() macro.
 *
 * Private to the process that arms it (tests fork a child, arm it there and
 * let it run); takes no lock.  Kept small: a table of the names seen and
 * their hit counts, and one armed target.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hydra/crashpoint.h"

#define CRASHPOINT_MAX	128

int	 crashpoint_armed;

static struct {
	const char	*name;
	uint64_t	 hits;
} crashpoint_seen[CRASHPOINT_MAX];
static size_t	 crashpoint_nseen;
static uint64_t	 crashpoint_total;
static char	 crashpoint_target[64];
static uint64_t	 crashpoint_countdown;	/* 0: count only */

static void
crashpoint_reset(void)
{
	memset(crashpoint_seen, 0, sizeof(crashpoint_seen));
	crashpoint_nseen = 0;
	crashpoint_total = 0;
}

void
crashpoint_arm(const char *name, uint64_t countdown)
{
	crashpoint_reset();
	snprintf(crashpoint_target, sizeof(crashpoint_target), "%s", name);
	crashpoint_countdown = countdown;
	crashpoint_armed = 1;
}

void
crashpoint_count(void)
{
	crashpoint_arm("", 0);
}

void
crashpoint_disarm(void)
{
	crashpoint_armed = 0;
}

void
crashpoint_hit(const char *name)
{
	size_t	 i;

	for (i = 0; i < crashpoint_nseen; i++)
		if (crashpoint_seen[i].name == name ||
		    strcmp(crashpoint_seen[i].name, name) == 0)
			break;
	if (i == crashpoint_nseen && i < CRASHPOINT_MAX)
		crashpoint_seen[crashpoint_nseen++].name = name;
	if (i < CRASHPOINT_MAX)
		crashpoint_seen[i].hits++;
	crashpoint_total++;
	if (crashpoint_countdown == 0)
		return;
	if (strcmp(crashpoint_target, "any") != 0 &&
	    strcmp(crashpoint_target, name) != 0)
		return;
	if (--crashpoint_countdown == 0)
		kill(getpid(), SIGKILL);
}

uint64_t
crashpoint_hits(const char *name)
{
	size_t	 i;

	if (strcmp(name, "any") == 0)
		return (crashpoint_total);
	for (i = 0; i < crashpoint_nseen; i++)
		if (strcmp(crashpoint_seen[i].name, name) == 0)
			return (crashpoint_seen[i].hits);
	return (0);
}

int
crashpoint_enabled(void)
{
#ifdef HYDRA_CRASHPOINTS
	return (1);
#else
	return (0);
#endif
}
