/*
 * scoreboard.c: the shared board where the processes of one hydrad
 * publish their counters and clients, and leave each other wake-ups and
 * configuration changes.  See scoreboard.h for who writes what; the short
 * of it is that every field has one writer, so no lock is needed except to
 * append to the config log and to reset statistics.
 *
 * Run by every process of hydrad: created by the supervisor before its
 * first fork, written by workers.  Takes sb_config_lock and sb_reset_lock
 * (robust mutexes with nothing to repair).
 *
 * Layout: struct scoreboard, then the config log, then one slot per
 * worker.  A slot is a struct sb_worker, then its commandstats and their
 * baselines (2 * ncommands struct sb_cmdstat), then its client entries.
 * Counters are plain 64-bit words that only their owner writes, with
 * relaxed atomic loads and stores so readers never see a torn value.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/compat.h"
#include "hydra/scoreboard.h"

#define SB_ALIGN		64
#define SB_READ_TRIES		10000	/* seqlock retries before giving up */

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

struct scoreboard {
	size_t		 sb_size;		/* of the whole mapping */
	int		 sb_workers;
	int		 sb_clients;		/* client entries per slot */
	size_t		 sb_ncommands;
	size_t		 sb_slot_size;
	size_t		 sb_slots_off;		/* from the mapping's start */
	size_t		 sb_cmdstat_off;	/* from a slot's start */
	size_t		 sb_client_off;		/* from a slot's start */
	int		 sb_wake[SB_WORKERS_MAX][2];	/* set at creation */

	int64_t		 sb_started_ms;		/* set at creation */
	int64_t		 sb_lastsave;		/* unix seconds; atomic */
	uint64_t	 sb_next_id;		/* atomic */
	uint64_t	 sb_watchdog_kills;	/* the supervisor's; atomic */

	struct lock	 sb_reset_lock;
	struct lock	 sb_config_lock;
	uint64_t	 sb_config_len;		/* release-stored */
	char		 sb_config_log[SB_CONFIG_LOG_SIZE];	/* appended
							   under the lock */
};

static size_t
sb_roundup(size_t n)
{
	return ((n + SB_ALIGN - 1) & ~(size_t)(SB_ALIGN - 1));
}

static int
sb_repair_nothing(void *ctx)
{
	(void)ctx;
	return (0);
}

static int64_t
sb_realtime_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

struct scoreboard *
scoreboard_create(int workers, int clients, size_t ncommands)
{
	struct scoreboard	*sb;
	size_t			 cmdoff, clientoff, slot, slotsoff, size;
	void			*p;
	int			 i, j, flags;

	if (workers < 1 || workers > SB_WORKERS_MAX || clients < 0) {
		errno = EINVAL;
		return (NULL);
	}
	cmdoff = sb_roundup(sizeof(struct sb_worker));
	clientoff = sb_roundup(cmdoff + 2 * ncommands *
	    sizeof(struct sb_cmdstat));
	slot = sb_roundup(clientoff + (size_t)clients *
	    sizeof(struct sb_client));
	slotsoff = sb_roundup(sizeof(struct scoreboard));
	size = slotsoff + (size_t)workers * slot;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON,
	    -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	sb = p;
	sb->sb_size = size;
	sb->sb_workers = workers;
	sb->sb_clients = clients;
	sb->sb_ncommands = ncommands;
	sb->sb_slot_size = slot;
	sb->sb_slots_off = slotsoff;
	sb->sb_cmdstat_off = cmdoff;
	sb->sb_client_off = clientoff;
	sb->sb_started_ms = sb_realtime_ms();
	sb->sb_lastsave = sb->sb_started_ms / 1000;
	sb->sb_next_id = 1;
	for (i = 0; i < SB_WORKERS_MAX; i++)
		sb->sb_wake[i][0] = sb->sb_wake[i][1] = -1;
	if (lock_init(&sb->sb_reset_lock) == -1 ||
	    lock_init(&sb->sb_config_lock) == -1)
		goto fail;
	for (i = 0; i < workers; i++) {
		if (pipe(sb->sb_wake[i]) == -1)
			goto fail;
		for (j = 0; j < 2; j++) {
			if ((flags = fcntl(sb->sb_wake[i][j],
			    F_GETFL)) == -1 || fcntl(sb->sb_wake[i][j],
			    F_SETFL, flags | O_NONBLOCK) == -1 ||
			    fcntl(sb->sb_wake[i][j], F_SETFD,
			    FD_CLOEXEC) == -1)
				goto fail;
		}
	}
	return (sb);
fail:
	scoreboard_destroy(sb);
	return (NULL);
}

