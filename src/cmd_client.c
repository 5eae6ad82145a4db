/*
 * cmd_client.c: the CLIENT command: ID, GETNAME, SETNAME, SETINFO, INFO,
 * LIST, KILL, UNBLOCK, NO-EVICT, REPLY, HELP, and what Redis answers
 * about client-side caching while there is none (GETREDIR, TRACKINGINFO,
 * CACHING).  PAUSE, UNPAUSE and TRACKING are unknown subcommands here.
 *
 * Run by workers.  Takes no locks: a worker's own clients are in its
 * private memory, and those of the other workers are read from the
 * scoreboard through each entry's seqlock.
 *
 * LIST and KILL see every client of the daemon.  A worker describes its
 * own clients from their private state and the others from their
 * scoreboard entries, which their workers rewrite after every read, so
 * the numbers of a client on another worker are as of its last request
 * (and a name past SB_NAME_MAX bytes is cut).  Clients are listed in the
 * order of their ids, which is the order in which they connected.
 *
 * A line has Redis 7.0's fields in Redis's order.  The buffer fields are
 * hydra's own measures under Redis's names: qbuf and qbuf-free are the
 * query buffer's bytes held and free; the first REPLY_BUF_CHUNK bytes of
 * pending reply are obl (rbs is that chunk, rbp what it holds), the rest
 * omem, in oll chunks; tot-mem adds the client's buffers and arguments.
 * sub, psub, ssub and multi are 0 and -1 until pub/sub and MULTI exist;
 * user is always "default".
 *
 * KILL closes a client of this worker before the worker next waits for
 * events (or after the reply, for the caller itself); for a client of
 * another worker it records the request on the scoreboard and wakes that
 * worker, which closes the client within milliseconds.  The reply
 * counts both.
 *
 * SETINFO and the lib-name and lib-ver fields of LIST are Redis 7.2's:
 * Redis 7.0 has neither, and answers SETINFO with its unknown subcommand
 * error.  Clients send SETINFO on connection and ignore that error, so
 * accepting it costs them nothing and lets LIST show the library.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/reply.h"
#include "hydra/scoreboard.h"
#include "hydra/worker.h"

#include "cmd_connection_internal.h"
#include "command_internal.h"

/* A client to list or kill: its description, and where it lives. */
struct cmd_client_entry {
	struct sb_client	 ce_sc;
	const char		*ce_name;	/* the full name of our own */
	struct client		*ce_own;	/* NULL: another worker's */
	int			 ce_worker;
	int			 ce_index;
};

struct cmd_client_set {
	struct cmd_client_entry	*cs_entry;
	size_t			 cs_n;
	size_t			 cs_cap;
	int			 cs_failed;
};

/* A growing text buffer. */
struct cmd_client_text {
	char	*ct_buf;
	size_t	 ct_len;
	size_t	 ct_cap;
	int	 ct_failed;
};

static const char *const cmd_client_help_text[] = {
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in "
	    "OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is "
	    "enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
};

