/*
 * intent_test.c: checks the reserve, fill, publish, retire protocol of
 * intent.c, and its repair.
 *
 * The change under test replaces two published chunks (a link to each,
 * tr_live) by two new ones and sets two plain words: four stores, two
 * allocations, two retirements, the most an intent holds of chunks.  A
 * commit applies every store and frees what was retired; an abort frees
 * what was reserved and applies nothing.  intent_repair() rolls an ACTIVE
 * intent back and a READY one forward, can be run again harmlessly, and
 * refuses an intent that is damaged.  Finally a child is killed at every
 * crash point a change passes through, one run each, and the repair must
 * leave either the whole old state or the whole new one, with every chunk
 * allocated exactly when it is reachable.
 *
 * A change with an overflow record (48 stores, 8 reserved and 8 retired
 * chunks) commits, aborts and is repaired as one; a record named outside
 * the arena, or with more stores than its room, is refused.  (The kills
 * at every crash point of such changes are dict_test.c's batches.)
 *
 * Two intents that are parts of one transaction record commit or abort
 * together; repaired one at a time after their writer died, each goes
 * forward exactly when the record is COMMITTED in its own generation, and
 * back otherwise (a reference to an older generation included), and lets
 * go of the record once.
 *
 * A part that takes steps applies each step's stores at its commit, so
 * that the next step reads them; its commit frees what the steps retired
 * and keeps what they reserved; rolled back (by an abort or by repair,
 * even repair run twice, or after a repairer died halfway), it writes
 * every old value back, the last first, and frees what the steps
 * reserved and nothing else; an aborted step leaves nothing; its log
 * grows past its first chunk for a transaction of many steps.
 *
 * The intent and the words it changes live in a test region of the arena,
 * as intents do in the keyspace's stripes.
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/crashpoint.h"
#include "hydra/intent.h"
#include "hydra/slab.h"
#include "tap.h"
#include "testarena.h"

#define SIZE		((size_t)64 << 20)
#define WORD0		7
#define WORD1		0x80000009U

/* The test region: an intent and the structure it changes. */
struct tregion {
	struct intent	 tr_in;
	struct intent	 tr_in2;	/* the second part of a transaction */
	struct intent_xact tr_x;
	uint32_t	 tr_word[2];
	aoff_t		 tr_live[2];	/* the published links */
	aoff_t		 tr_fresh[2];	/* what the change allocated */
	aoff_t		 tr_spare[2];
};

static const size_t	 chunk_size[2] = { 200, 40 };

static struct tregion *
region(struct arena *a)
{
	return (arena_region(a, TESTARENA_REGION));
}

static uint64_t
used_chunks(struct arena *a)
{
	struct slab_stats	 st;
	uint64_t		 n = 0;
	uint32_t		 c;

	slab_stats(a, &st);
	for (c = 0; c < st.nclasses; c++)
		n += st.cls[c].used;
	return (n + st.pages_run);
}

static int
intent_idle(const struct intent *in)
{
	int	 i;

	if (in->in_state != INTENT_IDLE || in->in_nstores != 0)
		return (0);
	for (i = 0; i < INTENT_MAX_CHUNKS; i++)
		if (!aoff_isnull(in->in_new[i]) || !aoff_isnull(in->in_old[i]))
			return (0);
	return (1);
}

/* Publish two chunks and clear the words: the state before a change. */
static int
setup(struct arena *a, aoff_t old[2])
{
	struct tregion	*tr = region(a);
	int		 i;

	tr->tr_word[0] = tr->tr_word[1] = 0;
	for (i = 0; i < 2; i++) {
		tr->tr_fresh[i] = AOFF_NULL;
		if (slab_alloc(a, chunk_size[i], &tr->tr_live[i]) == -1)
			return (-1);
		memset(arena_ptr(a, tr->tr_live[i]), 'o', chunk_size[i]);
		old[i] = tr->tr_live[i];
	}
	return (0);
}

static void
teardown(struct arena *a)
{
	struct tregion	*tr = region(a);
	int		 i;

	for (i = 0; i < 2; i++)
		if (!aoff_isnull(tr->tr_live[i]))
			slab_free(a, &tr->tr_live[i]);
}

/*
 * Everything a change does before its commit.  0, or -1 when an
 * allocation failed (the intent is then still ACTIVE).
 */
