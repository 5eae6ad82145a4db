/*
 * crashpoint.h: named places where a test may kill the running process.
 *
 * CRASHPOINT(name) marks one step of a crash-safe mutation.  In a normal
 * build it compiles to nothing.  Built with -DHYDRA_CRASHPOINTS (the test
 * and sanitizer builds), a test can arm one crash point, or "any", with a
 * countdown: the process SIGKILLs itself at that hit.  Names are bare
 * identifiers so that the build can list every crash point in the tree.
 */
#ifndef HYDRA_CRASHPOINT_H
#define HYDRA_CRASHPOINT_H

#include <stdint.h>

#ifdef HYDRA_CRASHPOINTS
extern int	 crashpoint_armed;
void		 crashpoint_hit(const char *name);
#define CRASHPOINT(name)						\
	do {								\
		if (crashpoint_armed)					\
			crashpoint_hit(#name);				\
	} while (0)
#else
#define CRASHPOINT(name)	do { } while (0)
#endif

/*
 * Arm: kill this process at the `countdown'th hit (1 = the first) of the
 * crash point `name', or of any crash point when name is "any".
 */
void	 crashpoint_arm(const char *name, uint64_t countdown);

/* Count hits without killing (to learn which points a workload reaches). */
void	 crashpoint_count(void);
void	 crashpoint_disarm(void);

/* Hits of `name' since the last arm or count ("any" for all). */
uint64_t crashpoint_hits(const char *name);

/* Is this a build with crash points compiled in? */
int	 crashpoint_enabled(void);

#endif /* HYDRA_CRASHPOINT_H */
