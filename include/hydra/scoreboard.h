/*
 * scoreboard.h: what the processes of one hydrad know about each other.
 *
 * One shared mapping, made by the supervisor before its first fork and
 * kept for its life, holds:
 *  - per worker slot: the counters behind INFO (stats, commandstats,
 *    errorstats, cpu) and a mirror of the worker's clients, which CLIENT
 *    LIST, CLIENT KILL and the maxclients and balancing checks of every
 *    other worker read;
 *  - a wake-up pipe per worker slot, so one worker can make another look
 *    at its slot now (a client to kill, later a blocked client to serve);
 *  - the log of CONFIG SET changes, which every worker applies in order
 *    (and a respawned worker replays from the start);
 *  - server-wide facts: start time, LASTSAVE, respawns, the next client id.
 *
 * It is not the store: it lives in an anonymous MAP_SHARED mapping, not in
 * the arena, and dies with the supervisor.  Nothing in it needs crash
 * repair, because of who writes what:
 *  - a slot's counters and client entries are written only by the worker
 *    that owns the slot; other processes read counters with relaxed atomic
 *    loads and client entries through the entry's sequence number (a
 *    seqlock: odd while the owner writes), retrying a torn copy;
 *  - sc_kill is the one field others write: CLIENT KILL stores there the
 *    id of the client it wants closed, then wakes the owner, who closes
 *    the client only if sc_kill equals the entry's sc_id (an entry reused
 *    for a new client starts with sc_kill 0, so a late request for the
 *    old client kills nothing);
 *  - when a worker dies, the supervisor clears its client entries and
 *    its client count and counts the respawn; the counters stay, so the
 *    totals of INFO never go back;
 *  - the config log is appended under sb_config_lock (a robust mutex);
 *    a record is complete before sb_config_len is raised past it with a
 *    release store, so an appender killed half-way leaves nothing behind
 *    and the lock's repair has nothing to do;
 *  - CONFIG RESETSTAT takes sb_reset_lock and copies each slot's current
 *    counters into the slot's baseline; readers report counter minus
 *    baseline, so a reset is immediate and no one writes another
 *    process's counters.
 *
 * Run by every process of hydrad: the supervisor creates it and reclaims
 * dead workers' slots; workers write their own slot and read all slots.
 * Takes sb_config_lock (CONFIG SET) and sb_reset_lock (RESETSTAT) only,
 * never together with a keyspace lock.
 */
#ifndef HYDRA_SCOREBOARD_H
#define HYDRA_SCOREBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/lock.h"

#define SB_WORKERS_MAX		256
#define SB_ERRSTATS_MAX		128	/* Redis's ERROR_STATS_NUMBER */
#define SB_ERRNAME_MAX		32	/* an error prefix, with NUL */
#define SB_CONFIG_LOG_SIZE	(256 * 1024)

/* The counters of one worker, summed over workers by INFO. */
enum sb_counter {
	SB_CONNECTIONS_RECEIVED,	/* total_connections_received */
	SB_REJECTED_CONNECTIONS,	/* rejected_connections */
	SB_COMMANDS_PROCESSED,		/* total_commands_processed */
	SB_NET_INPUT_BYTES,		/* total_net_input_bytes */
	SB_NET_OUTPUT_BYTES,		/* total_net_output_bytes */
	SB_READS_PROCESSED,		/* total_reads_processed */
	SB_WRITES_PROCESSED,		/* total_writes_processed */
	SB_EXPIRED_KEYS,		/* expired_keys */
	SB_EVICTED_KEYS,		/* evicted_keys */
	SB_KEYSPACE_HITS,		/* keyspace_hits */
	SB_KEYSPACE_MISSES,		/* keyspace_misses */
	SB_ERROR_REPLIES,		/* total_error_replies */
	SB_QUERYBUF_DISCONNECTIONS,	/* client_query_buffer_limit_disconnections */
	SB_OUTPUTBUF_DISCONNECTIONS,	/* client_output_buffer_limit_disconnections */
	SB_NCOUNTERS
};

/* Gauges: the owner's current values, not reset by RESETSTAT. */
enum sb_gauge {
	SB_CONNECTED_CLIENTS,		/* summed: connected_clients */
	SB_BLOCKED_CLIENTS,		/* summed: blocked_clients */
	SB_CPU_SYS_US,			/* the worker's own getrusage() */
	SB_CPU_USER_US,
	SB_OPS_PER_SEC,			/* instantaneous_ops_per_sec */
	SB_INPUT_BPS,			/* instantaneous input, bytes/s */
	SB_OUTPUT_BPS,			/* instantaneous output, bytes/s */
	SB_LISTENING,			/* 1: the worker accepts now */
	SB_NGAUGES
};