static int
prepare(struct arena *a)
{
	struct tregion	*tr = region(a);
	struct intent	*in = &tr->tr_in;
	int		 i;

	intent_begin(a, in);
	for (i = 0; i < 2; i++) {
		if (intent_alloc(a, in, chunk_size[i], &tr->tr_fresh[i]) == -1)
			return (-1);
		memset(arena_ptr(a, tr->tr_fresh[i]), 'n', chunk_size[i]);
	}
	for (i = 0; i < 2; i++)
		intent_store(a, in, &tr->tr_live[i].u, tr->tr_fresh[i].u);
	intent_store(a, in, &tr->tr_word[0], WORD0);
	intent_store(a, in, &tr->tr_word[1], WORD1);
	for (i = 0; i < 2; i++)
		intent_retire(a, in, tr->tr_live[i]);
	return (0);
}

/* Is the structure wholly as before the change? */
static int
is_old(struct arena *a, const aoff_t old[2])
{
	struct tregion	*tr = region(a);

	return (tr->tr_word[0] == 0 && tr->tr_word[1] == 0 &&
	    aoff_eq(tr->tr_live[0], old[0]) && aoff_eq(tr->tr_live[1], old[1]));
}

/* Is it wholly as after the change? */
static int
is_new(struct arena *a, const aoff_t old[2])
{
	struct tregion	*tr = region(a);
	int		 i;

	if (tr->tr_word[0] != WORD0 || tr->tr_word[1] != WORD1)
		return (0);
	for (i = 0; i < 2; i++) {
		if (aoff_isnull(tr->tr_live[i]) ||
		    !aoff_eq(tr->tr_live[i], tr->tr_fresh[i]) ||
		    aoff_eq(tr->tr_live[i], old[0]) ||
		    aoff_eq(tr->tr_live[i], old[1]))
			return (0);
		if (*(char *)arena_ptr(a, tr->tr_live[i]) != 'n')
			return (0);
	}
	return (1);
}

static void
test_commit(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 old[2];
	uint64_t	 base;

	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	base = used_chunks(a);
	ok(prepare(a) == 0, "a change reserves two chunks");
	is_int(tr->tr_in.in_state, INTENT_ACTIVE, "the intent is ACTIVE");
	is_int((long long)used_chunks(a), (long long)base + 2,
	    "the reserved chunks are allocated");
	ok(aoff_eq(tr->tr_in.in_new[0], tr->tr_fresh[0]) &&
	    aoff_eq(tr->tr_in.in_new[1], tr->tr_fresh[1]),
	    "the intent records the chunks it reserved");
	ok(is_old(a, old), "nothing is published before the commit");
	intent_commit(a, &tr->tr_in);
	ok(is_new(a, old), "the commit applies every recorded store");
	is_int((long long)used_chunks(a), (long long)base,
	    "the commit frees the two retired chunks");
	ok(intent_idle(&tr->tr_in), "the intent is IDLE and empty after the "
	    "commit");
	teardown(a);
	is_int((long long)used_chunks(a), (long long)base - 2,
	    "the new chunks are the only ones left to free");
}

static void
test_abort(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 old[2];
	uint64_t	 base;

	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	base = used_chunks(a);
	ok(prepare(a) == 0, "a change is prepared");
	intent_abort(a, &tr->tr_in);
	ok(is_old(a, old), "an abort applies none of the stores");
	is_int((long long)used_chunks(a), (long long)base,
	    "an abort frees the reserved chunks and no retired one");
	ok(intent_idle(&tr->tr_in), "the intent is IDLE and empty after the "
	    "abort");
	teardown(a);
	is_int((long long)used_chunks(a), (long long)base - 2,
	    "the old chunks are still allocated, once each");

	/* An allocation that cannot succeed leaves nothing to undo. */
	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	base = used_chunks(a);
	intent_begin(a, &tr->tr_in);
	errno = 0;
	ok(intent_alloc(a, &tr->tr_in, SIZE * 2, &tr->tr_fresh[0]) == -1 &&
	    errno == ENOMEM, "a reservation larger than the arena fails "
	    "with ENOMEM");
	ok(aoff_isnull(tr->tr_in.in_new[0]) && aoff_isnull(tr->tr_fresh[0]),
	    "the failed reservation records no chunk");
	intent_abort(a, &tr->tr_in);
	ok(intent_idle(&tr->tr_in) && used_chunks(a) == base,
	    "the abort that follows frees nothing");
	teardown(a);
}