void
scoreboard_destroy(struct scoreboard *sb)
{
	int	 i, saved = errno;

	if (sb == NULL)
		return;
	for (i = 0; i < SB_WORKERS_MAX; i++) {
		if (sb->sb_wake[i][0] != -1)
			close(sb->sb_wake[i][0]);
		if (sb->sb_wake[i][1] != -1)
			close(sb->sb_wake[i][1]);
	}
	munmap(sb, sb->sb_size);
	errno = saved;
}

int
scoreboard_workers(const struct scoreboard *sb)
{
	return (sb->sb_workers);
}

int
scoreboard_client_slots(const struct scoreboard *sb)
{
	return (sb->sb_clients);
}

struct sb_worker *
scoreboard_worker(struct scoreboard *sb, int i)
{
	return ((struct sb_worker *)((char *)sb + sb->sb_slots_off +
	    (size_t)i * sb->sb_slot_size));
}

struct sb_cmdstat *
scoreboard_cmdstats(struct scoreboard *sb, int worker)
{
	return ((struct sb_cmdstat *)((char *)scoreboard_worker(sb, worker) +
	    sb->sb_cmdstat_off));
}

/* The baselines follow the commandstats. */
static struct sb_cmdstat *
sb_cmdstats_base(struct scoreboard *sb, int worker)
{
	return (scoreboard_cmdstats(sb, worker) + sb->sb_ncommands);
}

struct sb_client *
scoreboard_client(struct scoreboard *sb, int worker, int index)
{
	return ((struct sb_client *)((char *)scoreboard_worker(sb, worker) +
	    sb->sb_client_off) + index);
}

void
scoreboard_worker_started(struct scoreboard *sb, int i, int pid)
{
	STORE(&scoreboard_worker(sb, i)->sw_pid, pid);
}

void
scoreboard_worker_died(struct scoreboard *sb, int i)
{
	struct sb_worker	*sw = scoreboard_worker(sb, i);
	struct sb_client	*sc;
	int			 j;

	STORE(&sw->sw_pid, 0);
	STORE(&sw->sw_respawns, LOAD(&sw->sw_respawns) + 1);
	for (j = 0; j < SB_NGAUGES; j++)
		STORE(&sw->sw_gauge[j], 0);
	for (j = 0; j < sb->sb_clients; j++) {
		sc = scoreboard_client(sb, i, j);
		if (LOAD(&sc->sc_id) == 0 && (LOAD(&sc->sc_seq) & 1) == 0)
			continue;
		STORE(&sc->sc_id, 0);
		STORE(&sc->sc_kill, 0);
		/* An entry the dead worker was writing is even again. */
		__atomic_store_n(&sc->sc_seq, (LOAD(&sc->sc_seq) | 1) + 1,
		    __ATOMIC_RELEASE);
	}
}

void
scoreboard_count(struct sb_worker *sw, enum sb_counter c, uint64_t n)
{
	scoreboard_add(&sw->sw_counter[c], n);
}

void
scoreboard_gauge(struct sb_worker *sw, enum sb_gauge g, uint64_t v)
{
	STORE(&sw->sw_gauge[g], v);
}

void
scoreboard_count_error(struct sb_worker *sw, const char *err, size_t len)
{
	struct sb_errstat	*es;
	size_t			 n;
	int			 i;

	scoreboard_count(sw, SB_ERROR_REPLIES, 1);
	if (len > 0 && err[0] == '-') {
		err++;
		len--;
	}
	for (n = 0; n < len && err[n] != ' ' && err[n] != '\r' &&
	    err[n] != '\n'; n++)
		;
	if (n >= SB_ERRNAME_MAX)
		n = SB_ERRNAME_MAX - 1;
	for (i = 0; i < SB_ERRSTATS_MAX; i++) {
		es = &sw->sw_errstat[i];
		if (!es->es_used) {
			memcpy(es->es_name, err, n);
			es->es_name[n] = '\0';
			__atomic_store_n(&es->es_used, 1, __ATOMIC_RELEASE);
		} else if (strncmp(es->es_name, err, n) != 0 ||
		    es->es_name[n] != '\0')
			continue;
		scoreboard_add(&es->es_count, 1);
		return;
	}
}

uint64_t
scoreboard_counter_total(struct scoreboard *sb, enum sb_counter c)
{
	struct sb_worker	*sw;
	uint64_t		 sum = 0, base;
	int			 i;

	for (i = 0; i < sb->sb_workers; i++) {
		sw = scoreboard_worker(sb, i);
		base = __atomic_load_n(&sw->sw_counter_base[c],
		    __ATOMIC_ACQUIRE);
		sum += LOAD(&sw->sw_counter[c]) - base;
	}
	return (sum);
}

