/*
 * glob.c: glob-style pattern matching, as Redis 7.0 does it, written from
 * its documented and observed behaviour.
 *
 * Pure functions, called by workers (KEYS, SCAN MATCH, CONFIG GET) and by
 * the broker (PSUBSCRIBE); no state, no locks, no allocation.
 *
 * Every element of a pattern but the star matches exactly one byte, and the
 * way a pattern splits into elements does not depend on the string.  That
 * makes a single resumption point enough: when an element fails, only the
 * most recent star needs to swallow one more byte, and the earlier stars
 * never have to be revisited, because whatever a longer match of theirs
 * could reach, the most recent star reaches too.  Redis 7.0 escapes
 * exponential time by pruning its recursion instead (its "skip longer
 * matches" flag, the fix for CVE-2022-36021); here the bound is built in:
 * each byte of the string is a resumption point at most once, and from each
 * the loop reads each byte of the pattern at most once, so the work is at
 * most about plen * slen, and the stack depth is constant.
 *
 * Limits: none on the lengths beyond size_t; a pattern past GLOB_MAX_STARS
 * star runs answers "no match", as Redis does.
 */
#include <stddef.h>

#include "hydra/glob.h"

/* The ASCII lower case of a byte; other bytes are left alone. */
static unsigned char
glob_fold(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

/*
 * The rank of a byte as an end of a range: Redis compares them as the
 * signed chars of x86-64, so bytes from 0x80 rank below NUL.  Written out
 * so that hydra ranks alike where char is unsigned.
 */
static int
glob_rank(unsigned char c)
{
	return c < 0x80 ? (int)c : (int)c - 256;
}

static int
glob_same(unsigned char a, unsigned char b, int nocase)
{
	if (nocase)
		return glob_fold(a) == glob_fold(b);
	return a == b;
}

/*
 * Does the set that opens at p[0] == '[' contain c?  Stores in *used the
 * bytes of the pattern the set takes up, its closing `]' included, or all
 * n that remain when it is never closed.  Every member is examined whether
 * or not an earlier one matched, so *used does not depend on c.
 */
static int
glob_set(const unsigned char *p, size_t n, unsigned char c, int nocase,
    size_t *used)
{
	size_t	 i = 1;
	int	 negate = 0, found = 0;
	int	 lo, hi, rc, t;

	if (i < n && p[i] == '^') {
		negate = 1;
		i++;
	}
	for (;;) {
		if (i >= n)
			break;
		if (p[i] == '\\' && n - i >= 2) {
			/* Escaped members ignore nocase, as in Redis. */
			if (p[i + 1] == c)
				found = 1;
			i += 2;
		} else if (p[i] == ']') {
			i++;
			break;
		} else if (n - i >= 3 && p[i + 1] == '-') {
			lo = glob_rank(p[i]);
			hi = glob_rank(p[i + 2]);
			rc = glob_rank(c);
			if (lo > hi) {
				t = lo;
				lo = hi;
				hi = t;
			}
			if (nocase) {
				/* Folded after ordering: may become empty. */
				if (lo >= 'A' && lo <= 'Z')
					lo = glob_fold((unsigned char)lo);
				if (hi >= 'A' && hi <= 'Z')
					hi = glob_fold((unsigned char)hi);
				rc = glob_rank(glob_fold(c));
			}
			if (rc >= lo && rc <= hi)
				found = 1;
			i += 3;
		} else {
			if (glob_same(p[i], c, nocase))
				found = 1;
			i++;
		}
	}
	*used = i;
	return negate ? !found : found;
}

/*
 * Does the element at p[0], which is not a star, match c?  Stores in *used
 * the bytes of the pattern it takes up.
 */
static int
glob_element(const unsigned char *p, size_t n, unsigned char c, int nocase,
    size_t *used)
{
	switch (p[0]) {
	case '?':
		*used = 1;
		return 1;
	case '[':
		return glob_set(p, n, c, nocase, used);
	case '\\':
		if (n >= 2) {
			*used = 2;
			return glob_same(p[1], c, nocase);
		}
		/* A backslash that ends the pattern stands for itself. */
		*used = 1;
		return glob_same(p[0], c, nocase);
	default:
		*used = 1;
		return glob_same(p[0], c, nocase);
	}
}

int
glob_match_steps(const char *pattern, size_t plen, const char *string,
    size_t slen, int nocase, size_t *steps)
{
	const unsigned char	*pat = (const unsigned char *)pattern;
	const unsigned char	*str = (const unsigned char *)string;
	size_t			 pi = 0, si = 0, used, nsteps = 0;
	size_t			 star_pi = 0, star_si = 0;
	int			 have_star = 0, result;
	unsigned int		 runs = 0, star_runs = 0;

	/* As in Redis, only the empty pattern matches the empty string. */
	if (slen == 0) {
		result = plen == 0;
		goto done;
	}
	while (si < slen) {
		if (pi < plen && pat[pi] == '*') {
			while (pi < plen && pat[pi] == '*')
				pi++;
			if (pi == plen) {
				/* A final star takes whatever is left. */
				result = 1;
				goto done;
			}
			/*
			 * Any match has to cross this run with bytes left,
			 * and Redis refuses to nest that deep.
			 */
			if (++runs > GLOB_MAX_STARS) {
				result = 0;
				goto done;
			}
			have_star = 1;
			star_pi = pi;
			star_si = si;
			star_runs = runs;
			continue;
		}
		nsteps++;
		if (pi < plen &&
		    glob_element(pat + pi, plen - pi, str[si], nocase, &used)) {
			pi += used;
			si++;
			continue;
		}
		/*
		 * A mismatch, or the pattern ran out before the string: let
		 * the latest star take one byte more and resume after it.
		 * The runs of stars beyond it will be met, and counted, again.
		 */
		if (!have_star) {
			result = 0;
			goto done;
		}
		star_si++;
		pi = star_pi;
		si = star_si;
		runs = star_runs;
	}
	/* The string is spent; only stars may remain of the pattern. */
	while (pi < plen && pat[pi] == '*')
		pi++;
	result = pi == plen;
done:
	if (steps != NULL)
		*steps = nsteps;
	return result;
}

int
glob_match(const char *pattern, size_t plen, const char *string,
    size_t slen, int nocase)
{
	return glob_match_steps(pattern, plen, string, slen, nocase, NULL);
}
