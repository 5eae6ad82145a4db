/*
 * cmd_command.c: COMMAND and its subcommands COUNT, INFO, DOCS, LIST,
 * GETKEYS and HELP, answered from the command table (command.c) and the
 * documentation table (command_doc.c), in Redis 7.0's reply shapes.
 *
 * Run by workers.  Takes no locks: both tables are private and read-only.
 *
 * A subcommand ("config|get") is described inside its container, never on
 * its own in COMMAND's list; COMMAND INFO and DOCS describe it when it is
 * asked for by its full name.  Key positions come from the entry's
 * first, last and step, as one key spec: an index to begin with and a
 * range to find the keys.
 */
#include <stdio.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/glob.h"
#include "hydra/reply.h"

#include "command_internal.h"

/* Command flags, in the order Redis lists them. */
static const struct {
	int		 fn_flag;
	const char	*fn_name;
} cmd_command_flags[] = {
	{ CMD_WRITE, "write" },
	{ CMD_READONLY, "readonly" },
	{ CMD_DENYOOM, "denyoom" },
	{ CMD_ADMIN, "admin" },
	{ CMD_PUBSUB, "pubsub" },
	{ CMD_NOSCRIPT, "noscript" },
	{ CMD_BLOCKING, "blocking" },
	{ CMD_LOADING, "loading" },
	{ CMD_STALE, "stale" },
	{ CMD_SKIP_MONITOR, "skip_monitor" },
	{ CMD_SKIP_SLOWLOG, "skip_slowlog" },
	{ CMD_FAST, "fast" },
	{ CMD_NO_AUTH, "no_auth" },
	{ CMD_MAY_REPLICATE, "may_replicate" },
	{ CMD_SENTINEL, "sentinel" },
	{ CMD_NO_MANDATORY_KEYS, "no_mandatory_keys" },
	{ CMD_NO_MULTI, "no_multi" },
	{ CMD_ALLOW_BUSY, "allow_busy" },
	{ CMD_KEYNUM | CMD_MOVABLE, "movablekeys" },
};

static int
cmd_command_is_sub(const struct command *cmd)
{
	return (strchr(cmd->cmd_name, '|') != NULL);
}

/* Is sub a subcommand of parent? */
static int
cmd_command_sub_of(const struct command *sub, const struct command *parent)
{
	size_t	 n = strlen(parent->cmd_name);

	return (strncmp(sub->cmd_name, parent->cmd_name, n) == 0 &&
	    sub->cmd_name[n] == '|');
}

static long
cmd_command_nsubs(const struct command *parent)
{
	size_t	 i;
	long	 n = 0;

	if (!(parent->cmd_flags & CMD_CONTAINER))
		return (0);
	for (i = 0; i < command_count(); i++)
		if (cmd_command_sub_of(command_at(i), parent))
			n++;
	return (n);
}

typedef void	(*cmd_command_word_fn)(struct reply_buf *, const char *,
		    size_t);

/*
 * Call fn (unless it is NULL) on each word of text, split at blanks;
 * returns the number of words.
 */
static long
cmd_command_each(struct reply_buf *rb, const char *text,
    cmd_command_word_fn fn)
{
	const char	*p = text, *e;
	long		 n = 0;

	while (p != NULL && *p != '\0') {
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		if (fn != NULL)
			fn(rb, p, (size_t)(e - p));
		n++;
		p = *e != '\0' ? e + 1 : e;
	}
	return (n);
}

static void
cmd_command_put_bulk(struct reply_buf *rb, const char *s, size_t len)
{
	reply_bulk(rb, s, len);
}

static void
cmd_command_put_status(struct reply_buf *rb, const char *s, size_t len)
{
	reply_status_len(rb, s, len);
}

/* Key spec i's flags: the i-th of the ';'-separated lists in flags. */
static void
cmd_command_spec_flags(const char *flags, long i, char *buf, size_t size)
{
	const char	*p = flags, *e;
	size_t		 len;

	for (; i > 0 && (e = strchr(p, ';')) != NULL; i--)
		p = e + 1;
	len = (e = strchr(p, ';')) != NULL ? (size_t)(e - p) : strlen(p);
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
}

