/*
 * auth.h: who must authenticate before running commands, and the check
 * of a user name and password.
 *
 * hydra has one user, "default", whose password is requirepass, as in
 * Redis 7.0 without ACL files.  A client that connects while requirepass
 * is set must AUTH (or HELLO ... AUTH) before anything else; one that
 * connected while it was empty stays trusted, and emptying it trusts
 * everyone, as in Redis.
 *
 * Run by workers; takes no locks (the password is in the worker's
 * private copy of the configuration).
 */
#ifndef HYDRA_AUTH_H
#define HYDRA_AUTH_H

#include <stddef.h>

struct client;

#define AUTH_ERR_NOAUTH	"-NOAUTH Authentication required."

/* Is a password set for the default user?  1 or 0. */
int	 auth_password_set(const struct client *);

/* Must this client authenticate before running commands?  1 or 0. */
int	 auth_required(const struct client *);

/*
 * Check a user name (NULL: "default") and a password.  On success the
 * client is authenticated and 0 is returned; -1 otherwise, and the
 * client's state is unchanged.  Without a password, the default user
 * takes any password.
 */
int	 auth_check(struct client *, const char *user, size_t userlen,
	    const char *pass, size_t passlen);

#endif /* HYDRA_AUTH_H */
