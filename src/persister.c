/*
 * persister.c: the persister process (`hydrad: persister 0'), which takes
 * the snapshots and writes the RDB file, and the calls through which
 * workers ask it for one.
 *
 * Run by the persister (persister_main() and what it calls) and by
 * workers (persister_link() and the request and status calls).  Locks:
 * the persister takes stripe locks and the snapshot's producer lock with
 * trylocks only (snapshot.c); the request words are lock free.
 *
 * The region: ps_req counts the saves workers asked for; a worker adds
 * one only when no save runs or waits (ps_req == ps_req_taken and not
 * ps_in_progress), with a compare and swap, so two requests never
 * overlap.  The persister takes the count when it starts (ps_req_taken),
 * and when it is done publishes the result (ps_last_ok, ps_saves, ...)
 * and then ps_req_done.  Every other field is the persister's to write.
 *
 * At boot, in an arena the supervisor made (not one it adopted), the
 * persister first loads `dbfilename' (rdb_file_load_path()) while
 * ps_loading, set before any fork, makes workers answer -LOADING.
 *
 * A save: write the header to `temp-<pid>.rdb' in the working directory
 * (hydrad runs in `dir'), open a snapshot generation, sweep and drain
 * until every stripe is covered, close the generation, append the
 * trailer (the CRC-64 of the file read back), fsync, rename to
 * `dbfilename', fsync the directory.  A persister killed meanwhile leaves
 * only its temp file, which its successor removes, and an open
 * generation, which its successor aborts before anything else.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "hydra/compat.h"
#include "hydra/crc64.h"
#include "hydra/log.h"
#include "hydra/persister.h"
#include "hydra/rdb_file.h"
#include "hydra/scoreboard.h"
#include "hydra/slab.h"

#define PS_TICK_MS		100	/* save rules looked at ten a second */
#define PS_RETRY_S		5	/* after a failed save by rule */

struct ps_region {
	uint64_t	 ps_req;	/* saves asked for; workers */
	uint64_t	 ps_req_taken;	/* ps_req when the last save began */
	uint64_t	 ps_req_done;	/* ps_req_taken of the last done */
	uint32_t	 ps_in_progress;
	uint32_t	 ps_last_ok;	/* the last save succeeded */
	uint32_t	 ps_loading;	/* the dataset is being loaded */
	int32_t		 ps_pid;	/* the persister */
	int64_t		 ps_started;	/* unix s: the running save began */
	int64_t		 ps_last_secs;	/* duration of the last; -1 none */
	uint64_t	 ps_saves;	/* successful saves */
	uint64_t	 ps_changes_base; /* keyspace_changes() at the cut of
					     the last successful save */
	uint64_t	 ps_keys_total;	/* keys at the running save's cut */
	uint32_t	 ps_shutdown;	/* PERSISTER_SHUTDOWN_*: workers */
	uint32_t	 ps_pad;
	uint64_t	 ps_load_keys;	/* loaded at boot */
	uint64_t	 ps_load_expired; /* skipped at boot: expired */
};

const struct snapshot_codec persister_codec = {
	rdb_file_select,
	rdb_file_entry,
};

/* A worker's view: the region and the wake pipe. */
static struct ps_region	*ps_link_reg;
static int		 ps_link_fd = -1;

/* The persister's state: private memory. */
struct persister {
	const struct persister_params	*p_params;
	struct ps_region		*p_reg;
	struct keyspace			 p_ks;
	struct snapshot			 p_snap;
	struct snapshot_sink		 p_sink;
	int				 p_sink_err;
	int				 p_final;	/* the save at exit */
	int64_t				 p_last_try;	/* unix s */
};

static volatile sig_atomic_t	 ps_stop;

size_t
persister_shm_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	(void)npages;
	return (sizeof(struct ps_region));
}

int
persister_shm_init(struct arena *a, void *region, const struct arena_params *ap)
{
	struct ps_region	*r = region;

	(void)a;
	(void)ap;
	memset(r, 0, sizeof(*r));
	r->ps_last_ok = 1;
	r->ps_last_secs = -1;
	return (0);
}

static int64_t
ps_now(void)
{
	return ((int64_t)time(NULL));
}

/* Workers. */

