/*
 * snapshot.c: snapshot generations, the stripes' records and the ring
 * they travel through (see snapshot.h for the design).
 *
 * Run by workers (as producers, from keyspace.c, with the stripes of a
 * command locked) and by the persister (producer for the stripes it
 * sweeps, and the ring's only consumer).  Locks: the region's producer
 * lock sn_lock, taken after stripe locks and before nothing; the
 * persister takes stripe locks and sn_lock with trylocks only, because a
 * producer holding them may be waiting for it to drain the ring.
 *
 * Fields of the region: sn_active, sn_gen, sn_pid, sn_compress and
 * sn_tail and sn_skip_done are the persister's (written by it alone);
 * sn_head, sn_commit, sn_skip_*, sn_pend* and sn_keys change under
 * sn_lock; sn_failed may be set by anyone and is cleared by the persister
 * at a reset.  Ring positions are byte counts since the generation began,
 * so they only grow; the ring holds [sn_tail, sn_head).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/crashpoint.h"
#include "hydra/lock.h"
#include "hydra/snapshot.h"

struct sn_region {
	uint32_t	 sn_active;	/* generation being taken; 0: none */
	uint32_t	 sn_gen;	/* the last generation opened */
	int32_t		 sn_pid;	/* the persister that opened it */
	uint32_t	 sn_failed;	/* a record could not be written */
	uint64_t	 sn_size;	/* ring bytes; immutable */
	uint32_t	 sn_compress;	/* LZF strings in records */
	uint32_t	 sn_pad0;
	struct lock	 sn_lock;	/* one producer at a time */
	uint64_t	 sn_head;	/* bytes produced */
	uint64_t	 sn_commit;	/* end of the last complete record */
	uint64_t	 sn_tail;	/* bytes drained */
	/*
	 * A dead producer's partial record [from, to), for the persister
	 * to cut out of the file: one at a time (seq != done while it
	 * waits).
	 */
	uint64_t	 sn_skip_from;
	uint64_t	 sn_skip_to;
	uint32_t	 sn_skip_seq;
	uint32_t	 sn_skip_done;
	/*
	 * The record being committed: when sn_pend is 1, the stripe whose
	 * coverage word is at byte sn_pend_word of the arena gets
	 * sn_pend_gen once sn_commit reaches sn_pend_end.
	 */
	uint32_t	 sn_pend;
	uint32_t	 sn_pend_gen;
	uint64_t	 sn_pend_word;
	uint64_t	 sn_pend_end;
	uint64_t	 sn_keys;	/* keys in committed records */
	uint64_t	 sn_pad[4];
	unsigned char	 sn_ring[];
};

/* What a record's writer carries through the stripe's entries. */
struct sn_record_ctx {
	struct snapshot	*sp;
	uint32_t	 gen;
	unsigned	 db;		/* the database the stripe serves */
	int		 failed;
	uint64_t	 keys;
};

size_t
snapshot_shm_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	(void)npages;
	return (sizeof(struct sn_region) + SNAPSHOT_RING_SIZE);
}

int
snapshot_shm_init(struct arena *a, void *region, const struct arena_params *ap)
{
	struct sn_region	*r = region;

	(void)a;
	(void)ap;
	memset(r, 0, sizeof(*r));
	r->sn_size = SNAPSHOT_RING_SIZE;
	return (lock_init(&r->sn_lock));
}

/*
 * The repair of a producer that died holding sn_lock: finish the marking
 * of a committed record's stripe, and hand the bytes of a record never
 * committed to the persister to cut out.  Idempotent: a repairer killed
 * here leaves the same facts for the next one.
 */
