/*
 * cmd_info.c: INFO [section ...], with Redis 7.0's sections, field names
 * and order, plus hydra's own section.
 *
 * Run by workers.  Takes each slab lock briefly (the hydra and memory
 * sections read the allocator's counters) and the keyspace's stripe
 * counters without locks (keyspace_count() is a racy sum, as DBSIZE is).
 *
 * Counters are the sums over every worker's scoreboard slot, less the
 * baselines of the last CONFIG RESETSTAT.  Fields hydra cannot know
 * (replication ids, allocator internals, latency percentiles) are left
 * out rather than made up; fields whose feature hydra lacks and whose
 * value Redis would show as 0 for a server not using it are shown as 0.
 * Outside a worker (unit tests) only the sections that need no scoreboard
 * have content.
 */
#include <sys/utsname.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/lock.h"
#include "hydra/persister.h"
#include "hydra/reply.h"
#include "hydra/scoreboard.h"
#include "hydra/slab.h"
#include "hydra/version.h"
#include "hydra/worker.h"

#include "command_internal.h"

struct info_ctx {
	FILE			*ic_fp;
	struct client		*ic_cl;
	struct scoreboard	*ic_sb;		/* NULL outside a worker */
	const struct config	*ic_cfg;	/* NULL outside a worker */
	int			 ic_sections;	/* sections written so far */
};

typedef void	(*info_section_fn)(struct info_ctx *);

static void	info_server(struct info_ctx *);
static void	info_clients(struct info_ctx *);
static void	info_memory(struct info_ctx *);
static void	info_persistence(struct info_ctx *);
static void	info_stats(struct info_ctx *);
static void	info_replication(struct info_ctx *);
static void	info_cpu(struct info_ctx *);
static void	info_modules(struct info_ctx *);
static void	info_commandstats(struct info_ctx *);
static void	info_errorstats(struct info_ctx *);
static void	info_cluster(struct info_ctx *);
static void	info_keyspace(struct info_ctx *);
static void	info_hydra(struct info_ctx *);

#define INFO_DEFAULT	0x01	/* in INFO and INFO default */
#define INFO_ALL	0x02	/* in INFO all */

/* In Redis's order; hydra's own last. */
static const struct info_section {
	const char	*is_name;	/* lower case, as asked */
	const char	*is_title;	/* as printed */
	int		 is_in;
	info_section_fn	 is_fn;
} info_sections[] = {
	{ "server", "Server", INFO_DEFAULT | INFO_ALL, info_server },
	{ "clients", "Clients", INFO_DEFAULT | INFO_ALL, info_clients },
	{ "memory", "Memory", INFO_DEFAULT | INFO_ALL, info_memory },
	{ "persistence", "Persistence", INFO_DEFAULT | INFO_ALL,
	    info_persistence },
	{ "stats", "Stats", INFO_DEFAULT | INFO_ALL, info_stats },
	{ "replication", "Replication", INFO_DEFAULT | INFO_ALL,
	    info_replication },
	{ "cpu", "CPU", INFO_DEFAULT | INFO_ALL, info_cpu },
	{ "modules", "Modules", INFO_DEFAULT | INFO_ALL, info_modules },
	{ "commandstats", "Commandstats", INFO_ALL, info_commandstats },
	{ "errorstats", "Errorstats", INFO_DEFAULT | INFO_ALL,
	    info_errorstats },
	{ "cluster", "Cluster", INFO_DEFAULT | INFO_ALL, info_cluster },
	{ "keyspace", "Keyspace", INFO_DEFAULT | INFO_ALL, info_keyspace },
	{ "hydra", "Hydra", INFO_DEFAULT | INFO_ALL, info_hydra },
};