/* A key spec: its flags, where the search begins, how keys are found. */
static void
cmd_command_keyspec(struct reply_buf *rb, const char *flags, long index,
    int keynum, long lastkey, long step)
{
	reply_map_len(rb, 3);
	reply_bulk_cstr(rb, "flags");
	reply_set_len(rb, cmd_command_each(rb, flags, NULL));
	cmd_command_each(rb, flags, cmd_command_put_status);
	reply_bulk_cstr(rb, "begin_search");
	reply_map_len(rb, 2);
	reply_bulk_cstr(rb, "type");
	reply_bulk_cstr(rb, "index");
	reply_bulk_cstr(rb, "spec");
	reply_map_len(rb, 1);
	reply_bulk_cstr(rb, "index");
	reply_int(rb, index);
	reply_bulk_cstr(rb, "find_keys");
	reply_map_len(rb, 2);
	reply_bulk_cstr(rb, "type");
	reply_bulk_cstr(rb, keynum ? "keynum" : "range");
	reply_bulk_cstr(rb, "spec");
	reply_map_len(rb, 3);
	reply_bulk_cstr(rb, keynum ? "keynumidx" : "lastkey");
	reply_int(rb, keynum ? 0 : lastkey);
	reply_bulk_cstr(rb, keynum ? "firstkey" : "keystep");
	reply_int(rb, keynum ? 1 : step);
	reply_bulk_cstr(rb, keynum ? "keystep" : "limit");
	reply_int(rb, keynum ? 1 : 0);
}

/* A key spec whose keys no position tells (SORT's BY, GET and STORE). */
static void
cmd_command_keyspec_unknown(struct reply_buf *rb, const char *flags)
{
	int	 i;

	reply_map_len(rb, 3);
	reply_bulk_cstr(rb, "flags");
	reply_set_len(rb, cmd_command_each(rb, flags, NULL));
	cmd_command_each(rb, flags, cmd_command_put_status);
	for (i = 0; i < 2; i++) {
		reply_bulk_cstr(rb, i == 0 ? "begin_search" : "find_keys");
		reply_map_len(rb, 2);
		reply_bulk_cstr(rb, "type");
		reply_bulk_cstr(rb, "unknown");
		reply_bulk_cstr(rb, "spec");
		reply_map_len(rb, 0);
	}
}

/*
 * The key specs of an entry: one over its key positions, or, when its
 * documented flags are several lists separated by ';', one per key
 * position with those flags (LMOVE: the source, then the destination),
 * or a keynum spec (CMD_KEYNUM); then one "unknown" spec for each list
 * that starts with '*' (they come last).
 */
static void
cmd_command_keyspecs(struct reply_buf *rb, const struct command *cmd)
{
	const struct command_doc	*dc = command_doc_lookup(cmd->cmd_name);
	const char			*flags, *p;
	char				 buf[64];
	long				 i, n, known = 1, unknown = 0;

	if (dc != NULL && dc->dc_keyflags != NULL)
		flags = dc->dc_keyflags;
	else
		flags = cmd->cmd_flags & CMD_WRITE ? "RW update" : "RO access";
	for (p = flags; (p = strchr(p, ';')) != NULL; p++)
		if (p[1] == '*')
			unknown++;
		else
			known++;
	if (cmd->cmd_flags & CMD_KEYNUM) {
		reply_set_len(rb, 1 + unknown);
		cmd_command_spec_flags(flags, 0, buf, sizeof(buf));
		cmd_command_keyspec(rb, buf, 1, 1, 0, 0);
	} else if (cmd->cmd_first_key <= 0)
		reply_set_len(rb, unknown);
	else if (known == 1) {
		cmd_command_spec_flags(flags, 0, buf, sizeof(buf));
		reply_set_len(rb, 1 + unknown);
		cmd_command_keyspec(rb, buf, cmd->cmd_first_key, 0,
		    cmd->cmd_last_key < 0 ? cmd->cmd_last_key :
		    cmd->cmd_last_key - cmd->cmd_first_key, cmd->cmd_key_step);
	} else {
		n = (cmd->cmd_last_key - cmd->cmd_first_key) /
		    cmd->cmd_key_step + 1;
		reply_set_len(rb, n + unknown);
		for (i = 0; i < n; i++) {
			cmd_command_spec_flags(flags, i, buf, sizeof(buf));
			cmd_command_keyspec(rb, buf, cmd->cmd_first_key +
			    i * cmd->cmd_key_step, 0, 0, 1);
		}
	}
	for (i = known; i < known + unknown; i++) {
		cmd_command_spec_flags(flags, i, buf, sizeof(buf));
		cmd_command_keyspec_unknown(rb, buf + 1);
	}
}

