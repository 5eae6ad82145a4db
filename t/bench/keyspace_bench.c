/*
 * keyspace_bench.c: how fast and how compact the keyspace is, measured in
 * one process on an arena of its own.
 *
 * Each round creates a fresh store (1 GiB, lazily committed, the default
 * databases and stripes), puts N keys "key:%08d" with 16-byte values into
 * database 0, and measures:
 *
 *   - the time of the whole insert loop, per key (no other process runs);
 *   - the time of N lookups of the same keys in another order (a stride
 *     permutation), per lookup;
 *   - the aggregate lookup rate of 1 and of 2 forked processes, each doing
 *     M lookups over all the keys (so over the same stripes), started
 *     together by a barrier; the rate is the lookups of all of them over
 *     the span from the first start to the last end;
 *   - the memory the keys take: the slab bytes handed out, the "all-in"
 *     figure (committed pages plus everything before page 0: header, slab
 *     and keyspace regions) and the PSS of the arena mapping as the kernel
 *     counts it in /proc/self/smaps, each divided by N.
 *
 * Every per-key figure and rate is the median of the rounds (3 by
 * default), followed by each round's value; the counts behind them (pages,
 * bytes, the slab classes in use) are the last round's.  All-in bytes per
 * key is the headline.  Output is "name: value" lines.
 *
 * The arena's name is unlinked as soon as it is created: the mapping and
 * its descriptor keep it alive for this process and its children, and
 * nothing is left behind in /dev/shm however the program ends.
 *
 * Keys and values are made before the clock starts, so the loops time the
 * keyspace calls and nothing else.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/slab.h"
#include "hydra/store.h"

#define BENCH_KEYS		1000000
#define BENCH_LOOKUPS		2000000		/* per process */
#define BENCH_ROUNDS		3
#define BENCH_MAX_ROUNDS	15
#define BENCH_MAX_PROCS		2
#define BENCH_KLEN		12		/* "key:%08d" */
#define BENCH_VLEN		16		/* "val:%012d" */
#define BENCH_TYPE_STRING	0

/* What one lookup process reports to the parent through a pipe. */
struct bench_result {
	uint64_t	 br_start_ns;	/* CLOCK_MONOTONIC, after the barrier */
	uint64_t	 br_end_ns;
	uint64_t	 br_found;
};

/* The figures of one round. */
struct bench_round {
	double		 bn_insert_ns;
	double		 bn_lookup_ns;
	double		 bn_rate[BENCH_MAX_PROCS + 1];	/* by process count */
	double		 bn_slab_bpk;
	double		 bn_allin_bpk;
	double		 bn_pss_bpk;		/* < 0: not measurable */
	uint32_t	 bn_pages_committed;
	uint64_t	 bn_meta_bytes;
	uint64_t	 bn_slab_bytes;
	long		 bn_pss_empty_kb;
	long		 bn_pss_kb;
	struct slab_stats bn_slab;
};

static uint32_t	 nkeys = BENCH_KEYS;
static uint64_t	 nlookups = BENCH_LOOKUPS;
static uint32_t	 stride;
static char	*keys;		/* nkeys * BENCH_KLEN bytes, no NULs */
static char	*vals;		/* nkeys * BENCH_VLEN bytes */
static int64_t	 now_ms;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: keyspace_bench [-n keys] [-m lookups] "
	    "[-r rounds]\n");
	exit(2);
}

static uint64_t
bench_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec);
}

static uint32_t
gcd32(uint32_t a, uint32_t b)
{
	uint32_t	 t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return (a);
}

/*
 * A step that visits every index of [0, n) once, in an order with no
 * locality: about n times the golden ratio's fraction, made coprime to n.
 */
static uint32_t
bench_stride(uint32_t n)
{
	uint32_t	 s;

	if (n < 3)
		return (1);
	for (s = (uint32_t)((uint64_t)n * 618034 / 1000000); s < n; s++)
		if (gcd32(s, n) == 1)
			return (s);
	return (1);
}

/* Key index of the j-th step of the permutation. */
static inline uint32_t
bench_perm(uint64_t j)
{
	return ((uint32_t)(j % nkeys * stride % nkeys));
}

