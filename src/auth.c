/*
 * auth.c: the default user's password and the gate that keeps clients
 * that have not authenticated away from the commands.
 *
 * Run by workers.  Takes no locks: requirepass is read from the worker's
 * private copy of the configuration, which CONFIG SET keeps current.
 *
 * The dispatcher asks auth_required() after it has found the command
 * and checked its arity (Redis 7.0 reports unknown commands, unknown
 * subcommands and wrong arities before NOAUTH), and refuses commands
 * without CMD_NO_AUTH with AUTH_ERR_NOAUTH.
 */
#include <stddef.h>
#include <string.h>

#include "hydra/auth.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/config.h"
#include "hydra/reply.h"
#include "hydra/worker.h"


static const char *
auth_password(const struct client *cl)
{
	const char	*pass;

	if (cl->cl_worker == NULL)
		return ("");
	pass = worker_config(cl->cl_worker)->cf_requirepass;
	return (pass == NULL ? "" : pass);
}

int
auth_password_set(const struct client *cl)
{
	return (auth_password(cl)[0] != '\0');
}

int
auth_required(const struct client *cl)
{
	return (!cl->cl_authenticated && auth_password_set(cl));
}

/*
 * Compare a[0..alen) with the C string b in a time that depends on the
 * lengths only, so that a wrong password says nothing of the right one.
 */
static int
auth_equal(const char *a, size_t alen, const char *b)
{
	size_t		 blen = strlen(b), i, n;
	unsigned char	 diff;

	diff = alen != blen;
	n = alen > blen ? alen : blen;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)((i < alen ? a[i] : 0) ^
		    (i < blen ? b[i] : 0));
	return (diff == 0);
}

int
auth_check(struct client *cl, const char *user, size_t userlen,
    const char *pass, size_t passlen)
{
	if (user != NULL && (userlen != 7 || memcmp(user, "default", 7) != 0))
		return (-1);
	if (auth_password_set(cl) &&
	    !auth_equal(pass, passlen, auth_password(cl)))
		return (-1);
	cl->cl_authenticated = 1;
	return (0);
}