static void
cmd_command_info_one(struct reply_buf *rb, const struct command *cmd)
{
	const struct command_doc	*dc = command_doc_lookup(cmd->cmd_name);
	const char			*tips = dc != NULL ? dc->dc_tips : NULL;
	size_t				 i;
	long				 n;
	int				 acl = command_acl(cmd);

	reply_array_len(rb, 10);
	reply_bulk_cstr(rb, cmd->cmd_name);
	reply_int(rb, cmd->cmd_arity);
	for (i = 0, n = 0; i < nitems(cmd_command_flags); i++)
		if (cmd->cmd_flags & cmd_command_flags[i].fn_flag)
			n++;
	reply_set_len(rb, n);
	for (i = 0; i < nitems(cmd_command_flags); i++)
		if (cmd->cmd_flags & cmd_command_flags[i].fn_flag)
			reply_status(rb, cmd_command_flags[i].fn_name);
	reply_int(rb, cmd->cmd_first_key);
	reply_int(rb, cmd->cmd_last_key);
	reply_int(rb, cmd->cmd_key_step);
	for (i = 0, n = 0; command_acl_name((int)i) != NULL; i++)
		if (acl & (1 << i))
			n++;
	reply_set_len(rb, n);
	for (i = 0; command_acl_name((int)i) != NULL; i++)
		if (acl & (1 << i)) {
			char	 cat[32];

			snprintf(cat, sizeof(cat), "@%s",
			    command_acl_name((int)i));
			reply_status(rb, cat);
		}
	reply_set_len(rb, cmd_command_each(rb, tips, NULL));
	cmd_command_each(rb, tips, cmd_command_put_bulk);
	cmd_command_keyspecs(rb, cmd);
	reply_set_len(rb, cmd_command_nsubs(cmd));
	for (i = 0; (cmd->cmd_flags & CMD_CONTAINER) && i < command_count();
	    i++)
		if (cmd_command_sub_of(command_at(i), cmd))
			cmd_command_info_one(rb, command_at(i));
}

static long
cmd_command_ntop(void)
{
	size_t	 i;
	long	 n = 0;

	for (i = 0; i < command_count(); i++)
		if (!cmd_command_is_sub(command_at(i)))
			n++;
	return (n);
}

/* COMMAND: every command but subcommands, which their containers hold. */
static void
cmd_command(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	size_t	 i;

	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_array_len(&cl->cl_reply, cmd_command_ntop());
	for (i = 0; i < command_count(); i++)
		if (!cmd_command_is_sub(command_at(i)))
			cmd_command_info_one(&cl->cl_reply, command_at(i));
}

static void
cmd_command_count(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_int(&cl->cl_reply, cmd_command_ntop());
}

static void
cmd_command_info(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;
	int			 i;

	if (argc == 2) {
		cmd_command(cl, argc, argv, argvlen);
		return;
	}
	reply_array_len(&cl->cl_reply, argc - 2);
	for (i = 2; i < argc; i++) {
		if ((cmd = command_lookup(argv[i], argvlen[i])) == NULL)
			reply_null(&cl->cl_reply);
		else
			cmd_command_info_one(&cl->cl_reply, cmd);
	}
}

/* One "[?]name:type[...][@TOKEN]" argument of COMMAND DOCS. */
static void
cmd_command_docs_arg(struct reply_buf *rb, const char *w, size_t len)
{
	const char	*colon, *dots, *at, *end = w + len, *tend;
	int		 optional = 0, multiple, key;

	if (len > 0 && w[0] == '?') {
		optional = 1;
		w++;
	}
	if ((colon = memchr(w, ':', (size_t)(end - w))) == NULL)
		colon = end;
	at = memchr(colon, '@', (size_t)(end - colon));
	tend = at != NULL ? at : end;
	dots = tend - colon >= 3 && memcmp(tend - 3, "...", 3) == 0 ?
	    tend - 3 : NULL;
	multiple = dots != NULL;
	if (dots != NULL)
		tend = dots;
	key = tend - colon == 4 && memcmp(colon, ":key", 4) == 0;
	reply_map_len(rb, 2 + key + (at != NULL) + (optional || multiple));
	reply_bulk_cstr(rb, "name");
	reply_bulk(rb, w, (size_t)(colon - w));
	reply_bulk_cstr(rb, "type");
	reply_bulk(rb, colon < tend ? colon + 1 : colon,
	    colon < tend ? (size_t)(tend - colon - 1) : 0);
	if (key) {
		reply_bulk_cstr(rb, "key_spec_index");
		reply_int(rb, 0);
	}
	if (at != NULL) {
		reply_bulk_cstr(rb, "token");
		reply_bulk(rb, at + 1, (size_t)(end - at - 1));
	}
	if (optional || multiple) {
		reply_bulk_cstr(rb, "flags");
		reply_set_len(rb, optional + multiple);
		if (optional)
			reply_status(rb, "optional");
		if (multiple)
			reply_status(rb, "multiple");
	}
}

