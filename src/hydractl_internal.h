/*
 * hydractl_internal.h: what the files of the administration tool share
 * (hydractl.c, the command table and the arena commands; hydractl_json.c,
 * the JSON export and import).
 *
 * Run by hydractl only.
 */
#ifndef HYDRA_HYDRACTL_INTERNAL_H
#define HYDRA_HYDRACTL_INTERNAL_H

#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

/* Exit status: see the top of hydractl.c. */
#define CTL_EXIT_OK		0
#define CTL_EXIT_PROBLEM	1
#define CTL_EXIT_NOARENA	2

/* Attach to a hydra arena (of any size); -1, reported, when we cannot. */
int	 ctl_attach(const char *name, struct arena *, struct keyspace *);
/* A command's own usage line, and the exit status of a usage error. */
int	 ctl_usage(const char *cmd);
/* The wall clock in milliseconds, as expiry times count it. */
const char *ctl_plural(uint64_t);

/* export --json FILE, import [--replace] [--config FILE] --json FILE. */
int	 ctl_export(const char *arena, int argc, char *argv[]);
int	 ctl_import(const char *arena, int argc, char *argv[]);

#endif /* HYDRA_HYDRACTL_INTERNAL_H */
