/*
 * dict_bench.c: how fast and how compact the arena hash table is as it
 * grows, measured in one process on an arena of its own.
 *
 * For each size N (1,000, 10,000, 100,000 and 1,000,000 by default, or
 * the sizes given as arguments), a fresh store (1 GiB, lazily committed)
 * gets one hash key grown by N sets of "field:<i>" to "value:<i>", as
 * HSET would grow it, and one set key of N members "member:<i>"; then
 * the hash is read by N finds in another order (a stride permutation) and
 * emptied by N deletes.  Printed per size, as "name: value" lines: the
 * nanoseconds of a set, a find and a delete (means over the N), and the
 * arena bytes per pair of the hash and of the set (their entries and
 * every chunk of their tables).  Flat times across sizes are what
 * incremental growth promises; Redis 7.0 takes 64.3 and 48.3 bytes a pair
 * for the 1,000-pair hash and set (MEMORY USAGE; dict_test.c).
 *
 * The arena's name is unlinked as soon as it is created, so nothing is
 * left in /dev/shm however the program ends.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/dict.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/slab.h"
#include "hydra/store.h"
#include "hydra/value.h"

#define BENCH_ARENA	((size_t)1 << 30)

static double
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec);
}

/* Set, or first write, field `f' of key k to v; -1 on failure. */
static int
bench_set(struct keyspace *ks, const struct ks_key *k, uint8_t tag,
    const char *f, size_t flen, const char *v, size_t vlen)
{
	struct ks_stripe	*st = keyspace_lock(ks, 0, k);
	const struct entry	*e = keyspace_peek_locked(ks, st, k, 0);
	struct dict_pair	 p = { f, flen, v, vlen };
	int			 rv;

	rv = e == NULL ? dict_write_locked(ks, st, k, tag, &p, 1,
	    KEYSPACE_NO_EXPIRE) : dict_set_locked(ks, st, k, e, f, flen, v,
	    vlen);
	keyspace_unlock(ks, st);
	return (rv);
}

/* Arena bytes of key k: its entry and its table. */
static size_t
bench_bytes(struct keyspace *ks, const struct ks_key *k)
{
	struct ks_stripe	*st = keyspace_lock(ks, 0, k);
	const struct entry	*e = keyspace_peek_locked(ks, st, k, 0);
	size_t			 bytes = 0;

	if (e != NULL)
		bytes = value_memory(ks->ks_arena, e);
	keyspace_unlock(ks, st);
	return (bytes);
}

static void
bench_size(uint32_t n)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct arena_params	 ap;
	struct ks_key		 hk, sk;
	struct ks_stripe	*st;
	struct dict_pair	 p;
	char			 name[64], err[256], f[32], v[32];
	uint32_t		 i, j, stride = 7919;
	size_t			 flen, vlen;
	double			 t0, tset, tfind, tdel;

	snprintf(name, sizeof(name), "/hydra-dict-bench-%ld", (long)getpid());
	(void)arena_unlink(name);
	store_default_params(&ap, BENCH_ARENA);
	if (store_create(&a, &ks, name, &ap, err, sizeof(err)) == -1)
		errx(1, "store_create: %s", err);
	(void)arena_unlink(name);
	keyspace_key(&ks, &hk, "hash", 4);
	keyspace_key(&ks, &sk, "set", 3);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		flen = (size_t)snprintf(f, sizeof(f), "field:%u", i);
		vlen = (size_t)snprintf(v, sizeof(v), "value:%u", i);
		if (bench_set(&ks, &hk, OBJ_HASH | OBJ_HASH_TABLE, f, flen, v,
		    vlen) == -1)
			errx(1, "set %u failed", i);
	}
	tset = (now_ns() - t0) / n;
	for (i = 0; i < n; i++) {
		flen = (size_t)snprintf(f, sizeof(f), "member:%u", i);
		if (bench_set(&ks, &sk, OBJ_SET | OBJ_SET_TABLE, f, flen, "",
		    0) == -1)
			errx(1, "set member %u failed", i);
	}
	while (n % stride == 0)
		stride++;
	t0 = now_ns();
	st = keyspace_lock(&ks, 0, &hk);
	for (i = 0, j = 0; i < n; i++, j = (uint32_t)((j + stride) % n)) {
		flen = (size_t)snprintf(f, sizeof(f), "field:%u", j);
		if (!dict_find(ks.ks_arena, keyspace_peek_locked(&ks, st, &hk,
		    0), f, flen, &p))
			errx(1, "field %u not found", j);
	}
	keyspace_unlock(&ks, st);
	tfind = (now_ns() - t0) / n;
	printf("pairs: %u\n", n);
	printf("set_ns: %.0f\n", tset);
	printf("find_ns: %.0f\n", tfind);
	printf("hash_bytes_per_pair: %.1f\n", (double)bench_bytes(&ks, &hk) /
	    n);
	printf("set_bytes_per_pair: %.1f\n", (double)bench_bytes(&ks, &sk) /
	    n);
	t0 = now_ns();
	for (i = 0, j = 0; i < n; i++, j = (uint32_t)((j + stride) % n)) {
		flen = (size_t)snprintf(f, sizeof(f), "field:%u", j);
		st = keyspace_lock(&ks, 0, &hk);
		if (dict_delete_locked(&ks, st, &hk, keyspace_peek_locked(&ks,
		    st, &hk, 0), f, flen) != 1)
			errx(1, "delete %u failed", j);
		keyspace_unlock(&ks, st);
	}
	tdel = (now_ns() - t0) / n;
	printf("delete_ns: %.0f\n", tdel);
	arena_detach(&a);
}

int
main(int argc, char *argv[])
{
	static const uint32_t	 sizes[] = { 1000, 10000, 100000, 1000000 };
	size_t			 i;
	int			 k;

	if (argc > 1) {
		for (k = 1; k < argc; k++)
			bench_size((uint32_t)strtoul(argv[k], NULL, 10));
		return (0);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_size(sizes[i]);
	return (0);
}
