/*
 * glob.h: the glob-style pattern matcher that KEYS, SCAN MATCH, PSUBSCRIBE
 * and CONFIG GET share, with the semantics of Redis 7.0's.
 *
 * A pattern is a sequence of elements, each of which but `*' matches exactly
 * one byte:
 *
 *	*	any run of bytes, the empty one included; a run of stars is one
 *	?	any byte
 *	[...]	a byte of the set: single bytes, ranges `a-z' (a reversed range
 *		`z-a' means the same), and `\x' for the byte x itself; `[^...]'
 *		is the complement.  Any byte followed by `-' and one more byte
 *		is a range, so `[a-]' is the range from `]' to `a' and is left
 *		open.  The set ends at the first `]' that is neither escaped nor
 *		part of a range, or else at the end of the pattern: `[]' is the
 *		empty set, `[]]' never matches, and `[abc' is the set {a, b, c}
 *	\x	the byte x itself; a backslash that ends the pattern is literal
 *	x	any other byte stands for itself
 *
 * Patterns and strings are counted byte strings: NUL is an ordinary byte and
 * neither is read past its length.  With nocase, ASCII letters match either
 * case, whatever the locale; bytes escaped inside a set still match only
 * themselves, as in Redis.
 *
 * Quirks kept for compatibility, each confirmed against redis-server 7.0:
 * a non-empty pattern never matches the empty string, not even "*" (KEYS and
 * SCAN treat the lone pattern "*" as "everything" before they call the
 * matcher, and callers here must do the same); the ends of a range compare
 * as signed bytes, as Redis does on x86-64, so `[\x01-\xff]' is the range
 * from 0xff to 0x01 through 0x00; with nocase, a range's ends are folded to
 * lower case after they are put in order, so `[Z-a]' matches nothing; and a
 * pattern whose star run number GLOB_MAX_STARS + 1 is followed by anything
 * matches nothing.
 *
 * The work done is at most proportional to the product of the two lengths,
 * whatever the pattern: no exponential backtracking, no recursion.
 */
#ifndef HYDRA_GLOB_H
#define HYDRA_GLOB_H

#include <stddef.h>

/*
 * Redis gives up on a match that nests more star runs than this; hydra
 * answers "no match" for the same patterns.
 */
#define GLOB_MAX_STARS	1000

/* Does the pattern match the whole string?  Returns 1 or 0. */
int	 glob_match(const char *pattern, size_t plen, const char *string,
	    size_t slen, int nocase);

/*
 * The same, storing in *steps (unless it is NULL) how many times an element
 * of the pattern was tried against a byte of the string; tests use it to
 * check the bound on the work.
 */
int	 glob_match_steps(const char *pattern, size_t plen, const char *string,
	    size_t slen, int nocase, size_t *steps);

#endif /* HYDRA_GLOB_H */