static void
cmd_client_text_printf(struct cmd_client_text *ct, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
cmd_client_text_printf(struct cmd_client_text *ct, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 cap;
	char	*p;
	int	 n;

	if (ct->ct_failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(ct->ct_buf == NULL ? NULL : ct->ct_buf +
		    ct->ct_len, ct->ct_cap - ct->ct_len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			ct->ct_failed = 1;
			return;
		}
		if ((size_t)n < ct->ct_cap - ct->ct_len) {
			ct->ct_len += (size_t)n;
			return;
		}
		cap = ct->ct_cap == 0 ? 1024 : ct->ct_cap * 2;
		while (cap - ct->ct_len <= (size_t)n)
			cap *= 2;
		if ((p = realloc(ct->ct_buf, cap)) == NULL) {
			ct->ct_failed = 1;
			return;
		}
		ct->ct_buf = p;
		ct->ct_cap = cap;
	}
}

/* One line of CLIENT LIST, with its newline. */
static void
cmd_client_format(struct cmd_client_text *ct, const struct sb_client *sc,
    const char *name, int64_t now)
{
	int64_t		 age, idle;
	uint64_t	 oll;

	age = (now - sc->sc_created_ms) / 1000;
	idle = (now - sc->sc_last_ms) / 1000;
	oll = (sc->sc_omem + REPLY_BUF_CHUNK - 1) / REPLY_BUF_CHUNK;
	cmd_client_text_printf(ct, "id=%llu addr=%s laddr=%s fd=%d name=%s "
	    "age=%lld idle=%lld flags=%s db=%d sub=0 psub=0 ssub=0 "
	    "multi=-1 qbuf=%llu qbuf-free=%llu argv-mem=%llu multi-mem=0 "
	    "rbs=%d rbp=%llu obl=%llu oll=%llu omem=%llu tot-mem=%llu "
	    "events=%s cmd=%s user=default redir=-1 resp=%d "
	    "lib-name=%s lib-ver=%s\n",
	    (unsigned long long)sc->sc_id, sc->sc_addr, sc->sc_laddr,
	    (int)sc->sc_fd, name != NULL ? name : sc->sc_name,
	    (long long)(age > 0 ? age : 0), (long long)(idle > 0 ? idle : 0),
	    sc->sc_flags, (int)sc->sc_db,
	    (unsigned long long)sc->sc_qbuf,
	    (unsigned long long)sc->sc_qbuf_free,
	    (unsigned long long)sc->sc_argv_mem, REPLY_BUF_CHUNK,
	    (unsigned long long)sc->sc_obl, (unsigned long long)sc->sc_obl,
	    (unsigned long long)oll, (unsigned long long)sc->sc_omem,
	    (unsigned long long)sc->sc_tot_mem,
	    sc->sc_obl + sc->sc_omem > 0 ? "rw" : "r",
	    sc->sc_cmd[0] != '\0' ? sc->sc_cmd : "NULL", (int)sc->sc_resp,
	    sc->sc_lib_name, sc->sc_lib_ver);
}

/* Describe one of our own clients as the scoreboard would. */
static void
cmd_client_own(struct cmd_client_entry *ce, struct client *cl)
{
	memset(ce, 0, sizeof(*ce));
	client_describe(cl, &ce->ce_sc, 1);
	ce->ce_sc.sc_id = cl->cl_id;
	ce->ce_name = cl->cl_name != NULL ? cl->cl_name : "";
	ce->ce_own = cl;
	ce->ce_worker = cl->cl_worker != NULL ?
	    worker_index(cl->cl_worker) : 0;
	ce->ce_index = cl->cl_fd;
}

static struct cmd_client_entry *
cmd_client_set_add(struct cmd_client_set *set)
{
	struct cmd_client_entry	*p;
	size_t			 cap;

	if (set->cs_failed)
		return (NULL);
	if (set->cs_n == set->cs_cap) {
		cap = set->cs_cap == 0 ? 16 : set->cs_cap * 2;
		if ((p = reallocarray(set->cs_entry, cap,
		    sizeof(*p))) == NULL) {
			set->cs_failed = 1;
			return (NULL);
		}
		set->cs_entry = p;
		set->cs_cap = cap;
	}
	return (&set->cs_entry[set->cs_n++]);
}

static int
cmd_client_cmp(const void *a, const void *b)
{
	const struct cmd_client_entry	*ea = a, *eb = b;

	if (ea->ce_sc.sc_id != eb->ce_sc.sc_id)
		return (ea->ce_sc.sc_id < eb->ce_sc.sc_id ? -1 : 1);
	return (0);
}

/*
 * Every client of the daemon, by id: this worker's from their private
 * state (the caller's own alone outside a worker), the others' from the
 * scoreboard.  Clients being closed by CLIENT KILL are left out.  0, or
 * -1 when out of memory.
 */
static int
cmd_client_gather(struct client *self, struct cmd_client_set *set)
{
	struct client *const	*own;
	struct cmd_client_entry	*ce;
	struct scoreboard	*sb;
	struct sb_client	 sc;
	int			 n, i, wi, self_index, slots;

	memset(set, 0, sizeof(*set));
	if (self->cl_worker == NULL) {
		if ((ce = cmd_client_set_add(set)) != NULL)
			cmd_client_own(ce, self);
		return (set->cs_failed ? -1 : 0);
	}
	own = worker_clients(self->cl_worker, &n);
	for (i = 0; i < n; i++) {
		if (own[i] == NULL || (own[i]->cl_flags & CLIENT_F_CLOSE_ASAP))
			continue;
		if ((ce = cmd_client_set_add(set)) == NULL)
			break;
		cmd_client_own(ce, own[i]);
	}
	sb = worker_scoreboard(self->cl_worker);
	self_index = worker_index(self->cl_worker);
	slots = scoreboard_client_slots(sb);
	for (wi = 0; wi < scoreboard_workers(sb); wi++) {
		if (wi == self_index)
			continue;
		for (i = 0; i < slots; i++) {
			if (!scoreboard_client_read(sb, wi, i, &sc) ||
			    sc.sc_kill == sc.sc_id)
				continue;
			if ((ce = cmd_client_set_add(set)) == NULL)
				break;
			memset(ce, 0, sizeof(*ce));
			ce->ce_sc = sc;
			ce->ce_worker = wi;
			ce->ce_index = i;
		}
	}
	if (set->cs_failed) {
		free(set->cs_entry);
		return (-1);
	}
	qsort(set->cs_entry, set->cs_n, sizeof(*set->cs_entry),
	    cmd_client_cmp);
	return (0);
}

/* Reply a text as Redis replies CLIENT LIST: verbatim in RESP3. */
static void
cmd_client_reply_text(struct client *cl, struct cmd_client_text *ct)
{
	if (ct->ct_failed)
		reply_error(&cl->cl_reply, "-ERR out of memory");
	else
		reply_verbatim(&cl->cl_reply, ct->ct_buf == NULL ? "" :
		    ct->ct_buf, ct->ct_len, "txt");
	free(ct->ct_buf);
}

/* The client types of Redis: 0 normal, 1 one we never have, -1 none. */
static int
cmd_client_type(const char *s, size_t len)
{
	if (command_arg_is(s, len, "normal"))
		return (0);
	if (command_arg_is(s, len, "master") ||
	    command_arg_is(s, len, "replica") ||
	    command_arg_is(s, len, "slave") ||
	    command_arg_is(s, len, "pubsub"))
		return (1);
	return (-1);
}

static void
cmd_client_reply_type(struct client *cl, const char *s, size_t len)
{
	reply_errorf(&cl->cl_reply, "Unknown client type '%.*s'",
	    (int)len, s);
}

static void
cmd_client_id(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_int(&cl->cl_reply, (long long)cl->cl_id);
}

static void
cmd_client_getname(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	if (cl->cl_name == NULL)
		reply_null(&cl->cl_reply);
	else
		reply_bulk_cstr(&cl->cl_reply, cl->cl_name);
}

static void
cmd_client_setname(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	if (cmd_connection_setname(cl, argv[2], argvlen[2]) == 0)
		reply_status(&cl->cl_reply, "OK");
}

/* CLIENT SETINFO LIB-NAME|LIB-VER value, as Redis 7.2 has it. */
static void
cmd_client_setinfo(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	int	 ver;

	(void)argc;
	if (command_arg_is(argv[2], argvlen[2], "lib-name"))
		ver = 0;
	else if (command_arg_is(argv[2], argvlen[2], "lib-ver"))
		ver = 1;
	else {
		reply_errorf(&cl->cl_reply, "Unrecognized option '%.*s'",
		    (int)argvlen[2], argv[2]);
		return;
	}
	if (client_set_lib(cl, ver, argv[3], argvlen[3]) == -1) {
		reply_errorf(&cl->cl_reply, "%.*s cannot contain spaces, "
		    "newlines or special characters.", (int)argvlen[2],
		    argv[2]);
		return;
	}
	reply_status(&cl->cl_reply, "OK");
}

static void
cmd_client_no_evict(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	if (command_arg_is(argv[2], argvlen[2], "on"))
		cl->cl_flags |= CLIENT_F_NO_EVICT;
	else if (command_arg_is(argv[2], argvlen[2], "off"))
		cl->cl_flags &= ~CLIENT_F_NO_EVICT;
	else {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	reply_status(&cl->cl_reply, "OK");
}

/*
 * CLIENT REPLY ON|OFF|SKIP.  Only ON replies; the worker drops the
 * replies of a client with CLIENT_F_REPLY_OFF or _SKIP (see worker.c).
 */
static void
cmd_client_reply(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	if (command_arg_is(argv[2], argvlen[2], "on")) {
		cl->cl_flags &= ~(CLIENT_F_REPLY_OFF | CLIENT_F_REPLY_SKIP);
		reply_status(&cl->cl_reply, "OK");
	} else if (command_arg_is(argv[2], argvlen[2], "off"))
		cl->cl_flags |= CLIENT_F_REPLY_OFF;
	else if (command_arg_is(argv[2], argvlen[2], "skip")) {
		if (!(cl->cl_flags & CLIENT_F_REPLY_OFF))
			cl->cl_flags |= CLIENT_F_REPLY_SKIP_NEXT;
	} else
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
}

/* Without client tracking, no client redirects anywhere. */
static void
cmd_client_getredir(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_int(&cl->cl_reply, -1);
}

/* Tracking is always off: no flags but "off", no prefixes. */
static void
cmd_client_trackinginfo(struct client *cl, int argc,
    const char *const *argv, const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_map_len(&cl->cl_reply, 3);
	reply_bulk_cstr(&cl->cl_reply, "flags");
	reply_set_len(&cl->cl_reply, 1);
	reply_bulk_cstr(&cl->cl_reply, "off");
	reply_bulk_cstr(&cl->cl_reply, "redirect");
	reply_int(&cl->cl_reply, -1);
	reply_bulk_cstr(&cl->cl_reply, "prefixes");
	reply_array_len(&cl->cl_reply, 0);
}

static void
cmd_client_caching(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_error(&cl->cl_reply, "CLIENT CACHING can be called only when "
	    "the client is in tracking mode with OPTIN or OPTOUT mode "
	    "enabled");
}

/*
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: end the wait of a blocked client of
 * any worker, as a timeout or with -UNBLOCKED.  The client's scoreboard
 * entry names its waiter record; the record's state word decides, so the
 * answer is 1 only when the wait was ended here, never when a server was
 * first.
 */
static void
cmd_client_unblock(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_client_set	 set;
	struct cmd_client_entry	*ce;
	struct blocking		*b = cl->cl_ks != NULL ?
				    cl->cl_ks->ks_blocking : NULL;
	long long		 id;
	unsigned		 state = BL_TIMEOUT;
	size_t			 i;
	aoff_t			 wo;
	int			 done = 0;

	if (argc > 4) {
		reply_errorf(&cl->cl_reply, "unknown subcommand or wrong "
		    "number of arguments for '%.*s'. Try CLIENT HELP.",
		    (int)argvlen[1], argv[1]);
		return;
	}
	if (argc == 4 && command_arg_is(argv[3], argvlen[3], "error"))
		state = BL_ERROR;
	else if (argc == 4 && !command_arg_is(argv[3], argvlen[3],
	    "timeout")) {
		reply_error(&cl->cl_reply,
		    "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
		return;
	}
	if (command_parse_ll(argv[2], argvlen[2], &id) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (b != NULL && cmd_client_gather(cl, &set) == 0) {
		for (i = 0; i < set.cs_n && !done; i++) {
			ce = &set.cs_entry[i];
			if (ce->ce_sc.sc_id != (uint64_t)id)
				continue;
			wo.u = ce->ce_sc.sc_wait;
			done = blocking_unblock(b, wo, ce->ce_sc.sc_wait_ticket,
			    state);
		}
		free(set.cs_entry);
	}
	reply_int(&cl->cl_reply, done);
}

static void
cmd_client_info(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_client_entry	 ce;
	struct cmd_client_text	 ct;

	(void)argc;
	(void)argv;
	(void)argvlen;
	memset(&ct, 0, sizeof(ct));
	cmd_client_own(&ce, cl);
	cmd_client_format(&ct, &ce.ce_sc, ce.ce_name, command_now_ms());
	cmd_client_reply_text(cl, &ct);
}

/* CLIENT LIST [TYPE type | ID id [id ...]]. */
static void
cmd_client_list(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_client_set	 set;
	struct cmd_client_text	 ct;
	struct cmd_client_entry	*ce;
	long long		*ids = NULL, v;
	size_t			 i;
	int			 j, nids = 0, type = 0;
	int64_t			 now;

	if (argc == 4 && command_arg_is(argv[2], argvlen[2], "type")) {
		if ((type = cmd_client_type(argv[3], argvlen[3])) == -1) {
			cmd_client_reply_type(cl, argv[3], argvlen[3]);
			return;
		}
	} else if (argc > 3 && command_arg_is(argv[2], argvlen[2], "id")) {
		if ((ids = calloc((size_t)argc, sizeof(*ids))) == NULL) {
			reply_error(&cl->cl_reply, "-ERR out of memory");
			return;
		}
		for (j = 3; j < argc; j++) {
			if (command_parse_ll(argv[j], argvlen[j], &v) == -1) {
				reply_error(&cl->cl_reply,
				    "Invalid client ID");
				free(ids);
				return;
			}
			ids[nids++] = v;
		}
	} else if (argc != 2) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	memset(&ct, 0, sizeof(ct));
	if (cmd_client_gather(cl, &set) == -1) {
		free(ids);
		reply_error(&cl->cl_reply, "-ERR out of memory");
		return;
	}
	now = command_now_ms();
	for (i = 0; i < set.cs_n && type == 0; i++) {
		ce = &set.cs_entry[i];
		for (j = 0; j < nids; j++)
			if (ids[j] > 0 && (uint64_t)ids[j] == ce->ce_sc.sc_id)
				break;
		if (ids != NULL && j == nids)
			continue;
		cmd_client_format(&ct, &ce->ce_sc, ce->ce_name, now);
	}
	free(set.cs_entry);
	free(ids);
	cmd_client_reply_text(cl, &ct);
}

/* What CLIENT KILL is asked to match. */
struct cmd_client_filter {
	const char	*cf_addr;
	size_t		 cf_addrlen;
	const char	*cf_laddr;
	size_t		 cf_laddrlen;
	uint64_t	 cf_id;		/* 0: any */
	int		 cf_type;	/* 0 normal (all of ours), 1 none */
	int		 cf_skipme;
};

static int
cmd_client_same(const char *s, const char *want, size_t len)
{
	return (strlen(s) == len && memcmp(s, want, len) == 0);
}

static int
cmd_client_match(const struct cmd_client_filter *f,
    const struct cmd_client_entry *ce, const struct client *self)
{
	if (f->cf_type != 0)
		return (0);
	if (f->cf_id != 0 && ce->ce_sc.sc_id != f->cf_id)
		return (0);
	if (f->cf_addr != NULL && !cmd_client_same(ce->ce_sc.sc_addr,
	    f->cf_addr, f->cf_addrlen))
		return (0);
	if (f->cf_laddr != NULL && !cmd_client_same(ce->ce_sc.sc_laddr,
	    f->cf_laddr, f->cf_laddrlen))
		return (0);
	return (!(f->cf_skipme && ce->ce_own == self));
}

/*
 * Parse the options of the new form of CLIENT KILL.  0, or -1 when an
 * error was replied.
 */
static int
cmd_client_kill_options(struct client *cl, int argc,
    const char *const *argv, const size_t *argvlen,
    struct cmd_client_filter *f)
{
	long long	 v;
	int		 i;

	for (i = 2; i < argc; i += 2) {
		const char	*opt = argv[i], *arg = argv[i + 1];
		size_t		 optlen = argvlen[i], arglen;

		if (i + 1 >= argc) {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
		arglen = argvlen[i + 1];
		if (command_arg_is(opt, optlen, "id")) {
			if (command_parse_ll(arg, arglen, &v) == -1 ||
			    v < 1) {
				reply_error(&cl->cl_reply,
				    "client-id should be greater than 0");
				return (-1);
			}
			f->cf_id = (uint64_t)v;
		} else if (command_arg_is(opt, optlen, "type")) {
			if ((f->cf_type = cmd_client_type(arg,
			    arglen)) == -1) {
				cmd_client_reply_type(cl, arg, arglen);
				return (-1);
			}
		} else if (command_arg_is(opt, optlen, "addr")) {
			f->cf_addr = arg;
			f->cf_addrlen = arglen;
		} else if (command_arg_is(opt, optlen, "laddr")) {
			f->cf_laddr = arg;
			f->cf_laddrlen = arglen;
		} else if (command_arg_is(opt, optlen, "user")) {
			if (!(arglen == 7 && memcmp(arg, "default", 7) == 0)) {
				reply_errorf(&cl->cl_reply,
				    "No such user '%.*s'", (int)arglen, arg);
				return (-1);
			}
		} else if (command_arg_is(opt, optlen, "skipme")) {
			if (command_arg_is(arg, arglen, "yes"))
				f->cf_skipme = 1;
			else if (command_arg_is(arg, arglen, "no"))
				f->cf_skipme = 0;
			else {
				reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
				return (-1);
			}
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	return (0);
}

/*
 * CLIENT KILL ip:port, or CLIENT KILL [ID id] [TYPE type] [ADDR addr]
 * [LADDR addr] [USER name] [SKIPME yes|no].
 */
static void
cmd_client_kill(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_client_filter f;
	struct cmd_client_set	 set;
	struct cmd_client_entry	*ce;
	long long		 killed = 0;
	size_t			 i;

	memset(&f, 0, sizeof(f));
	if (argc == 3) {
		f.cf_addr = argv[2];
		f.cf_addrlen = argvlen[2];
	} else {
		f.cf_skipme = 1;
		if (cmd_client_kill_options(cl, argc, argv, argvlen,
		    &f) == -1)
			return;
	}
	if (cmd_client_gather(cl, &set) == -1) {
		reply_error(&cl->cl_reply, "-ERR out of memory");
		return;
	}
	for (i = 0; i < set.cs_n; i++) {
		ce = &set.cs_entry[i];
		if (!cmd_client_match(&f, ce, cl))
			continue;
		if (ce->ce_own == cl)
			cl->cl_flags |= CLIENT_F_CLOSE_AFTER_REPLY;
		else if (ce->ce_own != NULL)
			worker_kill_client(cl->cl_worker, ce->ce_own);
		else if (!scoreboard_client_kill(
		    worker_scoreboard(cl->cl_worker), ce->ce_worker,
		    ce->ce_index, ce->ce_sc.sc_id))
			continue;	/* it went away meanwhile */
		killed++;
	}
	free(set.cs_entry);
	if (argc != 3)
		reply_int(&cl->cl_reply, killed);
	else if (killed == 0)
		reply_error(&cl->cl_reply, "No such client");
	else
		reply_status(&cl->cl_reply, "OK");
}

static void
cmd_client_help(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	size_t	 i;

	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_array_len(&cl->cl_reply, (long)nitems(cmd_client_help_text));
	for (i = 0; i < nitems(cmd_client_help_text); i++)
		reply_status(&cl->cl_reply, cmd_client_help_text[i]);
}

#define CLIENT_FLAGS	(CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CLIENT_ADMIN	(CMD_ADMIN | CLIENT_FLAGS)

/*
 * CLIENT is a container: the dispatcher finds its subcommands as table
 * entries of their own ("client|list"), with their own arity, flags and
 * statistics.
 */
static const struct command cmd_client_commands[] = {
	{ "client",		-2,	CMD_CONTAINER,	0, 0, 0,
	    command_container_proc },
	{ "client|caching",	3,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_caching },
	{ "client|getname",	2,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_getname },
	{ "client|getredir",	2,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_getredir },
	{ "client|help",	2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_client_help },
	{ "client|id",		2,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_id },
	{ "client|info",	2,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_info },
	{ "client|kill",	-3,	CLIENT_ADMIN,	0, 0, 0,
	    cmd_client_kill },
	{ "client|list",	-2,	CLIENT_ADMIN,	0, 0, 0,
	    cmd_client_list },
	{ "client|no-evict",	3,	CLIENT_ADMIN,	0, 0, 0,
	    cmd_client_no_evict },
	{ "client|reply",	3,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_reply },
	{ "client|setinfo",	4,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_setinfo },
	{ "client|setname",	3,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_setname },
	{ "client|trackinginfo", 2,	CLIENT_FLAGS,	0, 0, 0,
	    cmd_client_trackinginfo },
	{ "client|unblock",	-3,	CLIENT_ADMIN,	0, 0, 0,
	    cmd_client_unblock },
};

const struct command_family cmd_client_family = {
	cmd_client_commands, nitems(cmd_client_commands)
};