void
persister_load_pending(struct arena *a)
{
	struct ps_region	*r = arena_region(a, ARENA_REGION_PERSISTER);

	if (r != NULL)
		shm_store32(&r->ps_loading, 1);
}

int
persister_loading(void)
{
	return (ps_link_reg != NULL &&
	    __builtin_expect(shm_load32(&ps_link_reg->ps_loading), 0));
}

void
persister_link(struct arena *a, int wake_fd)
{
	ps_link_reg = arena_region(a, ARENA_REGION_PERSISTER);
	ps_link_fd = wake_fd;
}

static void
ps_wake(void)
{
	char	 b = 0;

	if (ps_link_fd != -1)
		(void)write(ps_link_fd, &b, 1);
}

/* Ask for a save: its request number, or 0 when one runs or waits. */
static uint64_t
ps_request(struct ps_region *r)
{
	uint64_t	 taken;

	taken = __atomic_load_n(&r->ps_req_taken, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&r->ps_in_progress, __ATOMIC_ACQUIRE))
		return (0);
	if (!__atomic_compare_exchange_n(&r->ps_req, &taken, taken + 1, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return (0);
	ps_wake();
	return (taken + 1);
}

int
persister_bgsave(void)
{
	if (ps_link_reg == NULL)
		return (1);
	return (ps_request(ps_link_reg) == 0 ? 1 : 0);
}

int
persister_save(void)
{
	struct ps_region	*r = ps_link_reg;
	struct timespec		 pause = { 0, 1000000 };
	uint64_t		 req;
	unsigned		 i;

	if (r == NULL)
		return (-1);
	if ((req = ps_request(r)) == 0)
		return (1);
	for (i = 0; __atomic_load_n(&r->ps_req_done, __ATOMIC_ACQUIRE) < req;
	    i++) {
		/* A persister that died is respawned and takes it anew. */
		if (i % 100 == 99)
			ps_wake();
		nanosleep(&pause, NULL);
	}
	return (__atomic_load_n(&r->ps_last_ok, __ATOMIC_ACQUIRE) ? 0 : -1);
}

void
persister_shutdown(int how)
{
	if (ps_link_reg != NULL)
		__atomic_store_n(&ps_link_reg->ps_shutdown, (uint32_t)how,
		    __ATOMIC_SEQ_CST);
	kill(getppid(), SIGTERM);
}

int
persister_writes_denied(const struct config *cfg)
{
	return (ps_link_reg != NULL && cfg->cf_stop_writes_on_bgsave_error &&
	    cfg->cf_nsave > 0 &&
	    !__atomic_load_n(&ps_link_reg->ps_last_ok, __ATOMIC_RELAXED));
}

void
persister_info(struct keyspace *ks, struct persister_info *pi)
{
	struct ps_region	*r;
	uint64_t		 now;

	memset(pi, 0, sizeof(*pi));
	pi->pi_last_ok = 1;
	pi->pi_last_secs = pi->pi_current_secs = -1;
	if (ks == NULL || (r = arena_region(ks->ks_arena,
	    ARENA_REGION_PERSISTER)) == NULL)
		return;
	pi->pi_load_keys = shm_load64(&r->ps_load_keys);
	pi->pi_load_expired = shm_load64(&r->ps_load_expired);
	pi->pi_loading = (int)shm_load32(&r->ps_loading);
	pi->pi_in_progress = (int)shm_load32(&r->ps_in_progress);
	pi->pi_last_ok = (int)shm_load32(&r->ps_last_ok);
	pi->pi_last_secs = (int64_t)shm_load64((uint64_t *)&r->ps_last_secs);
	if (pi->pi_in_progress)
		pi->pi_current_secs = ps_now() -
		    (int64_t)shm_load64((uint64_t *)&r->ps_started);
	pi->pi_saves = shm_load64(&r->ps_saves);
	now = keyspace_changes(ks);
	pi->pi_changes = now - shm_load64(&r->ps_changes_base);
	if (pi->pi_changes > now)
		pi->pi_changes = 0;
	if (pi->pi_in_progress) {
		pi->pi_keys_total = shm_load64(&r->ps_keys_total);
		if (ks->ks_snap != NULL)
			pi->pi_keys_done = snapshot_keys(ks->ks_snap);
	}
}

/* The persister. */

static void
ps_on_term(int sig)
{
	(void)sig;
	ps_stop = 1;
}

/* Drain the ring to the file (also while this process waits for room). */
static void
ps_drain(void *arg)
{
	struct persister	*p = arg;

	if (p->p_sink_err == 0 && snapshot_drain(&p->p_snap,
	    &p->p_sink) == -1)
		p->p_sink_err = errno;
}

static int
ps_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char	*s = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = pwrite(fd, s, len, off)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		s += n;
		len -= (size_t)n;
		off += n;
	}
	return (0);
}