uint64_t
scoreboard_gauge_total(struct scoreboard *sb, enum sb_gauge g)
{
	uint64_t	 sum = 0;
	int		 i;

	for (i = 0; i < sb->sb_workers; i++)
		sum += LOAD(&scoreboard_worker(sb, i)->sw_gauge[g]);
	return (sum);
}

void
scoreboard_cmdstat_total(struct scoreboard *sb, size_t cmd,
    struct sb_cmdstat *out)
{
	struct sb_cmdstat	*cs, *base;
	int			 i;

	memset(out, 0, sizeof(*out));
	if (cmd >= sb->sb_ncommands)
		return;
	for (i = 0; i < sb->sb_workers; i++) {
		base = &sb_cmdstats_base(sb, i)[cmd];
		cs = &scoreboard_cmdstats(sb, i)[cmd];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		out->cs_calls += LOAD(&cs->cs_calls) - LOAD(&base->cs_calls);
		out->cs_usec += LOAD(&cs->cs_usec) - LOAD(&base->cs_usec);
		out->cs_rejected += LOAD(&cs->cs_rejected) -
		    LOAD(&base->cs_rejected);
		out->cs_failed += LOAD(&cs->cs_failed) -
		    LOAD(&base->cs_failed);
	}
}

void
scoreboard_errstat_walk(struct scoreboard *sb, scoreboard_errstat_fn fn,
    void *arg)
{
	struct {
		const char	*name;
		uint64_t	 count;
	}			 seen[SB_ERRSTATS_MAX];
	struct sb_worker	*sw;
	struct sb_errstat	*es;
	uint64_t		 n;
	int			 i, j, k, nseen = 0;

	for (i = 0; i < sb->sb_workers; i++) {
		sw = scoreboard_worker(sb, i);
		for (j = 0; j < SB_ERRSTATS_MAX; j++) {
			es = &sw->sw_errstat[j];
			if (!__atomic_load_n(&es->es_used, __ATOMIC_ACQUIRE))
				break;
			n = LOAD(&es->es_count) -
			    __atomic_load_n(&sw->sw_errstat_base[j],
			    __ATOMIC_ACQUIRE);
			for (k = 0; k < nseen; k++)
				if (strcmp(seen[k].name, es->es_name) == 0)
					break;
			if (k == nseen) {
				if (nseen == SB_ERRSTATS_MAX)
					continue;
				seen[nseen].name = es->es_name;
				seen[nseen++].count = 0;
			}
			seen[k].count += n;
		}
	}
	for (k = 0; k < nseen; k++)
		if (seen[k].count > 0)
			fn(seen[k].name, seen[k].count, arg);
}

void
scoreboard_resetstat(struct scoreboard *sb)
{
	struct sb_worker	*sw;
	struct sb_cmdstat	*cs, *base;
	size_t			 c;
	int			 i, j;

	lock_acquire(&sb->sb_reset_lock, sb_repair_nothing, NULL);
	for (i = 0; i < sb->sb_workers; i++) {
		sw = scoreboard_worker(sb, i);
		cs = scoreboard_cmdstats(sb, i);
		base = sb_cmdstats_base(sb, i);
		for (c = 0; c < sb->sb_ncommands; c++) {
			STORE(&base[c].cs_calls, LOAD(&cs[c].cs_calls));
			STORE(&base[c].cs_usec, LOAD(&cs[c].cs_usec));
			STORE(&base[c].cs_rejected, LOAD(&cs[c].cs_rejected));
			STORE(&base[c].cs_failed, LOAD(&cs[c].cs_failed));
		}
		for (j = 0; j < SB_ERRSTATS_MAX; j++)
			__atomic_store_n(&sw->sw_errstat_base[j],
			    LOAD(&sw->sw_errstat[j].es_count),
			    __ATOMIC_RELEASE);
		for (j = 0; j < SB_NCOUNTERS; j++)
			__atomic_store_n(&sw->sw_counter_base[j],
			    LOAD(&sw->sw_counter[j]), __ATOMIC_RELEASE);
	}
	lock_release(&sb->sb_reset_lock);
}