static void
test_repair_active(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 old[2];
	uint64_t	 base;
	int		 rolled = 99;

	is_int(intent_repair(a, &tr->tr_in, &rolled), 0,
	    "repair of an IDLE intent succeeds");
	is_int(rolled, 0, "and reports nothing in flight");

	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	base = used_chunks(a);
	ok(prepare(a) == 0, "a change is prepared and left ACTIVE");
	is_int(intent_repair(a, &tr->tr_in, &rolled), 0,
	    "repair of an ACTIVE intent succeeds");
	is_int(rolled, -1, "it rolls back");
	ok(is_old(a, old), "none of the stores is applied");
	is_int((long long)used_chunks(a), (long long)base,
	    "the reserved chunks are freed, the retired ones kept");
	ok(intent_idle(&tr->tr_in), "the intent is IDLE and empty");
	is_int(intent_repair(a, &tr->tr_in, &rolled), 0,
	    "a second repair succeeds");
	ok(rolled == 0 && is_old(a, old) && used_chunks(a) == base,
	    "and changes nothing");
	teardown(a);
}

/* Prepare a change in a child and kill it at the countdown'th point. */
static int
crash_child(struct arena *a, const char *point, uint64_t countdown,
    int arm_before_begin)
{
	struct tregion	*tr = region(a);
	pid_t		 pid;
	int		 status;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		if (arm_before_begin)
			crashpoint_arm(point, countdown);
		if (prepare(a) == -1)
			_exit(2);
		if (!arm_before_begin)
			crashpoint_arm(point, countdown);
		intent_commit(a, &tr->tr_in);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return (-1);
	if (WIFSIGNALED(status))
		return (WTERMSIG(status) == SIGKILL ? 1 : -1);
	return (WEXITSTATUS(status) == 0 ? 0 : -1);
}

static void
test_repair_ready(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 old[2];
	uint64_t	 base;
	int		 rv, rolled = 99;

	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	base = used_chunks(a);
	rv = crash_child(a, "intent_ready", 1, 0);
	is_int(rv, 1, "a child preparing a change is killed right after it "
	    "becomes READY");
	is_int(tr->tr_in.in_state, INTENT_READY, "the child left the intent "
	    "READY");
	ok(is_old(a, old), "with none of its stores applied");
	is_int((long long)used_chunks(a), (long long)base + 2,
	    "and its two chunks reserved");
	is_int(intent_repair(a, &tr->tr_in, &rolled), 0,
	    "repair of a READY intent succeeds");
	is_int(rolled, 1, "it rolls forward");
	ok(is_new(a, old), "every store of the change is applied");
	is_int((long long)used_chunks(a), (long long)base,
	    "the retired chunks are freed, the new ones kept");
	ok(intent_idle(&tr->tr_in), "the intent is IDLE and empty");
	is_int(intent_repair(a, &tr->tr_in, &rolled), 0,
	    "a second repair succeeds");
	ok(rolled == 0 && is_new(a, old) && used_chunks(a) == base,
	    "and changes nothing: no store undone, no chunk freed twice");
	teardown(a);
	is_int((long long)used_chunks(a), (long long)base - 2,
	    "the new chunks were allocated exactly once each");

	/* Killed half-way through the frees of the roll forward. */
	if (setup(a, old) == -1) {
		ok(0, "two chunks can be allocated and published");
		return;
	}
	rv = crash_child(a, "intent_freed", 1, 0);
	ok(rv == 1 && tr->tr_in.in_state == INTENT_READY &&
	    aoff_isnull(tr->tr_in.in_old[0]) &&
	    !aoff_isnull(tr->tr_in.in_old[1]),
	    "a child killed after the first free leaves one retired chunk");
	ok(intent_repair(a, &tr->tr_in, &rolled) == 0 && rolled == 1 &&
	    is_new(a, old) && used_chunks(a) == base,
	    "the roll forward frees only the one left");
	teardown(a);
}

/* A damaged intent is reported, and not acted on. */
static void
test_damaged(struct arena *a)
{
	struct tregion	*tr = region(a);
	struct intent	*in = &tr->tr_in;
	struct intent	 saved;
	int		 rolled;

	tr->tr_word[0] = 0;
	intent_begin(a, in);
	intent_store(a, in, &tr->tr_word[0], 1);
	shm_store32(&in->in_state, INTENT_READY);
	saved = *in;

	in->in_nstores = INTENT_MAX_STORES + 1;
	is_int(intent_repair(a, in, &rolled), -1,
	    "an intent with too many stores is reported damaged");
	*in = saved;
	in->in_store[0].is_pos = a->ar_size;
	is_int(intent_repair(a, in, &rolled), -1,
	    "a store outside the arena is reported damaged");
	/*
	 * A position whose end wraps around 2^64.  The intent is made IDLE
	 * so that, should the check let it through, nothing is written
	 * outside the arena: a READY one would store 4 bytes in front of it.
	 */
	*in = saved;
	in->in_store[0].is_pos = UINT64_MAX - 3;
	in->in_state = INTENT_IDLE;
	is_int(intent_repair(a, in, &rolled), -1,
	    "a store position whose end wraps around 2^64 is reported "
	    "damaged");
	*in = saved;
	in->in_store[0].is_pos |= 2;
	is_int(intent_repair(a, in, &rolled), -1,
	    "a store to a word that is not aligned is reported damaged");
	*in = saved;
	in->in_state = 7;
	is_int(intent_repair(a, in, &rolled), -1,
	    "an unknown state is reported damaged");
	is_int(tr->tr_word[0], 0, "no store of a damaged intent is applied");
	*in = saved;
	ok(intent_repair(a, in, &rolled) == 0 && rolled == 1 &&
	    tr->tr_word[0] == 1, "the intent restored is rolled forward");
	tr->tr_word[0] = 0;
}