/* The CRC-64 of the first len bytes of the file. */
static int
ps_file_crc(int fd, off_t len, uint64_t *crc)
{
	char	 buf[65536];
	off_t	 off = 0;
	ssize_t	 n;

	*crc = 0;
	while (off < len) {
		n = pread(fd, buf, (size_t)(len - off < (off_t)sizeof(buf) ?
		    len - off : (off_t)sizeof(buf)), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return (-1);
		}
		*crc = crc64(*crc, buf, (size_t)n);
		off += n;
	}
	return (0);
}

/* Make the rename durable: fsync the directory that holds the file. */
static int
ps_sync_dir(void)
{
	int	 fd, rv;

	if ((fd = open(".", O_RDONLY | O_DIRECTORY)) == -1)
		return (-1);
	rv = fsync(fd);
	close(fd);
	return (rv);
}

/*
 * Sweep and drain until every stripe is covered: 0, or -1 when the
 * generation failed, the file could not be written or a stop came.
 */
static int
ps_take(struct persister *p, uint32_t gen)
{
	struct timespec	 pause = { 0, 50000 };
	size_t		 left;

	for (;;) {
		left = snapshot_sweep(&p->p_snap, gen);
		ps_drain(p);
		if (snapshot_failed(&p->p_snap)) {
			log_warnx("snapshot: a record could not be written");
			return (-1);
		}
		if (p->p_sink_err != 0 || (ps_stop && !p->p_final))
			return (-1);
		if (left == 0)
			return (0);
		nanosleep(&pause, NULL);
	}
}