static int
sn_repair(void *arg)
{
	struct snapshot		*sp = arg;
	struct sn_region	*r = sp->sp_reg;
	uint32_t		*word;

	if (r->sn_pend != 0) {
		if (r->sn_pend_gen == shm_load32(&r->sn_active) &&
		    r->sn_commit == r->sn_pend_end &&
		    r->sn_pend_word + sizeof(*word) <=
		    sp->sp_ks->ks_arena->ar_size) {
			word = arena_pos_ptr(sp->sp_ks->ks_arena,
			    r->sn_pend_word);
			shm_store32(word, r->sn_pend_gen);
		}
		shm_store32(&r->sn_pend, 0);
	}
	if (r->sn_head != r->sn_commit) {
		if (r->sn_skip_seq !=
		    __atomic_load_n(&r->sn_skip_done, __ATOMIC_ACQUIRE))
			shm_store32(&r->sn_failed, 1);
		else {
			r->sn_skip_from = r->sn_commit;
			r->sn_skip_to = r->sn_head;
			__atomic_store_n(&r->sn_skip_seq, r->sn_skip_seq + 1,
			    __ATOMIC_RELEASE);
		}
		shm_store64(&r->sn_commit, r->sn_head);
	}
	return (0);
}

int
snapshot_attach(struct snapshot *sp, struct keyspace *ks,
    const struct snapshot_codec *codec, int wake_fd)
{
	memset(sp, 0, sizeof(*sp));
	if ((sp->sp_reg = arena_region(ks->ks_arena,
	    ARENA_REGION_SNAPSHOT)) == NULL) {
		errno = ENOENT;
		return (-1);
	}
	sp->sp_ks = ks;
	sp->sp_codec = codec;
	sp->sp_wake_fd = wake_fd;
	rdb_out_init(&sp->sp_out);
	ks->ks_snap = sp;
	ks->ks_snap_active = &sp->sp_reg->sn_active;
	return (0);
}

void
snapshot_detach(struct snapshot *sp)
{
	static const uint32_t	 none;

	if (sp->sp_ks != NULL && sp->sp_ks->ks_snap == sp) {
		sp->sp_ks->ks_snap = NULL;
		sp->sp_ks->ks_snap_active = &none;
	}
	rdb_out_free(&sp->sp_out);
	sp->sp_ks = NULL;
}

uint32_t
snapshot_active(const struct snapshot *sp)
{
	return (shm_load32(&sp->sp_reg->sn_active));
}

int
snapshot_failed(const struct snapshot *sp)
{
	return (shm_load32(&sp->sp_reg->sn_failed) != 0);
}

uint64_t
snapshot_keys(const struct snapshot *sp)
{
	return (shm_load64(&sp->sp_reg->sn_keys));
}

/*
 * Wait a moment for room in the ring: -1 when the generation was given up
 * meanwhile (a new persister reset it, or a record failed).
 */
static int
sn_wait(struct snapshot *sp, uint32_t gen, unsigned *spins)
{
	struct sn_region	*r = sp->sp_reg;
	struct timespec		 pause = { 0, 20000 };
	char			 b = 0;

	if (shm_load32(&r->sn_active) != gen || shm_load32(&r->sn_failed))
		return (-1);
	if (sp->sp_drain != NULL) {
		sp->sp_drain(sp->sp_drain_arg);
		return (0);
	}
	if (sp->sp_wake_fd != -1 && (*spins)++ % 64 == 0)
		(void)write(sp->sp_wake_fd, &b, 1);
	nanosleep(&pause, NULL);
	return (0);
}

/* Copy what the handle's buffer holds into the ring.  0, or -1. */
static int
sn_put(struct snapshot *sp, uint32_t gen)
{
	struct sn_region	*r = sp->sp_reg;
	const unsigned char	*p = sp->sp_out.ro_buf;
	size_t			 len = sp->sp_out.ro_len, n, at;
	uint64_t		 room;
	unsigned		 spins = 0;

	if (sp->sp_out.ro_failed)
		return (-1);
	while (len > 0) {
		room = r->sn_size - (r->sn_head -
		    __atomic_load_n(&r->sn_tail, __ATOMIC_ACQUIRE));
		if (room == 0) {
			if (sn_wait(sp, gen, &spins) == -1)
				return (-1);
			continue;
		}
		at = (size_t)(r->sn_head % r->sn_size);
		n = len;
		if (n > room)
			n = (size_t)room;
		if (n > r->sn_size - at)
			n = r->sn_size - at;
		memcpy(r->sn_ring + at, p, n);
		__atomic_store_n(&r->sn_head, r->sn_head + n,
		    __ATOMIC_RELEASE);
		CRASHPOINT(snapshot_put);
		p += n;
		len -= n;
	}
	sp->sp_out.ro_len = 0;
	return (0);
}