static void
bench_make_keys(void)
{
	char		 buf[32];
	uint32_t	 i;

	if ((keys = malloc((size_t)nkeys * BENCH_KLEN)) == NULL ||
	    (vals = malloc((size_t)nkeys * BENCH_VLEN)) == NULL)
		err(1, "malloc");
	for (i = 0; i < nkeys; i++) {
		snprintf(buf, sizeof(buf), "key:%08" PRIu32, i);
		memcpy(keys + (size_t)i * BENCH_KLEN, buf, BENCH_KLEN);
		snprintf(buf, sizeof(buf), "val:%012" PRIu32, i);
		memcpy(vals + (size_t)i * BENCH_VLEN, buf, BENCH_VLEN);
	}
}

/*
 * The PSS, in kB, of this process's mappings that overlap [base, base +
 * len), from /proc/self/smaps; -1 where there is no such file.
 */
static long
bench_pss_kb(const void *base, size_t len)
{
	FILE		*f;
	char		 line[512];
	uintptr_t	 lo = (uintptr_t)base, hi = lo + len;
	unsigned long	 start, end;
	long		 kb, total = 0;
	int		 inside = 0;

	if ((f = fopen("/proc/self/smaps", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			inside = start < hi && end > lo;
			continue;
		}
		if (inside && strncmp(line, "Pss:", 4) == 0 &&
		    sscanf(line + 4, "%ld", &kb) == 1)
			total += kb;
	}
	fclose(f);
	return (total);
}

/*
 * Fork nproc processes that each do nlookups lookups, starting at their
 * own place in the permutation, and return the aggregate rate in lookups
 * per second.  The barrier: every child says it is ready on one pipe and
 * then waits for end-of-file on another, which the parent closes once all
 * are ready, releasing them at the same moment.
 */
static double
bench_lookup_procs(struct keyspace *ks, int nproc)
{
	struct bench_result	 r;
	uint64_t		 first = UINT64_MAX, last = 0, found = 0, j;
	pid_t			 pid[BENCH_MAX_PROCS];
	int			 ready[2], go[2], res[2], i, status;
	char			 c, buf[BENCH_VLEN];
	size_t			 vlen;
	uint32_t		 k;
	ssize_t			 n;

	if (pipe(ready) == -1 || pipe(go) == -1 || pipe(res) == -1)
		err(1, "pipe");
	for (i = 0; i < nproc; i++) {
		if ((pid[i] = fork()) == -1)
			err(1, "fork");
		if (pid[i] != 0)
			continue;
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) != 0)
			_exit(1);
		memset(&r, 0, sizeof(r));
		r.br_start_ns = bench_now_ns();
		for (j = 0; j < nlookups; j++) {
			k = bench_perm(j + (uint64_t)i * nkeys / nproc);
			r.br_found += keyspace_get(ks, 0,
			    keys + (size_t)k * BENCH_KLEN, BENCH_KLEN, now_ms,
			    buf, sizeof(buf), &vlen, NULL, NULL);
		}
		r.br_end_ns = bench_now_ns();
		_exit(write(res[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	for (i = 0; i < nproc; i++)
		if (read(ready[0], &c, 1) != 1)
			errx(1, "a lookup process died before the barrier");
	close(go[1]);
	for (i = 0; i < nproc; i++) {
		if ((n = read(res[0], &r, sizeof(r))) != sizeof(r))
			errx(1, "a lookup process sent %zd bytes, not %zu", n,
			    sizeof(r));
		if (r.br_start_ns < first)
			first = r.br_start_ns;
		if (r.br_end_ns > last)
			last = r.br_end_ns;
		found += r.br_found;
	}
	for (i = 0; i < nproc; i++) {
		if (waitpid(pid[i], &status, 0) == -1)
			err(1, "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			errx(1, "lookup process %ld failed", (long)pid[i]);
	}
	close(ready[0]);
	close(res[0]);
	if (found != nlookups * (uint64_t)nproc)
		errx(1, "%d processes found %" PRIu64 " of %" PRIu64 " keys",
		    nproc, found, nlookups * (uint64_t)nproc);
	return ((double)found * 1e9 / (double)(last - first));
}

static void
bench_round(int round, struct bench_round *bn)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct arena_params	 ap;
	struct slab_stats	 ss;
	char			 name[64], errbuf[256], buf[BENCH_VLEN];
	uint64_t		 t0, t1, found = 0, j;
	uint32_t		 i, k;
	size_t			 vlen;

	snprintf(name, sizeof(name), "/hydra-bench-%ld-%d", (long)getpid(),
	    round);
	store_default_params(&ap, STORE_DEFAULT_SIZE);
	if (store_create(&a, &ks, name, &ap, errbuf, sizeof(errbuf)) == -1)
		errx(1, "store_create: %s", errbuf);
	if (arena_unlink(name) == -1)
		err(1, "arena_unlink %s", name);
	bn->bn_pss_empty_kb = bench_pss_kb(a.ar_base, a.ar_size);

	/* Uncontended inserts. */
	t0 = bench_now_ns();
	for (i = 0; i < nkeys; i++)
		if (keyspace_put(&ks, 0, keys + (size_t)i * BENCH_KLEN,
		    BENCH_KLEN, BENCH_TYPE_STRING,
		    vals + (size_t)i * BENCH_VLEN, BENCH_VLEN,
		    KEYSPACE_NO_EXPIRE) == -1)
			err(1, "keyspace_put of key %" PRIu32, i);
	t1 = bench_now_ns();
	bn->bn_insert_ns = (double)(t1 - t0) / nkeys;

	/* Memory, right after the load, as Redis is measured. */
	slab_stats(&a, &ss);
	bn->bn_slab = ss;
	bn->bn_pages_committed = ss.pages_committed;
	bn->bn_slab_bytes = ss.bytes_used;
	bn->bn_meta_bytes = a.ar_hdr->ah_pages_off;
	bn->bn_slab_bpk = (double)ss.bytes_used / nkeys;
	bn->bn_allin_bpk = ((double)ss.pages_committed * ARENA_PAGE_SIZE +
	    (double)a.ar_hdr->ah_pages_off) / nkeys;
	bn->bn_pss_kb = bench_pss_kb(a.ar_base, a.ar_size);
	bn->bn_pss_bpk = bn->bn_pss_kb < 0 ? -1 :
	    (double)bn->bn_pss_kb * 1024 / nkeys;

	/* Lookups in this process, in the permutation's order. */
	t0 = bench_now_ns();
	for (j = 0; j < nkeys; j++) {
		k = bench_perm(j);
		found += keyspace_get(&ks, 0, keys + (size_t)k * BENCH_KLEN,
		    BENCH_KLEN, now_ms, buf, sizeof(buf), &vlen, NULL, NULL);
	}
	t1 = bench_now_ns();
	if (found != nkeys)
		errx(1, "found %" PRIu64 " of %" PRIu32 " keys", found, nkeys);
	bn->bn_lookup_ns = (double)(t1 - t0) / nkeys;

	/* Once, untimed: every value is the one that was put. */
	if (round == 0)
		for (i = 0; i < nkeys; i++) {
			if (keyspace_get(&ks, 0, keys + (size_t)i * BENCH_KLEN,
			    BENCH_KLEN, now_ms, buf, sizeof(buf), &vlen, NULL,
			    NULL) != 1 || vlen != BENCH_VLEN ||
			    memcmp(buf, vals + (size_t)i * BENCH_VLEN,
			    BENCH_VLEN) != 0)
				errx(1, "key %" PRIu32 " has a wrong value", i);
		}

	bn->bn_rate[1] = bench_lookup_procs(&ks, 1);
	bn->bn_rate[2] = bench_lookup_procs(&ks, 2);
	arena_detach(&a);
}

/* The slab classes in use: where the committed pages went. */
static void
bench_classes(const struct slab_stats *ss)
{
	const struct slab_class_stats	*cs;
	uint32_t			 c;

	for (c = 0; c < ss->nclasses; c++) {
		cs = &ss->cls[c];
		if (cs->pages == 0)
			continue;
		printf("slab_class_%" PRIu32 ": %" PRIu64 " chunks used, %"
		    PRIu64 " free, %" PRIu64 " pages\n", cs->chunk_size,
		    cs->used, cs->free, cs->pages);
	}
	printf("slab_pages_in_runs: %" PRIu32 "\n", ss->pages_run);
}

static int
cmp_double(const void *x, const void *y)
{
	double	 a = *(const double *)x, b = *(const double *)y;

	return ((a > b) - (a < b));
}

/* The median of the rounds' values of one field. */
static double
median(const struct bench_round *bn, int nrounds, size_t off)
{
	double	 v[BENCH_MAX_ROUNDS];
	int	 i;

	for (i = 0; i < nrounds; i++)
		memcpy(&v[i], (const char *)&bn[i] + off, sizeof(double));
	qsort(v, (size_t)nrounds, sizeof(v[0]), cmp_double);
	if (nrounds % 2 == 1)
		return (v[nrounds / 2]);
	return ((v[nrounds / 2 - 1] + v[nrounds / 2]) / 2);
}

/* "name: median" and, with more than one round, each round's value. */
static void
report(const char *name, const char *fmt, const struct bench_round *bn,
    int nrounds, size_t off)
{
	int	 i;

	printf("%s: ", name);
	printf(fmt, median(bn, nrounds, off));
	if (nrounds > 1) {
		printf("  (rounds:");
		for (i = 0; i < nrounds; i++) {
			putchar(' ');
			printf(fmt, *(const double *)((const char *)&bn[i] +
			    off));
		}
		putchar(')');
	}
	putchar('\n');
}

int
main(int argc, char *argv[])
{
	struct bench_round	 bn[BENCH_MAX_ROUNDS];
	struct timespec		 ts;
	const char		*errstr;
	int			 ch, nrounds = BENCH_ROUNDS, i;

	while ((ch = getopt(argc, argv, "m:n:r:")) != -1) {
		switch (ch) {
		case 'm':
			nlookups = strtonum(optarg, 1, INT64_MAX, &errstr);
			if (errstr != NULL)
				errx(2, "lookups %s: %s", errstr, optarg);
			break;
		case 'n':
			nkeys = (uint32_t)strtonum(optarg, 1, 100000000,
			    &errstr);
			if (errstr != NULL)
				errx(2, "keys %s: %s", errstr, optarg);
			break;
		case 'r':
			nrounds = (int)strtonum(optarg, 1, BENCH_MAX_ROUNDS,
			    &errstr);
			if (errstr != NULL)
				errx(2, "rounds %s: %s", errstr, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("keyspace_bench", 1, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	stride = bench_stride(nkeys);
	bench_make_keys();
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < nrounds; i++)
		bench_round(i, &bn[i]);

	printf("keys: %" PRIu32 "\n", nkeys);
	printf("rounds: %d (median shown first)\n", nrounds);
	printf("arena_size_mib: %zu\n", STORE_DEFAULT_SIZE >> 20);
	report("insert_ns_per_key", "%.1f", bn, nrounds,
	    offsetof(struct bench_round, bn_insert_ns));
	report("lookup_ns_per_key", "%.1f", bn, nrounds,
	    offsetof(struct bench_round, bn_lookup_ns));
	printf("lookups_per_process: %" PRIu64 "\n", nlookups);
	report("lookups_per_sec_1proc", "%.0f", bn, nrounds,
	    offsetof(struct bench_round, bn_rate[1]));
	report("lookups_per_sec_2proc", "%.0f", bn, nrounds,
	    offsetof(struct bench_round, bn_rate[2]));
	printf("lookup_scaling_2proc: %.2f\n",
	    median(bn, nrounds, offsetof(struct bench_round, bn_rate[2])) /
	    median(bn, nrounds, offsetof(struct bench_round, bn_rate[1])));
	printf("pages_committed: %" PRIu32 "\n",
	    bn[nrounds - 1].bn_pages_committed);
	printf("metadata_bytes: %" PRIu64 "\n",
	    bn[nrounds - 1].bn_meta_bytes);
	printf("slab_bytes_used: %" PRIu64 "\n",
	    bn[nrounds - 1].bn_slab_bytes);
	if (bn[nrounds - 1].bn_pss_kb >= 0) {
		printf("arena_pss_empty_kb: %ld\n",
		    bn[nrounds - 1].bn_pss_empty_kb);
		printf("arena_pss_kb: %ld\n", bn[nrounds - 1].bn_pss_kb);
	}
	bench_classes(&bn[nrounds - 1].bn_slab);
	report("slab_bytes_per_key", "%.2f", bn, nrounds,
	    offsetof(struct bench_round, bn_slab_bpk));
	if (bn[nrounds - 1].bn_pss_kb >= 0)
		report("pss_bytes_per_key", "%.2f", bn, nrounds,
		    offsetof(struct bench_round, bn_pss_bpk));
	report("allin_bytes_per_key", "%.2f", bn, nrounds,
	    offsetof(struct bench_round, bn_allin_bpk));
	return (0);
}