static void
cmd_command_docs_one(struct reply_buf *rb, const struct command *cmd)
{
	const struct command_doc	*dc = command_doc_lookup(cmd->cmd_name);
	long				 nsubs = cmd_command_nsubs(cmd);
	long				 n = 0;
	size_t				 i;

	reply_bulk_cstr(rb, cmd->cmd_name);
	if (dc != NULL)
		n = (dc->dc_complexity != NULL ? 4 : 3) + (dc->dc_args != NULL);
	reply_map_len(rb, n + (nsubs > 0));
	if (dc != NULL) {
		reply_bulk_cstr(rb, "summary");
		reply_bulk_cstr(rb, dc->dc_summary);
		reply_bulk_cstr(rb, "since");
		reply_bulk_cstr(rb, dc->dc_since);
		reply_bulk_cstr(rb, "group");
		reply_bulk_cstr(rb, dc->dc_group);
		if (dc->dc_complexity != NULL) {
			reply_bulk_cstr(rb, "complexity");
			reply_bulk_cstr(rb, dc->dc_complexity);
		}
		if (dc->dc_args != NULL) {
			reply_bulk_cstr(rb, "arguments");
			reply_array_len(rb, cmd_command_each(rb, dc->dc_args,
			    NULL));
			cmd_command_each(rb, dc->dc_args, cmd_command_docs_arg);
		}
	}
	if (nsubs == 0)
		return;
	reply_bulk_cstr(rb, "subcommands");
	reply_map_len(rb, nsubs);
	for (i = 0; i < command_count(); i++)
		if (cmd_command_sub_of(command_at(i), cmd))
			cmd_command_docs_one(rb, command_at(i));
}

/* COMMAND DOCS [name ...]: unknown names are left out. */
static void
cmd_command_docs(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;
	size_t			 i;
	long			 n = 0;
	int			 j;

	if (argc == 2) {
		reply_map_len(&cl->cl_reply, cmd_command_ntop());
		for (i = 0; i < command_count(); i++)
			if (!cmd_command_is_sub(command_at(i)))
				cmd_command_docs_one(&cl->cl_reply,
				    command_at(i));
		return;
	}
	for (j = 2; j < argc; j++)
		if (command_lookup(argv[j], argvlen[j]) != NULL)
			n++;
	reply_map_len(&cl->cl_reply, n);
	for (j = 2; j < argc; j++)
		if ((cmd = command_lookup(argv[j], argvlen[j])) != NULL)
			cmd_command_docs_one(&cl->cl_reply, cmd);
}

/*
 * COMMAND LIST [FILTERBY MODULE name | ACLCAT cat | PATTERN glob]: names,
 * subcommands included.
 */
static void
cmd_command_list(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;
	const char		*cat;
	size_t			 i;
	long			 handle, n = 0;
	int			 by = 0, bit = 0, c;

	if (argc != 2 && (argc != 5 || !command_arg_is(argv[2], argvlen[2],
	    "filterby"))) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (argc == 5) {
		if (command_arg_is(argv[3], argvlen[3], "module"))
			by = 1;
		else if (command_arg_is(argv[3], argvlen[3], "aclcat")) {
			by = 2;
			for (c = 0; (cat = command_acl_name(c)) != NULL; c++)
				if (command_arg_is(argv[4], argvlen[4], cat))
					bit = 1 << c;
		} else if (command_arg_is(argv[3], argvlen[3], "pattern"))
			by = 3;
		else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}
	handle = reply_deferred_len(&cl->cl_reply);
	for (i = 0; by != 1 && i < command_count(); i++) {
		cmd = command_at(i);
		if (by == 2 && !(command_acl(cmd) & bit))
			continue;
		if (by == 3 && !glob_match(argv[4], argvlen[4], cmd->cmd_name,
		    strlen(cmd->cmd_name), 1))
			continue;
		reply_bulk_cstr(&cl->cl_reply, cmd->cmd_name);
		n++;
	}
	reply_set_deferred_array(&cl->cl_reply, handle, n);
}