/* One command's line of INFO commandstats. */
struct sb_cmdstat {
	uint64_t	 cs_calls;
	uint64_t	 cs_usec;
	uint64_t	 cs_rejected;	/* refused before running (arity, ...) */
	uint64_t	 cs_failed;	/* ran and replied with an error */
};

/* One error prefix of INFO errorstats ("ERR", "WRONGTYPE", ...). */
struct sb_errstat {
	char		 es_name[SB_ERRNAME_MAX];	/* set once, then
							   es_used */
	uint32_t	 es_used;	/* 1 once es_name is written (release) */
	uint64_t	 es_count;
};

#define SB_ADDR_MAX	64	/* "ip:port", "[v6]:port", or a socket path */
#define SB_NAME_MAX	128	/* longer client names are cut here */
#define SB_LIBNAME_MAX	64
#define SB_LIBVER_MAX	32
#define SB_CMDNAME_MAX	48	/* "client|list" */
#define SB_FLAGS_MAX	16

/*
 * The mirror of one client, written by its worker.  What CLIENT LIST
 * prints for a client of another worker comes from here; a worker prints
 * its own clients from its private state, so only names longer than
 * SB_NAME_MAX differ (they are cut).
 */
struct sb_client {
	uint32_t	 sc_seq;	/* odd while the owner writes */
	uint32_t	 sc_pad;
	uint64_t	 sc_id;		/* 0: the entry is free */
	uint64_t	 sc_kill;	/* the id CLIENT KILL asked to close */
	int32_t		 sc_fd;
	int32_t		 sc_db;
	int32_t		 sc_resp;	/* 2 or 3 */
	int32_t		 sc_worker;
	int64_t		 sc_created_ms;	/* realtime */
	int64_t		 sc_last_ms;	/* last interaction, realtime */
	uint64_t	 sc_qbuf;	/* query buffer bytes used */
	uint64_t	 sc_qbuf_free;
	uint64_t	 sc_argv_mem;
	uint64_t	 sc_obl;	/* reply buffer bytes pending */
	uint64_t	 sc_omem;
	uint64_t	 sc_tot_mem;
	char		 sc_flags[SB_FLAGS_MAX];	/* "N", "P", ... */
	char		 sc_addr[SB_ADDR_MAX];
	char		 sc_laddr[SB_ADDR_MAX];
	char		 sc_name[SB_NAME_MAX];
	char		 sc_lib_name[SB_LIBNAME_MAX];
	char		 sc_lib_ver[SB_LIBVER_MAX];
	char		 sc_cmd[SB_CMDNAME_MAX];	/* last command */
};

/*
 * One worker's slot.  Everything in it is written by the owning worker
 * only, except sw_pid and sw_respawns (the supervisor, while no worker
 * owns the slot), the baselines (under sb_reset_lock) and sc_kill.
 */
struct sb_worker {
	int32_t		 sw_pid;	/* 0: no worker in the slot */
	uint32_t	 sw_respawns;
	uint64_t	 sw_counter[SB_NCOUNTERS];
	uint64_t	 sw_counter_base[SB_NCOUNTERS];	/* sb_reset_lock */
	uint64_t	 sw_gauge[SB_NGAUGES];
	struct sb_errstat sw_errstat[SB_ERRSTATS_MAX];
	uint64_t	 sw_errstat_base[SB_ERRSTATS_MAX]; /* sb_reset_lock */
	/* Then, at offsets the scoreboard computes: */
	/* struct sb_cmdstat cmdstat[ncommands], and a baseline copy; */
	/* struct sb_client client[maxclients]. */
};

struct scoreboard;

/*
 * Map a scoreboard for `workers' slots, each with room for `clients'
 * client entries and `ncommands' commandstats lines, and open the wake-up
 * pipes.  The supervisor calls this before its first fork.  NULL with
 * errno on failure.
 */
struct scoreboard *scoreboard_create(int workers, int clients,
		    size_t ncommands);

/* Unmap it and close the pipes (the supervisor, at exit; tests). */
void		 scoreboard_destroy(struct scoreboard *);

int		 scoreboard_workers(const struct scoreboard *);
int		 scoreboard_client_slots(const struct scoreboard *);

/* Slot i, 0 <= i < workers. */
struct sb_worker *scoreboard_worker(struct scoreboard *, int i);
struct sb_cmdstat *scoreboard_cmdstats(struct scoreboard *, int worker);
struct sb_client *scoreboard_client(struct scoreboard *, int worker,
		    int index);

/* Supervisor: a worker was forked into slot i / slot i's worker died. */
void		 scoreboard_worker_started(struct scoreboard *, int i,
		    int pid);