/*
 * A change bigger than the intent: an overflow record takes the stores
 * and chunks past the intent's own; a commit applies every store and
 * frees every retired chunk and the record, an abort or a repair of an
 * ACTIVE intent frees every reserved chunk and the record, and a record
 * named out of the arena or holding more stores than its room is
 * reported damaged.
 */
#define OVF_STORES	40
#define OVF_CHUNKS	(INTENT_MAX_CHUNKS + 6)

static void
ovf_fill(struct arena *a, struct intent *in, uint32_t *words, aoff_t *got,
    aoff_t *old, uint32_t gen)
{
	unsigned	 i;

	intent_begin(a, in);
	if (intent_reserve(a, in, OVF_STORES, OVF_CHUNKS - INTENT_MAX_CHUNKS)
	    == -1)
		return;
	for (i = 0; i < OVF_CHUNKS; i++) {
		(void)intent_alloc(a, in, 24, &got[i]);
		if (old != NULL)
			intent_retire_any(a, in, old[i]);
	}
	for (i = 0; i < INTENT_MAX_STORES + OVF_STORES; i++)
		intent_store(a, in, &words[i], gen + i);
}

static void
test_overflow(struct arena *a)
{
	struct intent	*in = &region(a)->tr_in;
	aoff_t		 target = AOFF_NULL, got[OVF_CHUNKS];
	aoff_t		 old[OVF_CHUNKS];
	uint32_t	*words;
	uint64_t	 base;
	unsigned	 i, nw = INTENT_MAX_STORES + OVF_STORES;
	int		 good = 1, rolled;

	if (!ok(slab_alloc(a, nw * sizeof(uint32_t), &target) == 0,
	    "a chunk of words to change"))
		return;
	words = arena_ptr(a, target);
	memset(words, 0, nw * sizeof(uint32_t));
	memset(old, 0, sizeof(old));
	for (i = 0; i < OVF_CHUNKS; i++)
		(void)slab_alloc(a, 24, &old[i]);
	base = used_chunks(a);
	ovf_fill(a, in, words, got, old, 100);
	ok(!aoff_isnull(in->in_more), "the intent names its overflow record");
	intent_commit(a, in);
	for (i = 0; i < nw; i++)
		good &= words[i] == 100 + i;
	ok(good, "a commit applies all %u stores", nw);
	is_int((long long)used_chunks(a), (long long)base, "and frees the "
	    "retired chunks and the record, the reserved ones live");
	ok(intent_idle(in) && aoff_isnull(in->in_more) &&
	    aoff_isnull(in->in_morebuf), "the intent is IDLE and names no "
	    "record");

	ovf_fill(a, in, words, old, got, 500);
	intent_abort(a, in);
	for (i = 0, good = 1; i < nw; i++)
		good &= words[i] == 100 + i;
	ok(good && used_chunks(a) == base && intent_idle(in) &&
	    aoff_isnull(in->in_morebuf), "an abort applies no store and frees "
	    "every reserved chunk and the record");

	ovf_fill(a, in, words, old, got, 700);
	ok(intent_repair(a, in, &rolled) == 0 && rolled == -1 &&
	    used_chunks(a) == base && words[nw - 1] == 100 + nw - 1,
	    "a repair of it ACTIVE rolls it back and frees as much");

	ovf_fill(a, in, words, old, got, 900);
	target = in->in_more;
	in->in_more.u = (uint32_t)(a->ar_size / ARENA_ALIGN);
	is_int(intent_repair(a, in, &rolled), -1, "a record named outside the "
	    "arena is reported damaged");
	in->in_more = target;
	((struct intent_more *)arena_ptr(a, target))->im_nstores =
	    OVF_STORES + 1;
	is_int(intent_repair(a, in, &rolled), -1, "a record with more stores "
	    "than its room is reported damaged");
	((struct intent_more *)arena_ptr(a, target))->im_nstores = OVF_STORES;
	intent_abort(a, in);
	ok(used_chunks(a) == base, "and, restored, it is undone");
	for (i = 0; i < OVF_CHUNKS; i++)
		slab_free(a, &got[i]);
	target = arena_off(a, words);
	slab_free(a, &target);
}