void
scoreboard_client_begin(struct sb_client *sc)
{
	STORE(&sc->sc_seq, sc->sc_seq + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void
scoreboard_client_end(struct sb_client *sc)
{
	__atomic_store_n(&sc->sc_seq, sc->sc_seq + 1, __ATOMIC_RELEASE);
}

int
scoreboard_client_read(struct scoreboard *sb, int worker, int index,
    struct sb_client *out)
{
	struct sb_client	*sc = scoreboard_client(sb, worker, index);
	uint32_t		 s1, s2;
	int			 tries;

	for (tries = 0; tries < SB_READ_TRIES; tries++) {
		s1 = __atomic_load_n(&sc->sc_seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		if (LOAD(&sc->sc_id) == 0)
			return (0);
		memcpy(out, sc, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = LOAD(&sc->sc_seq);
		if (s1 == s2) {
			out->sc_name[SB_NAME_MAX - 1] = '\0';
			out->sc_lib_name[SB_LIBNAME_MAX - 1] = '\0';
			out->sc_lib_ver[SB_LIBVER_MAX - 1] = '\0';
			out->sc_cmd[SB_CMDNAME_MAX - 1] = '\0';
			out->sc_flags[SB_FLAGS_MAX - 1] = '\0';
			out->sc_addr[SB_ADDR_MAX - 1] = '\0';
			out->sc_laddr[SB_ADDR_MAX - 1] = '\0';
			return (out->sc_id != 0);
		}
	}
	/* A writer that never finishes is a dead one: no client there. */
	return (0);
}

int
scoreboard_client_kill(struct scoreboard *sb, int worker, int index,
    uint64_t id)
{
	struct sb_client	*sc = scoreboard_client(sb, worker, index);

	if (id == 0 || LOAD(&sc->sc_id) != id)
		return (0);
	__atomic_store_n(&sc->sc_kill, id, __ATOMIC_RELEASE);
	scoreboard_wake(sb, worker);
	return (1);
}

int
scoreboard_client_kill_requested(const struct sb_client *sc)
{
	uint64_t	 id = LOAD(&sc->sc_id);

	return (id != 0 && __atomic_load_n(&sc->sc_kill,
	    __ATOMIC_ACQUIRE) == id);
}

uint64_t
scoreboard_next_client_id(struct scoreboard *sb)
{
	return (__atomic_fetch_add(&sb->sb_next_id, 1, __ATOMIC_RELAXED));
}

void
scoreboard_wake(struct scoreboard *sb, int i)
{
	char	 c = 0;

	if (i < 0 || i >= sb->sb_workers)
		return;
	/* EAGAIN: the pipe is full, so the owner will look anyway. */
	(void)write(sb->sb_wake[i][1], &c, 1);
}

int
scoreboard_wake_fd(const struct scoreboard *sb, int i)
{
	return (sb->sb_wake[i][0]);
}

void
scoreboard_wake_drain(struct scoreboard *sb, int i)
{
	char	 buf[256];

	while (read(sb->sb_wake[i][0], buf, sizeof(buf)) > 0)
		;
}

int
scoreboard_config_append(struct scoreboard *sb, const void *rec, size_t len)
{
	uint64_t	 used;
	int		 rv = 0;

	lock_acquire(&sb->sb_config_lock, sb_repair_nothing, NULL);
	used = LOAD(&sb->sb_config_len);
	if (len > SB_CONFIG_LOG_SIZE - used) {
		errno = ENOSPC;
		rv = -1;
	} else {
		memcpy(sb->sb_config_log + used, rec, len);
		__atomic_store_n(&sb->sb_config_len, used + len,
		    __ATOMIC_RELEASE);
	}
	lock_release(&sb->sb_config_lock);
	return (rv);
}

const char *
scoreboard_config_log(struct scoreboard *sb, size_t *len)
{
	*len = (size_t)__atomic_load_n(&sb->sb_config_len, __ATOMIC_ACQUIRE);
	return (sb->sb_config_log);
}

int64_t
scoreboard_started_ms(const struct scoreboard *sb)
{
	return (sb->sb_started_ms);
}

int64_t
scoreboard_lastsave(const struct scoreboard *sb)
{
	return (LOAD(&sb->sb_lastsave));
}

void
scoreboard_set_lastsave(struct scoreboard *sb, int64_t unix_s)
{
	STORE(&sb->sb_lastsave, unix_s);
}

uint64_t
scoreboard_respawns(struct scoreboard *sb)
{
	uint64_t	 sum = 0;
	int		 i;

	for (i = 0; i < sb->sb_workers; i++)
		sum += LOAD(&scoreboard_worker(sb, i)->sw_respawns);
	return (sum);
}

void
scoreboard_for_each_lock(struct scoreboard *sb, lock_visit_fn fn, void *arg)
{
	fn(&sb->sb_reset_lock, arg);
	fn(&sb->sb_config_lock, arg);
}

void
scoreboard_count_watchdog_kill(struct scoreboard *sb)
{
	STORE(&sb->sb_watchdog_kills, LOAD(&sb->sb_watchdog_kills) + 1);
}

uint64_t
scoreboard_watchdog_kills(struct scoreboard *sb)
{
	return (LOAD(&sb->sb_watchdog_kills));
}