void		 scoreboard_worker_died(struct scoreboard *, int i);

/*
 * Owner only: add to a counter, set a gauge, count an error reply by its
 * prefix (the first word of the error, without the '-'; errors beyond
 * SB_ERRSTATS_MAX distinct prefixes are counted in the total only, as
 * Redis does).
 */
void		 scoreboard_count(struct sb_worker *, enum sb_counter,
		    uint64_t n);
/*
 * Owner only: add to a word of its own slot (a counter, a commandstat).
 * One writer, so a relaxed load and store; readers never see it torn.
 * Inline: the dispatcher calls it several times per command.
 */
static inline void
scoreboard_add(uint64_t *word, uint64_t n)
{
	__atomic_store_n(word, __atomic_load_n(word, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}
void		 scoreboard_gauge(struct sb_worker *, enum sb_gauge,
		    uint64_t v);
void		 scoreboard_count_error(struct sb_worker *, const char *err,
		    size_t len);

/*
 * Readers: totals over all slots, each less its baseline.  cmd is an
 * index into the command table (command.h).
 */
uint64_t	 scoreboard_counter_total(struct scoreboard *, enum sb_counter);
uint64_t	 scoreboard_gauge_total(struct scoreboard *, enum sb_gauge);
void		 scoreboard_cmdstat_total(struct scoreboard *, size_t cmd,
		    struct sb_cmdstat *);

/*
 * Walk the error prefixes seen on any worker, with their total counts
 * (prefixes whose count is 0 since the last reset are skipped).  The
 * callback may be called in any order; INFO sorts.
 */
typedef void	(*scoreboard_errstat_fn)(const char *name, uint64_t count,
		    void *arg);
void		 scoreboard_errstat_walk(struct scoreboard *,
		    scoreboard_errstat_fn, void *arg);

/* CONFIG RESETSTAT: every counter, commandstat and errorstat to zero. */
void		 scoreboard_resetstat(struct scoreboard *);

/* Owner only: begin and end a change to one of its client entries. */
void		 scoreboard_client_begin(struct sb_client *);
void		 scoreboard_client_end(struct sb_client *);

/*
 * Any process: a consistent copy of a client entry.  1 when the entry is
 * in use (copied to *out), 0 when it is free.
 */
int		 scoreboard_client_read(struct scoreboard *, int worker,
		    int index, struct sb_client *out);

/*
 * Any process: ask the owner of a client to close it.  1 when the entry
 * still held that client id and the request was recorded (the owner is
 * woken), 0 when the client is gone.
 */
int		 scoreboard_client_kill(struct scoreboard *, int worker,
		    int index, uint64_t id);

/* Owner: has CLIENT KILL asked for this entry's client?  1 or 0. */
int		 scoreboard_client_kill_requested(const struct sb_client *);

/* A new client id, unique in the daemon's life (CLIENT ID). */
uint64_t	 scoreboard_next_client_id(struct scoreboard *);

/*
 * Wake-up pipes.  scoreboard_wake() writes a byte to worker i's pipe (it
 * never blocks: a full pipe already means "look").  The owner watches
 * scoreboard_wake_fd() for reading and calls scoreboard_wake_drain().
 */
void		 scoreboard_wake(struct scoreboard *, int i);
int		 scoreboard_wake_fd(const struct scoreboard *, int i);
void		 scoreboard_wake_drain(struct scoreboard *, int i);

/*
 * The CONFIG SET log.  A record is opaque bytes (config.c chooses the
 * encoding).  Append: 0, or -1 with errno ENOSPC when the log is full.
 * Read: the published bytes; records never change once published, so a
 * reader applies [its last offset, *len) and remembers *len.
 */
int		 scoreboard_config_append(struct scoreboard *,
		    const void *rec, size_t len);
const char	*scoreboard_config_log(struct scoreboard *, size_t *len);

/* Server-wide facts. */
int64_t		 scoreboard_started_ms(const struct scoreboard *);
int64_t		 scoreboard_lastsave(const struct scoreboard *);
void		 scoreboard_set_lastsave(struct scoreboard *, int64_t unix_s);
/* Visit the scoreboard's own locks, without taking them (the watchdog). */
void		 scoreboard_for_each_lock(struct scoreboard *, lock_visit_fn,
		    void *arg);

/* Workers the watchdog killed, counted by the supervisor. */
void		 scoreboard_count_watchdog_kill(struct scoreboard *);
uint64_t	 scoreboard_watchdog_kills(struct scoreboard *);

uint64_t	 scoreboard_respawns(struct scoreboard *);

#endif /* HYDRA_SCOREBOARD_H */