static void
sn_entry(const struct entry *e, void *arg)
{
	struct sn_record_ctx	*ctx = arg;
	struct snapshot		*sp = ctx->sp;

	if (ctx->failed)
		return;
	sp->sp_out.ro_len = 0;
	/* An empty stripe writes nothing, not even its SELECTDB. */
	if (ctx->keys == 0)
		sp->sp_codec->sc_select(&sp->sp_out, ctx->db);
	if (sp->sp_codec->sc_entry(&sp->sp_out, sp->sp_ks->ks_arena,
	    e) == -1 || sn_put(sp, ctx->gen) == -1) {
		ctx->failed = 1;
		return;
	}
	ctx->keys++;
}

/*
 * Write stripe st's record for generation gen and mark it covered, with
 * sn_lock held.  Nothing when gen is no longer the active generation or
 * already covers st.
 */
static void
sn_record(struct snapshot *sp, struct ks_stripe *st, uint32_t gen)
{
	struct sn_region	*r = sp->sp_reg;
	struct sn_record_ctx	 ctx = { sp, gen, 0, 0, 0 };
	uint32_t		*word = keyspace_snap_word(st);

	if (shm_load32(&r->sn_active) != gen || shm_load32(word) == gen ||
	    shm_load32(&r->sn_failed))
		return;
	sp->sp_out.ro_failed = 0;
	sp->sp_out.ro_compress = (int)r->sn_compress;
	ctx.db = keyspace_stripe_db(sp->sp_ks, st);
	keyspace_stripe_visit_locked(sp->sp_ks, st, sn_entry, &ctx);
	if (ctx.failed) {
		/* Unless the generation is gone anyway, it cannot finish. */
		if (shm_load32(&r->sn_active) == gen)
			shm_store32(&r->sn_failed, 1);
		return;
	}
	CRASHPOINT(snapshot_record_written);
	shm_store64(&r->sn_pend_word, arena_pos(sp->sp_ks->ks_arena, word));
	shm_store32(&r->sn_pend_gen, gen);
	shm_store64(&r->sn_pend_end, r->sn_head);
	shm_store32(&r->sn_pend, 1);
	CRASHPOINT(snapshot_record_pending);
	/* The commit point: the record is complete. */
	__atomic_store_n(&r->sn_commit, r->sn_head, __ATOMIC_RELEASE);
	CRASHPOINT(snapshot_record_committed);
	shm_store64(&r->sn_keys, r->sn_keys + ctx.keys);
	shm_store32(word, gen);
	shm_store32(&r->sn_pend, 0);
}

void
snapshot_cover(struct snapshot *sp, struct ks_stripe *st, uint32_t gen)
{
	if (sp == NULL || shm_load32(keyspace_snap_word(st)) == gen)
		return;
	lock_acquire(&sp->sp_reg->sn_lock, sn_repair, sp);
	sn_record(sp, st, gen);
	lock_release(&sp->sp_reg->sn_lock);
}

void
snapshot_reset(struct snapshot *sp)
{
	struct sn_region	*r = sp->sp_reg;

	__atomic_store_n(&r->sn_active, 0, __ATOMIC_SEQ_CST);
	lock_acquire(&r->sn_lock, sn_repair, sp);
	r->sn_head = r->sn_commit = r->sn_tail = 0;
	r->sn_skip_from = r->sn_skip_to = 0;
	r->sn_skip_seq = r->sn_skip_done = 0;
	r->sn_pend = 0;
	r->sn_keys = 0;
	shm_store32(&r->sn_failed, 0);
	lock_release(&r->sn_lock);
}