static void
child_extra_alloc(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 o[INTENT_MAX_CHUNKS + 1];
	int		 i;

	intent_begin(a, &tr->tr_in);
	/* The chunks live in the intent's record only. */
	for (i = 0; i <= INTENT_MAX_CHUNKS; i++)
		(void)intent_alloc(a, &tr->tr_in, 16, &o[i]);
	_exit(0);
}

static void
child_begin_twice(struct arena *a)
{
	struct tregion	*tr = region(a);

	intent_begin(a, &tr->tr_in);
	intent_begin(a, &tr->tr_in);
	_exit(0);
}

static int
abort_status(struct arena *a, void (*fn)(struct arena *))
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0)
		fn(a);
	if (waitpid(pid, &status, 0) != pid)
		return (-1);
	return (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void
test_misuse(struct arena *a)
{
	struct tregion	*tr = region(a);
	uint64_t	 base = used_chunks(a);
	int		 rolled;

	is_int(abort_status(a, child_extra_alloc), SIGABRT,
	    "a reservation past INTENT_MAX_CHUNKS in one change aborts");
	is_int(tr->tr_in.in_state, INTENT_ACTIVE,
	    "the aborted process left its intent ACTIVE");
	ok(intent_repair(a, &tr->tr_in, &rolled) == 0 && rolled == -1 &&
	    used_chunks(a) == base && intent_idle(&tr->tr_in),
	    "repair rolls it back and frees every one of its chunks");
	is_int(abort_status(a, child_begin_twice), SIGABRT,
	    "beginning an intent that is not IDLE aborts");
	ok(intent_repair(a, &tr->tr_in, &rolled) == 0 && rolled == -1 &&
	    intent_idle(&tr->tr_in), "and repair clears it");
}

/*
 * Kill a child at the k-th crash point of a whole change, for every k
 * until the change runs to its end, and repair after each: the structure
 * must be wholly old or wholly new, with no chunk leaked or lost.
 */
static void
test_every_crash_point(struct arena *a)
{
	struct tregion	*tr = region(a);
	aoff_t		 old[2];
	uint64_t	 base, k;
	int		 rv, rolled, back = 0, fwd = 0, bad = 0;

	for (k = 1; k < 200; k++) {
		if (setup(a, old) == -1) {
			ok(0, "two chunks can be allocated and published");
			return;
		}
		base = used_chunks(a);
		rv = crash_child(a, "any", k, 1);
		if (rv == -1) {
			ok(0, "the child at crash point %llu died as planned",
			    (unsigned long long)k);
			return;
		}
		if (intent_repair(a, &tr->tr_in, &rolled) == -1) {
			bad++;
			diag("   crash at point %llu: repair failed",
			    (unsigned long long)k);
			break;
		}
		/* Nothing in flight: died before the begin or after the end. */
		if (!intent_idle(&tr->tr_in) || used_chunks(a) != base ||
		    !(rolled == 1 ? is_new(a, old) : rolled == -1 ?
		    is_old(a, old) : is_new(a, old) || is_old(a, old))) {
			bad++;
			diag("   crash at point %llu: rolled %d, %llu chunks "
			    "in use (want %llu), %s", (unsigned long long)k,
			    rolled, (unsigned long long)used_chunks(a),
			    (unsigned long long)base,
			    is_new(a, old) ? "new" : is_old(a, old) ? "old" :
			    "mixed");
		}
		back += rolled == -1;
		fwd += rolled == 1;
		teardown(a);
		if (used_chunks(a) != base - 2) {
			bad++;
			diag("   crash at point %llu: %llu chunks left after "
			    "teardown", (unsigned long long)k,
			    (unsigned long long)used_chunks(a));
		}
		if (rv == 0)
			break;
	}
	ok(k > 10 && k < 200, "a change passes %llu crash points",
	    (unsigned long long)k - 1);
	is_int(bad, 0, "after a crash at any of them, repair leaves the "
	    "structure wholly old or wholly new, every chunk accounted for");
	ok(back > 0 && fwd > 0, "crashes before READY roll back (%d), "
	    "crashes after it roll forward (%d)", back, fwd);
}

/*
 * Begin a transaction on tr_x whose part 0 (tr_in) sets word 0 to v0 and
 * reserves a chunk (tr_fresh[0]), and whose part 1 (tr_in2) sets word 1 to v1.
 */
static void
xact_prepare(struct arena *a, uint32_t v0, uint32_t v1)
{
	struct tregion	*tr = region(a);

	tr->tr_word[0] = tr->tr_word[1] = 0;
	intent_xact_begin(&tr->tr_x);
	intent_join(a, &tr->tr_in, &tr->tr_x);
	(void)intent_alloc(a, &tr->tr_in, 64, &tr->tr_fresh[0]);
	intent_store(a, &tr->tr_in, &tr->tr_word[0], v0);
	intent_join(a, &tr->tr_in2, &tr->tr_x);
	intent_store(a, &tr->tr_in2, &tr->tr_word[1], v1);
}

/* Do the parts still name the record at its generation? */
static int
xact_named(struct arena *a, const struct intent *in)
{
	struct tregion	*tr = region(a);

	return (intent_xact_names(a, in, &tr->tr_x,
	    INTENT_XACT_GEN(tr->tr_x.ix_word)));
}

static int
xact_idle(struct arena *a)
{
	struct tregion	*tr = region(a);

	return (intent_idle(&tr->tr_in) && intent_idle(&tr->tr_in2) &&
	    tr->tr_in.in_xpos == 0 && tr->tr_in2.in_xpos == 0);
}

static void
test_xact(struct arena *a)
{
	struct tregion	*tr = region(a);
	struct intent	*parts[2] = { &tr->tr_in, &tr->tr_in2 };
	uint64_t	 base = used_chunks(a), w;
	uint32_t	 gen;
	int		 r0, r1, r2;

	intent_xact_init(&tr->tr_x);
	xact_prepare(a, 3, 4);
	ok(xact_named(a, &tr->tr_in) && xact_named(a, &tr->tr_in2),
	    "both joined parts name the record at its generation");
	intent_xact_commit(a, &tr->tr_x, parts, 2);
	ok(tr->tr_word[0] == 3 && tr->tr_word[1] == 4 && xact_idle(a) &&
	    INTENT_XACT_STATE(tr->tr_x.ix_word) == INTENT_XACT_IDLE &&
	    used_chunks(a) == base + 1, "a commit applies both parts and "
	    "leaves the record IDLE");
	slab_free(a, &tr->tr_fresh[0]);	/* kept by the commit */

	xact_prepare(a, 3, 4);
	intent_xact_abort(a, &tr->tr_x, parts, 2);
	ok(tr->tr_word[0] == 0 && tr->tr_word[1] == 0 && xact_idle(a) &&
	    INTENT_XACT_STATE(tr->tr_x.ix_word) == INTENT_XACT_IDLE &&
	    used_chunks(a) == base, "an abort applies neither part and frees "
	    "what was reserved");

	/* The writer dies before the commit point: both roll back. */
	xact_prepare(a, 5, 6);
	r1 = intent_repair(a, &tr->tr_in2, &r0) == 0 && r0 == -1;
	ok(r1 && !xact_named(a, &tr->tr_in2) && xact_named(a, &tr->tr_in),
	    "an uncommitted part repaired alone rolls back and lets go of "
	    "the record; the other part is still pending");
	r1 = intent_repair(a, &tr->tr_in2, &r0) == 0 && r0 == 0;
	r2 = intent_repair(a, &tr->tr_in, &r0) == 0 && r0 == -1;
	ok(r1 && r2 && tr->tr_word[0] == 0 && tr->tr_word[1] == 0 &&
	    xact_idle(a) && used_chunks(a) == base, "repairing it again "
	    "does nothing; the other rolls back too");

	/* The writer dies after the commit point, before applying. */
	xact_prepare(a, 7, 8);
	w = tr->tr_x.ix_word;
	tr->tr_x.ix_word = INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_COMMITTED);
	r1 = intent_repair(a, &tr->tr_in, &r0) == 0 && r0 == 1;
	ok(r1 && tr->tr_word[0] == 7 && tr->tr_word[1] == 0 &&
	    INTENT_XACT_STATE(tr->tr_x.ix_word) == INTENT_XACT_COMMITTED &&
	    xact_named(a, &tr->tr_in2), "a committed part repaired alone "
	    "rolls forward; the record keeps the decision for the other");
	r1 = intent_repair(a, &tr->tr_in2, &r0) == 0 && r0 == 1;
	ok(r1 && tr->tr_word[1] == 8 && xact_idle(a) &&
	    used_chunks(a) == base + 1, "the other rolls forward too");
	slab_free(a, &tr->tr_fresh[0]);

	/* A part that names an older generation of a committed record. */
	xact_prepare(a, 9, 10);
	gen = tr->tr_in2.in_xgen;
	tr->tr_in2.in_xgen = gen - 1;
	tr->tr_x.ix_word = INTENT_XACT_WORD(gen, INTENT_XACT_COMMITTED);
	r1 = intent_repair(a, &tr->tr_in2, &r0) == 0 && r0 == -1;
	ok(r1 && tr->tr_word[1] == 0 && tr->tr_in2.in_xpos == 0 &&
	    xact_named(a, &tr->tr_in), "a part of an older generation rolls "
	    "back, whatever the newer one decided");
	(void)intent_repair(a, &tr->tr_in, &r0);
	ok(r0 == 1 && xact_idle(a), "the part of the record's own "
	    "generation rolls forward");
	slab_free(a, &tr->tr_fresh[0]);

	/* A reference outside the arena is damage. */
	tr->tr_x.ix_word = INTENT_XACT_WORD(gen, INTENT_XACT_IDLE);
	xact_prepare(a, 1, 2);
	tr->tr_in2.in_xpos = a->ar_size;
	ok(intent_repair(a, &tr->tr_in2, &r0) == -1, "a part naming a "
	    "record outside the arena is refused");
	tr->tr_in2.in_xpos = arena_pos(a, &tr->tr_x);
	(void)intent_repair(a, &tr->tr_in2, &r0);
	(void)intent_repair(a, &tr->tr_in, &r0);
	ok(xact_idle(a) && used_chunks(a) == base, "and, repaired, it "
	    "rolls back with the other");
}