static void
info_line(struct info_ctx *ic, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
info_line(struct info_ctx *ic, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfprintf(ic->ic_fp, fmt, ap);
	va_end(ap);
	fputs("\r\n", ic->ic_fp);
}

static uint64_t
info_counter(struct info_ctx *ic, enum sb_counter c)
{
	return (ic->ic_sb != NULL ? scoreboard_counter_total(ic->ic_sb, c) :
	    0);
}

static uint64_t
info_gauge(struct info_ctx *ic, enum sb_gauge g)
{
	return (ic->ic_sb != NULL ? scoreboard_gauge_total(ic->ic_sb, g) : 0);
}

/* Redis's bytesToHuman(): "943.12K", "0B". */
static void
info_human(char *buf, size_t len, unsigned long long n)
{
	static const char	 units[] = "KMGTPE";
	double			 d = (double)n;
	int			 i;

	if (n < 1024) {
		snprintf(buf, len, "%lluB", n);
		return;
	}
	for (i = 0; units[i + 1] != '\0' && d >= 1024.0 * 1024; i++)
		d /= 1024;
	snprintf(buf, len, "%.2f%c", d / 1024, units[i]);
}

static void
info_server(struct info_ctx *ic)
{
	struct utsname	 u;
	struct timespec	 ts;
	char		 exe[1024];
	int64_t		 up;
	ssize_t		 n;

	info_line(ic, "redis_version:%s", HYDRA_REDIS_VERSION);
	info_line(ic, "redis_git_sha1:00000000");
	info_line(ic, "redis_git_dirty:0");
	info_line(ic, "redis_mode:standalone");
	if (uname(&u) == 0)
		info_line(ic, "os:%s %s %s", u.sysname, u.release,
		    u.machine);
	info_line(ic, "arch_bits:%d", (int)(sizeof(long) * 8));
	info_line(ic, "atomicvar_api:c11-builtin");
#if defined(__GNUC__)
	info_line(ic, "gcc_version:%d.%d.%d", __GNUC__, __GNUC_MINOR__,
	    __GNUC_PATCHLEVEL__);
#else
	info_line(ic, "gcc_version:0.0.0");
#endif
	info_line(ic, "process_id:%ld", (long)(ic->ic_sb != NULL ?
	    getppid() : getpid()));
	if (ic->ic_cfg != NULL) {
		info_line(ic, "process_supervised:%s",
		    ic->ic_cfg->cf_supervised == CONFIG_SUPERVISED_SYSTEMD ?
		    "systemd" : ic->ic_cfg->cf_supervised ==
		    CONFIG_SUPERVISED_UPSTART ? "upstart" : "no");
		info_line(ic, "tcp_port:%d", ic->ic_cfg->cf_port);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	info_line(ic, "server_time_usec:%lld", (long long)ts.tv_sec *
	    1000000 + ts.tv_nsec / 1000);
	if (ic->ic_sb != NULL) {
		up = (command_now_ms() - scoreboard_started_ms(ic->ic_sb)) /
		    1000;
		info_line(ic, "uptime_in_seconds:%lld", (long long)up);
		info_line(ic, "uptime_in_days:%lld", (long long)up / 86400);
	}
	if (ic->ic_cfg != NULL) {
		info_line(ic, "hz:%d", ic->ic_cfg->cf_hz < CONFIG_HZ_MIN ?
		    CONFIG_HZ_MIN : ic->ic_cfg->cf_hz > CONFIG_HZ_MAX ?
		    CONFIG_HZ_MAX : ic->ic_cfg->cf_hz);
		info_line(ic, "configured_hz:%d", ic->ic_cfg->cf_hz);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		info_line(ic, "executable:%s", exe);
	}
	info_line(ic, "io_threads_active:0");
}

static void
info_clients(struct info_ctx *ic)
{
	info_line(ic, "connected_clients:%llu", (unsigned long long)
	    info_gauge(ic, SB_CONNECTED_CLIENTS));
	info_line(ic, "cluster_connections:0");
	if (ic->ic_cfg != NULL)
		info_line(ic, "maxclients:%d", ic->ic_cfg->cf_maxclients);
	info_line(ic, "blocked_clients:%llu", (unsigned long long)
	    info_gauge(ic, SB_BLOCKED_CLIENTS));
	info_line(ic, "tracking_clients:0");
	info_line(ic, "clients_in_timeout_table:0");
}

static struct arena *
info_arena(struct info_ctx *ic)
{
	return (ic->ic_cl->cl_ks != NULL ? ic->ic_cl->cl_ks->ks_arena : NULL);
}

/* The keyspace's memory is the arena's: chunk bytes handed out. */
static void
info_memory(struct info_ctx *ic)
{
	struct slab_stats	 ss;
	struct arena		*a = info_arena(ic);
	char			 h[32];
	long			 pages, psize;

	if (a != NULL) {
		slab_stats(a, &ss);
		info_human(h, sizeof(h), ss.bytes_used);
		info_line(ic, "used_memory:%llu",
		    (unsigned long long)ss.bytes_used);
		info_line(ic, "used_memory_human:%s", h);
	}
	pages = sysconf(_SC_PHYS_PAGES);
	psize = sysconf(_SC_PAGESIZE);
	if (pages > 0 && psize > 0) {
		info_human(h, sizeof(h),
		    (unsigned long long)pages * (unsigned long long)psize);
		info_line(ic, "total_system_memory:%llu",
		    (unsigned long long)pages * (unsigned long long)psize);
		info_line(ic, "total_system_memory_human:%s", h);
	}
	if (ic->ic_cfg != NULL) {
		const struct config_directive *cd =
		    config_lookup("maxmemory-policy");
		char	 policy[64];

		info_human(h, sizeof(h),
		    (unsigned long long)ic->ic_cfg->cf_maxmemory);
		info_line(ic, "maxmemory:%lld", ic->ic_cfg->cf_maxmemory);
		info_line(ic, "maxmemory_human:%s", h);
		config_format(ic->ic_cfg, cd, policy, sizeof(policy));
		info_line(ic, "maxmemory_policy:%s", policy);
	}
}

static void
info_persistence(struct info_ctx *ic)
{
	struct persister_info	 pi;

	if (ic->ic_cl != NULL && ic->ic_cl->cl_ks != NULL)
		persister_info(ic->ic_cl->cl_ks, &pi);
	else
		persister_info(NULL, &pi);
	info_line(ic, "loading:%d", pi.pi_loading);
	info_line(ic, "async_loading:0");
	/* Snapshots never fork: nothing is ever copied on write. */
	info_line(ic, "current_cow_peak:0");
	info_line(ic, "current_cow_size:0");
	info_line(ic, "current_cow_size_age:0");
	info_line(ic, "current_fork_perc:0.00");
	info_line(ic, "current_save_keys_processed:%llu",
	    (unsigned long long)pi.pi_keys_done);
	info_line(ic, "current_save_keys_total:%llu",
	    (unsigned long long)pi.pi_keys_total);
	info_line(ic, "rdb_changes_since_last_save:%llu",
	    (unsigned long long)pi.pi_changes);
	info_line(ic, "rdb_bgsave_in_progress:%d", pi.pi_in_progress);
	if (ic->ic_sb != NULL)
		info_line(ic, "rdb_last_save_time:%lld",
		    (long long)scoreboard_lastsave(ic->ic_sb));
	info_line(ic, "rdb_last_bgsave_status:%s", pi.pi_last_ok ? "ok" :
	    "err");
	info_line(ic, "rdb_last_bgsave_time_sec:%lld",
	    (long long)pi.pi_last_secs);
	info_line(ic, "rdb_current_bgsave_time_sec:%lld",
	    (long long)pi.pi_current_secs);
	info_line(ic, "rdb_saves:%llu", (unsigned long long)pi.pi_saves);
	info_line(ic, "rdb_last_cow_size:0");
	info_line(ic, "rdb_last_load_keys_expired:%llu",
	    (unsigned long long)pi.pi_load_expired);
	info_line(ic, "rdb_last_load_keys_loaded:%llu",
	    (unsigned long long)pi.pi_load_keys);
	if (ic->ic_cfg != NULL)
		info_line(ic, "aof_enabled:%d", ic->ic_cfg->cf_appendonly);
	info_line(ic, "aof_rewrite_in_progress:0");
	info_line(ic, "aof_rewrite_scheduled:0");
	info_line(ic, "aof_last_rewrite_time_sec:-1");
	info_line(ic, "aof_current_rewrite_time_sec:-1");
	info_line(ic, "aof_last_bgrewrite_status:ok");
	info_line(ic, "aof_rewrites:0");
	info_line(ic, "aof_rewrites_consecutive_failures:0");
	info_line(ic, "aof_last_write_status:ok");
	info_line(ic, "aof_last_cow_size:0");
	info_line(ic, "module_fork_in_progress:0");
	info_line(ic, "module_fork_last_cow_size:0");
}

static void
info_stats(struct info_ctx *ic)
{
	static const char *const zeros1[] = {
		"sync_full", "sync_partial_ok", "sync_partial_err",
	};
	static const char *const zeros2[] = {
		"evicted_clients", "total_eviction_exceeded_time",
		"current_eviction_exceeded_time",
	};
	static const char *const zeros3[] = {
		"pubsub_channels", "pubsub_patterns", "pubsubshard_channels",
		"latest_fork_usec", "total_forks", "migrate_cached_sockets",
		"slave_expires_tracked_keys", "active_defrag_hits",
		"active_defrag_misses", "active_defrag_key_hits",
		"active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys",
		"tracking_total_items", "tracking_total_prefixes",
		"unexpected_error_replies",
	};
	size_t	 i;

#define C(name, c)	info_line(ic, name ":%llu", \
			    (unsigned long long)info_counter(ic, c))
	C("total_connections_received", SB_CONNECTIONS_RECEIVED);
	C("total_commands_processed", SB_COMMANDS_PROCESSED);
	info_line(ic, "instantaneous_ops_per_sec:%llu", (unsigned long long)
	    info_gauge(ic, SB_OPS_PER_SEC));
	C("total_net_input_bytes", SB_NET_INPUT_BYTES);
	C("total_net_output_bytes", SB_NET_OUTPUT_BYTES);
	info_line(ic, "total_net_repl_input_bytes:0");
	info_line(ic, "total_net_repl_output_bytes:0");
	info_line(ic, "instantaneous_input_kbps:%.2f",
	    (double)info_gauge(ic, SB_INPUT_BPS) / 1024);
	info_line(ic, "instantaneous_output_kbps:%.2f",
	    (double)info_gauge(ic, SB_OUTPUT_BPS) / 1024);
	info_line(ic, "instantaneous_input_repl_kbps:0.00");
	info_line(ic, "instantaneous_output_repl_kbps:0.00");
	C("rejected_connections", SB_REJECTED_CONNECTIONS);
	for (i = 0; i < nitems(zeros1); i++)
		info_line(ic, "%s:0", zeros1[i]);
	C("expired_keys", SB_EXPIRED_KEYS);
	C("evicted_keys", SB_EVICTED_KEYS);
	for (i = 0; i < nitems(zeros2); i++)
		info_line(ic, "%s:0", zeros2[i]);
	C("keyspace_hits", SB_KEYSPACE_HITS);
	C("keyspace_misses", SB_KEYSPACE_MISSES);
	for (i = 0; i < nitems(zeros3); i++)
		info_line(ic, "%s:0", zeros3[i]);
	C("total_error_replies", SB_ERROR_REPLIES);
	info_line(ic, "dump_payload_sanitizations:0");
	C("total_reads_processed", SB_READS_PROCESSED);
	C("total_writes_processed", SB_WRITES_PROCESSED);
	info_line(ic, "io_threaded_reads_processed:0");
	info_line(ic, "io_threaded_writes_processed:0");
#undef C
}

static void
info_replication(struct info_ctx *ic)
{
	info_line(ic, "role:master");
	info_line(ic, "connected_slaves:0");
	info_line(ic, "master_failover_state:no-failover");
	info_line(ic, "master_repl_offset:0");
	info_line(ic, "second_repl_offset:-1");
	info_line(ic, "repl_backlog_active:0");
	info_line(ic, "repl_backlog_first_byte_offset:0");
	info_line(ic, "repl_backlog_histlen:0");
}

/* The CPU time of every worker, as each last published it. */
static void
info_cpu(struct info_ctx *ic)
{
	uint64_t	 sys = info_gauge(ic, SB_CPU_SYS_US);
	uint64_t	 user = info_gauge(ic, SB_CPU_USER_US);

	info_line(ic, "used_cpu_sys:%llu.%06llu",
	    (unsigned long long)(sys / 1000000),
	    (unsigned long long)(sys % 1000000));
	info_line(ic, "used_cpu_user:%llu.%06llu",
	    (unsigned long long)(user / 1000000),
	    (unsigned long long)(user % 1000000));
}

static void
info_modules(struct info_ctx *ic)
{
	(void)ic;
}

static void
info_commandstats(struct info_ctx *ic)
{
	struct sb_cmdstat	 cs;
	size_t			 i;

	if (ic->ic_sb == NULL)
		return;
	for (i = 0; i < command_count(); i++) {
		scoreboard_cmdstat_total(ic->ic_sb, i, &cs);
		if (cs.cs_calls == 0 && cs.cs_failed == 0 &&
		    cs.cs_rejected == 0)
			continue;
		info_line(ic, "cmdstat_%s:calls=%llu,usec=%llu,"
		    "usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu",
		    command_at(i)->cmd_name, (unsigned long long)cs.cs_calls,
		    (unsigned long long)cs.cs_usec, cs.cs_calls == 0 ? 0.0 :
		    (double)cs.cs_usec / (double)cs.cs_calls,
		    (unsigned long long)cs.cs_rejected,
		    (unsigned long long)cs.cs_failed);
	}
}

struct info_errstat {
	char		 ie_name[SB_ERRNAME_MAX];
	uint64_t	 ie_count;
};

struct info_errstats {
	struct info_errstat	 ie_v[SB_ERRSTATS_MAX];
	size_t			 ie_n;
};

static void
info_errstat_add(const char *name, uint64_t count, void *arg)
{
	struct info_errstats	*es = arg;
	size_t			 i;

	for (i = 0; i < es->ie_n; i++)
		if (strcmp(es->ie_v[i].ie_name, name) == 0) {
			es->ie_v[i].ie_count += count;
			return;
		}
	if (es->ie_n == nitems(es->ie_v))
		return;
	snprintf(es->ie_v[es->ie_n].ie_name, SB_ERRNAME_MAX, "%s", name);
	es->ie_v[es->ie_n++].ie_count = count;
}

static int
info_errstat_cmp(const void *a, const void *b)
{
	const struct info_errstat	*x = a, *y = b;

	return (strcmp(x->ie_name, y->ie_name));
}

/* In byte order of the names, as Redis's radix tree gives them. */
static void
info_errorstats(struct info_ctx *ic)
{
	struct info_errstats	*es;
	size_t			 i;

	if (ic->ic_sb == NULL || (es = calloc(1, sizeof(*es))) == NULL)
		return;
	scoreboard_errstat_walk(ic->ic_sb, info_errstat_add, es);
	qsort(es->ie_v, es->ie_n, sizeof(es->ie_v[0]), info_errstat_cmp);
	for (i = 0; i < es->ie_n; i++)
		info_line(ic, "errorstat_%s:count=%llu", es->ie_v[i].ie_name,
		    (unsigned long long)es->ie_v[i].ie_count);
	free(es);
}

static void
info_cluster(struct info_ctx *ic)
{
	info_line(ic, "cluster_enabled:0");
}

/* hydra does not sample TTLs: avg_ttl is 0, as Redis shows it at first. */
static void
info_keyspace(struct info_ctx *ic)
{
	uint64_t	 keys, expires;
	unsigned	 db;

	if (ic->ic_cl->cl_ks == NULL)
		return;
	for (db = 0; db < keyspace_databases(ic->ic_cl->cl_ks); db++) {
		keyspace_count(ic->ic_cl->cl_ks, db, &keys, &expires);
		if (keys == 0)
			continue;
		info_line(ic, "db%u:keys=%llu,expires=%llu,avg_ttl=0", db,
		    (unsigned long long)keys, (unsigned long long)expires);
	}
}

/*
 * hydra's own: its version, its workers, their respawns, the arena, and
 * the lock statistics of the worker that answers (each process counts
 * its own repairs and expired wait slices).
 */
static void
info_hydra(struct info_ctx *ic)
{
	struct slab_stats	 ss;
	struct arena		*a = info_arena(ic);
	int			 i, alive = 0;

	info_line(ic, "hydra_version:%s", HYDRA_VERSION);
	if (ic->ic_sb != NULL) {
		for (i = 0; i < scoreboard_workers(ic->ic_sb); i++)
			if (__atomic_load_n(&scoreboard_worker(ic->ic_sb,
			    i)->sw_pid, __ATOMIC_RELAXED) != 0)
				alive++;
		info_line(ic, "workers:%d", scoreboard_workers(ic->ic_sb));
		info_line(ic, "workers_alive:%d", alive);
		info_line(ic, "worker_respawns:%llu", (unsigned long long)
		    scoreboard_respawns(ic->ic_sb));
		info_line(ic, "watchdog_kills:%llu", (unsigned long long)
		    scoreboard_watchdog_kills(ic->ic_sb));
		info_line(ic, "lock_repairs:%llu", (unsigned long long)
		    info_counter(ic, SB_LOCK_REPAIRS));
		info_line(ic, "repairs_rolled_back:%llu", (unsigned long long)
		    info_counter(ic, SB_ROLLED_BACK));
		info_line(ic, "repairs_rolled_forward:%llu",
		    (unsigned long long)info_counter(ic, SB_ROLLED_FORWARD));
		info_line(ic, "this_worker:%d", worker_index(
		    ic->ic_cl->cl_worker));
	}
	info_line(ic, "this_worker_lock_repairs:%llu",
	    (unsigned long long)lock_repairs_done());
	info_line(ic, "this_worker_lock_wait_slices_expired:%llu",
	    (unsigned long long)lock_wait_slices_expired());
	if (a != NULL) {
		slab_stats(a, &ss);
		info_line(ic, "arena_size:%zu", a->ar_size);
		info_line(ic, "arena_pages_total:%u", ss.npages);
		info_line(ic, "arena_pages_free:%u", ss.pages_free);
		info_line(ic, "arena_pages_committed:%u", ss.pages_committed);
		info_line(ic, "arena_bytes_used:%llu",
		    (unsigned long long)ss.bytes_used);
		info_line(ic, "arena_bytes_free:%llu",
		    (unsigned long long)ss.bytes_free);
	}
}

static void
info_write_section(struct info_ctx *ic, const struct info_section *is)
{
	if (ic->ic_sections++ > 0)
		fputs("\r\n", ic->ic_fp);
	fprintf(ic->ic_fp, "# %s\r\n", is->is_title);
	is->is_fn(ic);
}

void
cmd_info(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct info_ctx	 ic;
	char		*text = NULL;
	size_t		 len = 0, i;
	int		 j, want = 0, wanted[nitems(info_sections)];

	memset(&ic, 0, sizeof(ic));
	memset(wanted, 0, sizeof(wanted));
	ic.ic_cl = cl;
	if (cl->cl_worker != NULL) {
		ic.ic_sb = worker_scoreboard(cl->cl_worker);
		ic.ic_cfg = worker_config(cl->cl_worker);
	}
	if (argc == 1)
		want = INFO_DEFAULT;
	for (j = 1; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "default"))
			want |= INFO_DEFAULT;
		else if (command_arg_is(argv[j], argvlen[j], "all") ||
		    command_arg_is(argv[j], argvlen[j], "everything"))
			want |= INFO_ALL;
		else
			for (i = 0; i < nitems(info_sections); i++)
				if (command_arg_is(argv[j], argvlen[j],
				    info_sections[i].is_name))
					wanted[i] = 1;
	}
	if ((ic.ic_fp = open_memstream(&text, &len)) == NULL) {
		reply_error(&cl->cl_reply, "out of memory");
		return;
	}
	for (i = 0; i < nitems(info_sections); i++)
		if (wanted[i] || (info_sections[i].is_in & want))
			info_write_section(&ic, &info_sections[i]);
	if (fclose(ic.ic_fp) != 0 || text == NULL) {
		free(text);
		reply_error(&cl->cl_reply, "out of memory");
		return;
	}
	reply_verbatim(&cl->cl_reply, text, len, "txt");
	free(text);
}