/* One save; 0, or -1 after logging why. */
static int
ps_save(struct persister *p)
{
	const struct config	*cfg = p->p_params->pp_cfg;
	struct ps_region	*r = p->p_reg;
	struct rdb_file_aux	 aux;
	struct slab_stats	 ss;
	struct rdb_out		 o;
	struct timespec		 t0, t1;
	char			 tmp[64];
	uint64_t		 changes, crc;
	uint32_t		 gen;
	int			 fd, rv = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	shm_store64((uint64_t *)&r->ps_started, (uint64_t)ps_now());
	/* Busy before the requests are taken: see ps_request(). */
	__atomic_store_n(&r->ps_in_progress, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&r->ps_req_taken, __atomic_load_n(&r->ps_req,
	    __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	shm_store64(&r->ps_saves, r->ps_saves + 1);
	p->p_last_try = ps_now();
	snprintf(tmp, sizeof(tmp), "temp-%ld.rdb", (long)getpid());
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("snapshot: open %s", tmp);
		goto done;
	}
	rdb_out_init(&o);
	memset(&aux, 0, sizeof(aux));
	aux.ra_ctime = ps_now();
	slab_stats(p->p_ks.ks_arena, &ss);
	aux.ra_used_mem = ss.bytes_used;
	rdb_file_header(&o, &aux);
	if (o.ro_failed || ps_pwrite_all(fd, o.ro_buf, o.ro_len, 0) == -1) {
		log_warn("snapshot: write %s", tmp);
		goto fail;
	}
	p->p_sink.sk_fd = fd;
	p->p_sink.sk_pos = (off_t)o.ro_len;
	p->p_sink_err = 0;
	p->p_snap.sp_out.ro_compress = cfg->cf_rdbcompression;

	changes = keyspace_changes(&p->p_ks);
	shm_store64(&r->ps_keys_total, keyspace_count_all(&p->p_ks));
	gen = snapshot_begin(&p->p_snap);
	if (ps_take(p, gen) == -1) {
		snapshot_end(&p->p_snap);
		if (p->p_sink_err != 0) {
			errno = p->p_sink_err;
			log_warn("snapshot: write %s", tmp);
		}
		goto fail;
	}
	snapshot_end(&p->p_snap);
	ps_drain(p);
	if (p->p_sink_err != 0) {
		errno = p->p_sink_err;
		log_warn("snapshot: write %s", tmp);
		goto fail;
	}
	if (ps_file_crc(fd, p->p_sink.sk_pos, &crc) == -1) {
		log_warn("snapshot: read back %s", tmp);
		goto fail;
	}
	o.ro_len = 0;
	rdb_file_trailer(&o, crc, cfg->cf_rdbchecksum);
	if (o.ro_failed || ps_pwrite_all(fd, o.ro_buf, o.ro_len,
	    p->p_sink.sk_pos) == -1 || fsync(fd) == -1) {
		log_warn("snapshot: write %s", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_warn("snapshot: close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, cfg->cf_dbfilename) == -1) {
		log_warn("snapshot: rename %s to %s", tmp,
		    cfg->cf_dbfilename);
		goto fail;
	}
	if (ps_sync_dir() == -1)
		log_warn("snapshot: fsync of the directory");
	rv = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("DB saved on disk: %llu keys in %.3f s",
	    (unsigned long long)snapshot_keys(&p->p_snap),
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	shm_store64(&r->ps_changes_base, changes);
	scoreboard_set_lastsave(p->p_params->pp_scoreboard, ps_now());
fail:
	rdb_out_free(&o);
	if (fd != -1)
		close(fd);
	if (rv == -1)
		(void)unlink(tmp);
done:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	shm_store64((uint64_t *)&r->ps_last_secs, (uint64_t)(t1.tv_sec -
	    t0.tv_sec));
	__atomic_store_n(&r->ps_last_ok, rv == 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&r->ps_in_progress, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&r->ps_req_done, __atomic_load_n(&r->ps_req_taken,
	    __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	return (rv);
}

/* Is a save rule due?  (Redis's: enough changes and enough time.) */
static int
ps_rule_due(struct persister *p)
{
	const struct config	*cfg = p->p_params->pp_cfg;
	struct ps_region	*r = p->p_reg;
	uint64_t		 changes;
	int64_t			 now = ps_now(), last;
	int			 i;

	if (cfg->cf_nsave == 0)
		return (0);
	changes = keyspace_changes(&p->p_ks) - shm_load64(&r->ps_changes_base);
	last = scoreboard_lastsave(p->p_params->pp_scoreboard);
	if (!shm_load32(&r->ps_last_ok) && now - p->p_last_try < PS_RETRY_S)
		return (0);
	for (i = 0; i < cfg->cf_nsave; i++)
		if (changes >= (uint64_t)cfg->cf_save[i].cs_changes &&
		    now - last > cfg->cf_save[i].cs_seconds) {
			log_info("%lld changes in %lld seconds. Saving...",
			    cfg->cf_save[i].cs_changes,
			    cfg->cf_save[i].cs_seconds);
			return (1);
		}
	return (0);
}

/*
 * Start clean: abort the generation a dead persister left open, remove
 * its temp file, answer the request it was serving as failed.
 */
static void
ps_start(struct persister *p)
{
	struct ps_region	*r = p->p_reg;
	char			 tmp[64];

	snapshot_reset(&p->p_snap);
	if (r->ps_pid > 0 && r->ps_pid != (int32_t)getpid()) {
		snprintf(tmp, sizeof(tmp), "temp-%ld.rdb", (long)r->ps_pid);
		if (unlink(tmp) == 0)
			log_info("removed %s, left by a persister that died",
			    tmp);
	}
	if (shm_load32(&r->ps_in_progress)) {
		__atomic_store_n(&r->ps_last_ok, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&r->ps_in_progress, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&r->ps_req_done, __atomic_load_n(
		    &r->ps_req_taken, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	}
	shm_store32((uint32_t *)&r->ps_pid, (uint32_t)getpid());
}

/* Progress of the boot load, for the log: about every two seconds. */
static void
ps_load_progress(void *arg, size_t done, size_t total, uint64_t keys)
{
	int64_t		*next = arg;
	int64_t		 now = compat_realtime_ms();

	if (now < *next)
		return;
	*next = now + 2000;
	log_info("loading: %zu of %zu bytes, %llu keys", done, total,
	    (unsigned long long)keys);
}

/*
 * Load the dataset of dbfilename into the (empty) keyspace, then let the
 * workers serve.  A missing file is an empty dataset; a file that cannot
 * be loaded leaves the databases empty (the loader flushes them), says so
 * in the log and is kept for the operator.
 */
static void
ps_load(struct persister *p)
{
	const char		*path = p->p_params->pp_cfg->cf_dbfilename;
	struct ps_region	*r = p->p_reg;
	struct rdb_file_load	 rl;
	struct timespec		 t0, t1;
	int64_t			 next;
	double			 secs;

	memset(&rl, 0, sizeof(rl));
	next = compat_realtime_ms() + 2000;
	rl.rl_progress = ps_load_progress;
	rl.rl_arg = &next;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rdb_file_load_path(&p->p_ks, path, compat_realtime_ms(),
	    &rl) == -1) {
		if (errno == ENOENT)
			log_info("no %s to load: starting empty", path);
		else
			log_warnx("loading %s failed: %s; starting empty",
			    path, rl.rl_err);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		log_info("DB loaded from disk: %llu keys (%llu expired "
		    "skipped) in %.3f seconds, %.0f keys per second",
		    (unsigned long long)rl.rl_keys,
		    (unsigned long long)rl.rl_expired, secs,
		    secs > 0 ? (double)rl.rl_keys / secs : 0.0);
		shm_store64(&r->ps_load_keys, rl.rl_keys);
		shm_store64(&r->ps_load_expired, rl.rl_expired);
	}
	/* What was loaded is saved already: no change since. */
	shm_store64(&r->ps_changes_base, keyspace_changes(&p->p_ks));
	__atomic_store_n(&r->ps_loading, 0, __ATOMIC_SEQ_CST);
}

int
persister_main(const struct persister_params *pp)
{
	struct persister	 p;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	char			 buf[256];
	uint32_t		 how;

	memset(&p, 0, sizeof(p));
	p.p_params = pp;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ps_on_term;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	if (keyspace_open(&p.p_ks, pp->pp_arena) == -1 ||
	    (p.p_reg = arena_region(pp->pp_arena,
	    ARENA_REGION_PERSISTER)) == NULL ||
	    snapshot_attach(&p.p_snap, &p.p_ks, &persister_codec, -1) == -1) {
		log_warnx("persister: the arena lacks a region");
		return (EX_SOFTWARE);
	}
	p.p_snap.sp_drain = ps_drain;
	p.p_snap.sp_drain_arg = &p;
	ps_start(&p);
	if (shm_load32(&p.p_reg->ps_loading))
		ps_load(&p);
	pfd.fd = pp->pp_wake_fd;
	pfd.events = POLLIN;
	while (!ps_stop) {
		if (poll(&pfd, pfd.fd != -1 ? 1 : 0, PS_TICK_MS) > 0)
			while (read(pfd.fd, buf, sizeof(buf)) > 0)
				continue;
		if (getppid() != pp->pp_parent) {
			log_warnx("the supervisor is gone; exiting");
			break;
		}
		if (__atomic_load_n(&p.p_reg->ps_req, __ATOMIC_SEQ_CST) !=
		    __atomic_load_n(&p.p_reg->ps_req_done, __ATOMIC_SEQ_CST) ||
		    ps_rule_due(&p))
			(void)ps_save(&p);
	}
	/* Redis's rule: a final save when asked, or when save rules exist. */
	how = shm_load32(&p.p_reg->ps_shutdown);
	if (ps_stop && (how == PERSISTER_SHUTDOWN_SAVE ||
	    (how != PERSISTER_SHUTDOWN_NOSAVE && pp->pp_cfg->cf_nsave > 0))) {
		log_info("Saving the final RDB snapshot before exiting.");
		p.p_final = 1;
		if (ps_save(&p) == -1)
			log_warnx("Error trying to save the DB, can't exit.");
	}
	snapshot_detach(&p.p_snap);
	return (0);
}