/* Steps. */

#define STEPS_MANY	600	/* steps of one store: the log must grow */

/*
 * A transaction of one part taking steps, on tr_in: a step that reserves
 * tr_fresh[0] and sets word 0 to 1; a step that reads word 0 and sets it
 * to what it read plus one, sets word 1 and retires tr_live[0] (unlinking
 * it); an aborted step that reserves a chunk and sets word 1; then `many'
 * steps that add one to word 1.
 */
static int
steps_prepare(struct arena *a, unsigned many)
{
	struct tregion	*tr = region(a);
	aoff_t		 spare;
	unsigned	 i;

	intent_xact_begin(&tr->tr_x);
	if (intent_join_steps(a, &tr->tr_in, &tr->tr_x, 0) == -1)
		return (-1);
	intent_begin(a, &tr->tr_in);
	if (intent_alloc(a, &tr->tr_in, 64, &tr->tr_fresh[0]) == -1)
		return (-1);
	intent_store(a, &tr->tr_in, &tr->tr_word[0], 1);
	intent_commit(a, &tr->tr_in);
	intent_begin(a, &tr->tr_in);
	intent_store(a, &tr->tr_in, &tr->tr_word[0], tr->tr_word[0] + 1);
	intent_store(a, &tr->tr_in, &tr->tr_word[1], WORD1);
	intent_store(a, &tr->tr_in, &tr->tr_live[0].u, 0);
	intent_retire(a, &tr->tr_in, tr->tr_live[0]);
	intent_commit(a, &tr->tr_in);
	intent_begin(a, &tr->tr_in);
	if (intent_alloc(a, &tr->tr_in, 64, &spare) == -1)
		return (-1);
	intent_store(a, &tr->tr_in, &tr->tr_word[1], 12345);
	intent_abort(a, &tr->tr_in);
	for (i = 0; i < many; i++) {
		intent_begin(a, &tr->tr_in);
		intent_store(a, &tr->tr_in, &tr->tr_word[1],
		    tr->tr_word[1] + 1);
		intent_commit(a, &tr->tr_in);
	}
	return (0);
}