uint32_t
snapshot_begin(struct snapshot *sp)
{
	struct sn_region	*r = sp->sp_reg;
	uint32_t		 gen;

	snapshot_reset(sp);
	r->sn_compress = (uint32_t)sp->sp_out.ro_compress;
	gen = r->sn_gen + 1;
	if (gen == 0)
		gen = 1;
	shm_store32(&r->sn_gen, gen);
	r->sn_pid = (int32_t)getpid();
	/* The cut. */
	__atomic_store_n(&r->sn_active, gen, __ATOMIC_SEQ_CST);
	return (gen);
}

void
snapshot_end(struct snapshot *sp)
{
	__atomic_store_n(&sp->sp_reg->sn_active, 0, __ATOMIC_SEQ_CST);
}

size_t
snapshot_sweep(struct snapshot *sp, uint32_t gen)
{
	struct keyspace		*ks = sp->sp_ks;
	struct sn_region	*r = sp->sp_reg;
	struct ks_stripe	*st;
	uint32_t		 id, n = keyspace_stripe_count(ks);
	size_t			 left = 0;

	for (id = 0; id < n && !snapshot_failed(sp); id++) {
		if ((st = keyspace_trylock_stripe_id(ks, id)) == NULL) {
			left++;
			continue;
		}
		if (shm_load32(keyspace_snap_word(st)) != gen) {
			if (lock_tryacquire(&r->sn_lock, sn_repair, sp)) {
				sn_record(sp, st, gen);
				lock_release(&r->sn_lock);
			}
			if (shm_load32(keyspace_snap_word(st)) != gen)
				left++;
		}
		keyspace_unlock(ks, st);
	}
	return (snapshot_failed(sp) ? n : left);
}

/* Write ring bytes [from, to) at the sink's position.  0, or -1. */
static int
sn_write(struct snapshot *sp, struct snapshot_sink *sk, uint64_t from,
    uint64_t to)
{
	struct sn_region	*r = sp->sp_reg;
	size_t			 at, n;
	ssize_t			 w;

	while (from < to) {
		at = (size_t)(from % r->sn_size);
		n = (size_t)(to - from);
		if (n > r->sn_size - at)
			n = r->sn_size - at;
		if ((w = pwrite(sk->sk_fd, r->sn_ring + at, n,
		    sk->sk_pos)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		from += (uint64_t)w;
		sk->sk_pos += w;
	}
	return (0);
}

int
snapshot_drain(struct snapshot *sp, struct snapshot_sink *sk)
{
	struct sn_region	*r = sp->sp_reg;
	uint64_t		 head, tail = r->sn_tail, from, to;
	uint32_t		 seq;

	/* The head first: bytes past a skip are written after it is set. */
	head = __atomic_load_n(&r->sn_head, __ATOMIC_ACQUIRE);
	seq = __atomic_load_n(&r->sn_skip_seq, __ATOMIC_ACQUIRE);
	if (seq != r->sn_skip_done) {
		from = r->sn_skip_from;
		to = r->sn_skip_to;
		if (tail < from) {
			if (sn_write(sp, sk, tail, from) == -1)
				return (-1);
			tail = from;
		}
		if (tail > from) {
			sk->sk_pos -= (off_t)(tail - from);
			if (ftruncate(sk->sk_fd, sk->sk_pos) == -1)
				return (-1);
		}
		if (tail < to)
			tail = to;
		__atomic_store_n(&r->sn_tail, tail, __ATOMIC_RELEASE);
		__atomic_store_n(&r->sn_skip_done, seq, __ATOMIC_RELEASE);
	}
	if (tail < head) {
		if (sn_write(sp, sk, tail, head) == -1)
			return (-1);
		__atomic_store_n(&r->sn_tail, head, __ATOMIC_RELEASE);
	}
	return (0);
}