/*
 * SORT's keys: the key to sort, and the destination of its last STORE.
 * Options are skipped with their arguments (LIMIT two, BY and GET one),
 * as Redis skips them; a STORE is seen even where an argument stands.
 */
static void
cmd_command_getkeys_sort(struct client *cl, int argc,
    const char *const *argv, const size_t *argvlen)
{
	int	 i, store = 0;

	for (i = 2; i < argc; i++)
		if (command_arg_is(argv[i], argvlen[i], "limit"))
			i += 2;
		else if (command_arg_is(argv[i], argvlen[i], "get") ||
		    command_arg_is(argv[i], argvlen[i], "by"))
			i += 1;
		else if (command_arg_is(argv[i], argvlen[i], "store") &&
		    i + 1 < argc)
			store = i + 1;
	reply_array_len(&cl->cl_reply, store != 0 ? 2 : 1);
	reply_bulk(&cl->cl_reply, argv[1], argvlen[1]);
	if (store != 0)
		reply_bulk(&cl->cl_reply, argv[store], argvlen[store]);
}

/* COMMAND GETKEYS command arg ...: the keys by the entry's positions. */
static void
cmd_command_getkeys(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd, *parent;
	const char *const	*cargv = argv + 2;
	const size_t		*clen = argvlen + 2;
	int			 cargc = argc - 2, last, i, n;
	long long		 numkeys;

	if ((cmd = command_resolve(cargc, cargv, clen, &parent)) == NULL) {
		reply_error(&cl->cl_reply, "Invalid command specified");
		return;
	}
	if ((cmd->cmd_arity > 0 && cmd->cmd_arity != cargc) ||
	    cargc < -cmd->cmd_arity) {
		reply_error(&cl->cl_reply, "Invalid number of arguments "
		    "specified for command");
		return;
	}
	if (cmd->cmd_flags & CMD_KEYNUM) {
		if (command_parse_ll(cargv[1], clen[1], &numkeys) == -1 ||
		    numkeys <= 0 || numkeys > cargc - 2) {
			reply_error(&cl->cl_reply, "Invalid arguments "
			    "specified for command");
			return;
		}
		reply_array_len(&cl->cl_reply, (long)numkeys);
		for (i = 2; i < 2 + numkeys; i++)
			reply_bulk(&cl->cl_reply, cargv[i], clen[i]);
		return;
	}
	if (strcmp(cmd->cmd_name, "sort") == 0) {
		cmd_command_getkeys_sort(cl, cargc, cargv, clen);
		return;
	}
	if (cmd->cmd_first_key <= 0) {
		reply_error(&cl->cl_reply, "The command has no key arguments");
		return;
	}
	last = cmd->cmd_last_key < 0 ? cargc + cmd->cmd_last_key :
	    cmd->cmd_last_key;
	for (i = cmd->cmd_first_key, n = 0; i <= last && i < cargc;
	    i += cmd->cmd_key_step)
		n++;
	reply_array_len(&cl->cl_reply, n);
	for (i = cmd->cmd_first_key; i <= last && i < cargc;
	    i += cmd->cmd_key_step)
		reply_bulk(&cl->cl_reply, cargv[i], clen[i]);
}

static void
cmd_command_help(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	static const char *const lines[] = {
		"(no subcommand)",
		"    Describe every command.",
		"COUNT",
		"    The number of commands.",
		"INFO [<command-name> ...]",
		"    Describe the named commands, or every command.",
		"DOCS [<command-name> ...]",
		"    Document the named commands, or every command.",
		("LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|"
		    "PATTERN <pattern>)]"),
		"    Name every command, or those that pass the filter.",
		"GETKEYS <full-command>",
		"    The keys of a full command line.",
	};

	(void)argc;
	(void)argv;
	(void)argvlen;
	command_reply_help(cl, "COMMAND", lines, nitems(lines));
}

static const struct command cmd_command_commands[] = {
	{ "command",	-1,	CMD_CONTAINER | CMD_LOADING | CMD_STALE,
	    0, 0, 0, cmd_command },
	{ "command|count", 2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_count },
	{ "command|docs", -2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_docs },
	{ "command|getkeys", -4, CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_getkeys },
	{ "command|help", 2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_help },
	{ "command|info", -2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_info },
	{ "command|list", -2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_command_list },
};

const struct command_family cmd_command_family = {
	cmd_command_commands, nitems(cmd_command_commands)
};