static int
steps_idle(struct arena *a)
{
	struct tregion	*tr = region(a);

	return (intent_idle(&tr->tr_in) && tr->tr_in.in_steps == 0 &&
	    tr->tr_in.in_xpos == 0 && aoff_isnull(tr->tr_in.in_log) &&
	    aoff_isnull(tr->tr_in.in_logbuf));
}

/* The log's chunks. */
static unsigned
steps_log_chunks(struct arena *a)
{
	struct tregion		*tr = region(a);
	const struct intent_log	*l;
	aoff_t			 o;
	unsigned		 n = 0;

	for (o = tr->tr_in.in_log; !aoff_isnull(o); o = l->lg_next, n++)
		l = arena_ptr(a, o);
	return (n);
}

static void
test_steps(struct arena *a)
{
	struct tregion	*tr = region(a);
	struct intent	*parts[1] = { &tr->tr_in };
	aoff_t		 old[2];
	uint64_t	 base;
	int		 rolled, good;

	intent_xact_init(&tr->tr_x);
	base = used_chunks(a);
	good = setup(a, old) == 0 && steps_prepare(a, 2) == 0;
	ok(good && tr->tr_word[0] == 2 && tr->tr_word[1] == WORD1 + 2 &&
	    aoff_isnull(tr->tr_live[0]) &&
	    used_chunks(a) == base + 3 + steps_log_chunks(a),
	    "each step reads what the last applied; an aborted step left "
	    "nothing; nothing retired is freed yet");
	intent_xact_commit(a, &tr->tr_x, parts, 1);
	ok(steps_idle(a) && used_chunks(a) == base + 2 &&
	    tr->tr_word[1] == WORD1 + 2, "the commit frees what the steps "
	    "retired, keeps what they reserved and lets go of the log");
	slab_free(a, &tr->tr_fresh[0]);
	teardown(a);

	good = setup(a, old) == 0 && steps_prepare(a, 2) == 0;
	intent_xact_abort(a, &tr->tr_x, parts, 1);
	ok(good && steps_idle(a) && tr->tr_word[0] == 0 &&
	    tr->tr_word[1] == 0 && aoff_eq(tr->tr_live[0], old[0]) &&
	    used_chunks(a) == base + 2, "an abort writes every old value "
	    "back and frees what the steps reserved, not what they retired");
	teardown(a);

	good = setup(a, old) == 0 && steps_prepare(a, STEPS_MANY) == 0;
	ok(good && steps_log_chunks(a) > 1 &&
	    tr->tr_word[1] == WORD1 + STEPS_MANY, "%u steps grew the log "
	    "to %u chunks", STEPS_MANY, steps_log_chunks(a));
	good = intent_repair(a, &tr->tr_in, &rolled) == 0 && rolled == -1;
	ok(good && steps_idle(a) && tr->tr_word[0] == 0 &&
	    tr->tr_word[1] == 0 && aoff_eq(tr->tr_live[0], old[0]) &&
	    used_chunks(a) == base + 2, "a writer dead before the commit: "
	    "repair rolls every step back, the last first");
	good = intent_repair(a, &tr->tr_in, &rolled) == 0 && rolled == 0;
	ok(good && tr->tr_word[1] == 0 && used_chunks(a) == base + 2,
	    "and repair run again does nothing");
	teardown(a);

	/* A repairer that died after writing the old values back. */
	good = setup(a, old) == 0 && steps_prepare(a, 2) == 0;
	tr->tr_word[0] = 99;	/* as if changed since: must stay */
	shm_store32(&tr->tr_in.in_state, INTENT_UNDONE);
	good = good && intent_repair(a, &tr->tr_in, &rolled) == 0 &&
	    rolled == -1;
	ok(good && steps_idle(a) && tr->tr_word[0] == 99 &&
	    used_chunks(a) == base + 2, "an UNDONE part only frees what "
	    "was reserved: no old value is written twice");
	tr->tr_word[0] = 0;
	tr->tr_live[0] = old[0];
	teardown(a);

	/* A writer dead after the commit point: forward. */
	good = setup(a, old) == 0 && steps_prepare(a, 2) == 0;
	tr->tr_x.ix_word = INTENT_XACT_WORD(INTENT_XACT_GEN(tr->tr_x.ix_word),
	    INTENT_XACT_COMMITTED);
	good = good && intent_repair(a, &tr->tr_in, &rolled) == 0 &&
	    rolled == 1;
	ok(good && steps_idle(a) && tr->tr_word[0] == 2 &&
	    tr->tr_word[1] == WORD1 + 2 && used_chunks(a) == base + 2,
	    "a committed part is rolled forward: what was retired is freed");
	tr->tr_x.ix_word = INTENT_XACT_WORD(INTENT_XACT_GEN(tr->tr_x.ix_word),
	    INTENT_XACT_IDLE);
	slab_free(a, &tr->tr_fresh[0]);
	teardown(a);
	ok(used_chunks(a) == base, "nothing leaked");
}

int
main(void)
{
	struct arena	 a;

	tap_no_plan();
	if (!crashpoint_enabled()) {
		skip(1, "this build has no crash points (HYDRA_CRASHPOINTS)");
		return (tap_done());
	}
	if (!ok(testarena_with_region(&a, SIZE, sizeof(struct tregion)) == 0,
	    "a 64 MiB arena with a region for an intent"))
		return (tap_done());
	intent_init(&region(&a)->tr_in);
	intent_init(&region(&a)->tr_in2);
	ok(intent_idle(&region(&a)->tr_in), "a new intent is IDLE and empty");

	test_commit(&a);
	test_abort(&a);
	test_repair_active(&a);
	test_repair_ready(&a);
	test_damaged(&a);
	test_overflow(&a);
	test_misuse(&a);
	test_every_crash_point(&a);
	test_xact(&a);
	test_steps(&a);

	testarena_destroy(&a);
	return (tap_done());
}
