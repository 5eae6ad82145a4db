/*
 * testrequest.h: run one request against a client without a socket and
 * compare the reply bytes, for the unit tests of commands.
 *
 * Header-only, for tests; the includer includes tap.h first.
 */
#ifndef HYDRA_TESTREQUEST_H
#define HYDRA_TESTREQUEST_H

#include <stdarg.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/reply.h"

#define TESTREQUEST_MAXARGS	8

/*
 * Run one request of argc words and copy its reply bytes, NUL-ended and
 * cut to cap - 1, into out; returns their length.
 */
static inline size_t
test_request_argv(struct client *cl, char *out, size_t cap, int argc,
    const char *const *argv, const size_t *argvlen)
{
	const char	*data;
	size_t		 len;

	command_dispatch(cl, argc, argv, argvlen);
	data = reply_buf_data(&cl->cl_reply, &len);
	if (len >= cap)
		len = cap - 1;
	memcpy(out, data, len);
	out[len] = '\0';
	reply_buf_consume(&cl->cl_reply, len);
	return (len);
}

/*
 * Run one request given as NUL-terminated words (then a NULL) and return
 * the reply bytes, which stay valid until the next call.
 */
static inline const char *
test_request(struct client *cl, const char *first, ...)
{
	static char	 out[8192];
	const char	*argv[TESTREQUEST_MAXARGS];
	size_t		 argvlen[TESTREQUEST_MAXARGS];
	va_list		 ap;
	int		 argc = 0, i;

	va_start(ap, first);
	for (argv[0] = first; argv[argc] != NULL &&
	    argc < TESTREQUEST_MAXARGS - 1; )
		argv[++argc] = va_arg(ap, const char *);
	va_end(ap);
	for (i = 0; i < argc; i++)
		argvlen[i] = strlen(argv[i]);
	(void)test_request_argv(cl, out, sizeof(out), argc, argv, argvlen);
	return (out);
}

static inline int
is_reply(const char *got, const char *want, const char *what)
{
	int	 r = ok(strcmp(got, want) == 0, "%s", what);

	if (!r)
		diag("got \"%s\", want \"%s\"", got, want);
	return (r);
}

#endif /* HYDRA_TESTREQUEST_H */
