/*
 * command.c: the command table, gathered from the families, and the
 * dispatcher that checks a request against it.
 *
 * Run by workers.  Takes no locks itself; the handlers it calls take the
 * stripe locks of their keys.
 *
 * The table is an array sorted by name, built once by command_init() in
 * each worker, and searched by binary search on the lower-cased name.
 * The errors for an unknown command and a wrong arity are Redis 7.0's,
 * byte for byte: names and arguments are cut at 128 bytes (and at a NUL,
 * as Redis's printf cuts them), and CR and LF become spaces.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/client.h"
#include "hydra/compat.h"
#include "hydra/command.h"
#include "hydra/reply.h"

#include "command_internal.h"

#define COMMAND_NAME_MAX	64	/* longer names are unknown */
#define COMMAND_ERR_ARGS	128	/* Redis's cut for the echoed words */

static const struct command_family *const command_families[] = {
	&cmd_connection_family,
	&cmd_string_family,
	&cmd_keys_family,
};

static const struct command	**command_table;
static size_t			  command_ntable;

static int
command_cmp(const void *a, const void *b)
{
	const struct command *const	*ca = a, *const *cb = b;

	return (strcmp((*ca)->cmd_name, (*cb)->cmd_name));
}

int
command_init(void)
{
	size_t	 i, j, n = 0;

	if (command_table != NULL)
		return (0);
	for (i = 0; i < nitems(command_families); i++)
		n += command_families[i]->cf_count;
	if ((command_table = calloc(n, sizeof(*command_table))) == NULL)
		return (-1);
	for (i = 0; i < nitems(command_families); i++)
		for (j = 0; j < command_families[i]->cf_count; j++)
			command_table[command_ntable++] =
			    &command_families[i]->cf_commands[j];
	qsort(command_table, command_ntable, sizeof(*command_table),
	    command_cmp);
	return (0);
}

size_t
command_count(void)
{
	return (command_ntable);
}

const struct command *
command_lookup(const char *name, size_t len)
{
	char	 lower[COMMAND_NAME_MAX + 1];
	size_t	 i, lo, hi, mid;
	int	 c;

	if (len > COMMAND_NAME_MAX)
		return (NULL);
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[len] = '\0';
	if (memchr(name, '\0', len) != NULL)
		return (NULL);
	lo = 0;
	hi = command_ntable;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(lower, command_table[mid]->cmd_name);
		if (c == 0)
			return (command_table[mid]);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

/*
 * Append at most `max' bytes of s[0..len), stopping at a NUL as printf's
 * "%.*s" does, to buf at *pos (bounded by cap), with CR and LF made
 * spaces as Redis's rejectCommandFormat() makes them.
 */
static void
command_err_append(char *buf, size_t cap, size_t *pos, const char *s,
    size_t len, size_t max)
{
	size_t	 i;

	for (i = 0; i < len && i < max && s[i] != '\0' && *pos < cap; i++)
		buf[(*pos)++] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
}

static void
command_reply_unknown(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	char	 buf[64 + 2 * COMMAND_ERR_ARGS + 4 * COMMAND_ERR_ARGS];
	size_t	 pos = 0, argstart;
	int	 i;

#define LIT(s)	command_err_append(buf, sizeof(buf), &pos, (s), \
		    sizeof(s) - 1, sizeof(s))
	LIT("unknown command '");
	command_err_append(buf, sizeof(buf), &pos, argv[0], argvlen[0],
	    COMMAND_ERR_ARGS);
	LIT("', with args beginning with: ");
	argstart = pos;
	for (i = 1; i < argc && pos - argstart < COMMAND_ERR_ARGS; i++) {
		LIT("'");
		/* Redis's precision: 128 less what the list holds already. */
		command_err_append(buf, sizeof(buf), &pos, argv[i],
		    argvlen[i], COMMAND_ERR_ARGS - (pos - 1 - argstart));
		LIT("' ");
	}
#undef LIT
	reply_error_len(&cl->cl_reply, buf, pos);
}

void
command_reply_arity(struct client *cl, const char *name)
{
	reply_errorf(&cl->cl_reply,
	    "wrong number of arguments for '%s' command", name);
}

void
command_dispatch(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;

	cmd = command_lookup(argv[0], argvlen[0]);
	if (cmd == NULL) {
		command_reply_unknown(cl, argc, argv, argvlen);
		return;
	}
	if ((cmd->cmd_arity > 0 && cmd->cmd_arity != argc) ||
	    argc < -cmd->cmd_arity) {
		command_reply_arity(cl, cmd->cmd_name);
		return;
	}
	cmd->cmd_proc(cl, argc, argv, argvlen);
}

int
command_parse_ll(const char *s, size_t len, long long *out)
{
	unsigned long long	 v = 0, limit;
	size_t			 i = 0;
	int			 neg = 0;

	if (len == 0 || len > 20)
		return (-1);
	if (len == 1 && s[0] == '0') {
		*out = 0;
		return (0);
	}
	if (s[0] == '-') {
		neg = 1;
		if (++i == len)
			return (-1);
	}
	if (s[i] < '1' || s[i] > '9')
		return (-1);
	limit = neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		if (v > (limit - (unsigned long long)(s[i] - '0')) / 10)
			return (-1);
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)v;
	else
		*out = (long long)v;
	return (0);
}

int64_t
command_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
command_arg_is(const char *arg, size_t len, const char *w)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (w[i] == '\0' || tolower((unsigned char)arg[i]) != w[i])
			return (0);
	return (w[len] == '\0');
}
