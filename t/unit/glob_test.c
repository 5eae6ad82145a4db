/*
 * glob_test.c: checks the glob-style matcher of glob.c.
 *
 * A table of patterns and strings pins down every element (star, question
 * mark, sets with ranges, reversed ranges and negation, escapes inside and
 * outside sets), the nocase flag, counted byte strings holding NUL, and the
 * quirks that Redis 7.0 shows on odd patterns: unclosed sets, a trailing
 * backslash, `[a-]', `[]]', signed range ends, an empty string.  The limit
 * on star runs is checked at its edge.  Patterns that make a naive
 * backtracking matcher take exponential time must finish within the
 * product of the two lengths in element tries.  Last, random patterns over
 * a small alphabet must give the answer of an exhaustive backtracking
 * matcher that tries every split of the string among the stars.
 */

#include <stdlib.h>
#include <string.h>

#include "hydra/glob.h"
#include "tap.h"

/* A string literal and its length, NUL bytes inside it included. */
#define S(s)	(s), (sizeof(s) - 1)

struct glob_case {
	const char	*gc_pat;
	size_t		 gc_plen;
	const char	*gc_str;
	size_t		 gc_slen;
	int		 gc_nocase;
	int		 gc_want;
	const char	*gc_why;
};

/*
 * Every case marked R was confirmed against redis-server 7.0.15: case-
 * sensitive ones with KEYS on a key holding the string, nocase ones with
 * CONFIG GET, which matches names without regard to case (the string is
 * then the tail of a configuration name such as "maxmemory").  Unmarked
 * cases follow from the grammar.
 */
static const struct glob_case cases[] = {
	/* Literals and lengths. */
	{ S(""), S(""), 0, 1, "R: the empty pattern matches the empty string" },
	{ S(""), S("a"), 0, 0, "the empty pattern matches nothing else" },
	{ S("abc"), S("abc"), 0, 1, "a literal matches itself" },
	{ S("abc"), S("abd"), 0, 0, "a literal matches no other byte" },
	{ S("abc"), S("ab"), 0, 0, "a match covers the whole pattern" },
	{ S("ab"), S("abc"), 0, 0, "a match covers the whole string" },

	/* Question mark. */
	{ S("h?llo"), S("hello"), 0, 1, "R: ? matches any byte" },
	{ S("?"), S(""), 0, 0, "R: ? needs a byte" },
	{ S("??"), S("a"), 0, 0, "each ? needs its own byte" },

	/* Star. */
	{ S("*"), S("anything"), 0, 1, "* matches any string" },
	{ S("*"), S(""), 0, 0, "R: * does not match the empty string" },
	{ S("**"), S(""), 0, 0, "R: nor does a run of stars" },
	{ S("*?"), S(""), 0, 0, "nor a star and anything else" },
	{ S("a*"), S("a"), 0, 1, "R: a trailing star matches nothing" },
	{ S("a**"), S("a"), 0, 1, "R: so does a trailing run of stars" },
	{ S("*a"), S("a"), 0, 1, "R: a leading star matches nothing" },
	{ S("h*llo"), S("hllo"), 0, 1, "R: an inner star matches nothing" },
	{ S("*a*"), S("bab"), 0, 1, "R: stars on both sides" },
	{ S("*?"), S("a"), 0, 1, "R: star then ?" },
	{ S("?*"), S("a"), 0, 1, "R: ? then star" },
	{ S("a*b*c"), S("abbbc"), 0, 1, "R: stars take runs of bytes" },
	{ S("a*b*c"), S("acb"), 0, 0, "R: the elements keep their order" },
	{ S("*ab"), S("aab"), 0, 1, "R: a star gives back what it took" },
	{ S("a*a"), S("a"), 0, 0, "R: a byte is not used twice" },
	{ S("*abc*abd"), S("abcabcabd"), 0, 1,
	    "R: the latest star resumes after a false start" },

	/* Sets. */
	{ S("h[ae]llo"), S("hallo"), 0, 1, "R: a set matches a member" },
	{ S("h[ae]llo"), S("hillo"), 0, 0, "a set matches no other byte" },
	{ S("h[^e]llo"), S("hello"), 0, 0, "R: [^ ] excludes its members" },
	{ S("h[^e]llo"), S("hallo"), 0, 1, "[^ ] matches the others" },
	{ S("[!a]"), S("!"), 0, 1, "R: ! is a member, not a negation" },
	{ S("[!a]"), S("b"), 0, 0, "R: and [!a] excludes b" },
	{ S("[a-z]"), S("m"), 0, 1, "R: a range matches inside" },
	{ S("[a-z]"), S("M"), 0, 0, "R: a range is case-sensitive" },
	{ S("[z-a]"), S("m"), 0, 1, "R: a reversed range is put in order" },
	{ S("[z-a]"), S("A"), 0, 0, "R: and still excludes outsiders" },
	{ S("[^a-c]"), S("b"), 0, 0, "R: a negated range excludes inside" },
	{ S("[^a-c]"), S("d"), 0, 1, "R: a negated range matches outside" },
	{ S("[a-a]"), S("a"), 0, 1, "R: a range of one byte" },
	{ S("[a-c-e]"), S("-"), 0, 1, "R: a - after a range is a member" },
	{ S("[a-c-e]"), S("d"), 0, 0, "R: and does not start a range" },
	{ S("[a-c-e]"), S("e"), 0, 1, "R: the byte after it is a member" },
	{ S("[-a]"), S("-"), 0, 1, "R: a leading - is a member" },
	{ S("[-]"), S("-"), 0, 1, "R: a lone - is a member" },
	{ S("[--]"), S("-"), 0, 1, "R: - to - is a range" },
	{ S("[[]"), S("["), 0, 1, "R: [ is a member of a set" },

	/* Sets that do not close, or close early. */
	{ S("[abc"), S("a"), 0, 1, "R: an unclosed set runs to the end" },
	{ S("[abc"), S("c"), 0, 1, "R: all of its bytes are members" },
	{ S("[abc"), S("d"), 0, 0, "R: others are not" },
	{ S("[abc"), S("["), 0, 0, "R: nor is the [ that opens it" },
	{ S("x[abc"), S("xb"), 0, 1, "R: an unclosed set after a literal" },
	{ S("["), S("["), 0, 0, "R: a lone [ is the empty set" },
	{ S("["), S("a"), 0, 0, "R: which matches nothing" },
	{ S("[^"), S("a"), 0, 1, "R: a lone [^ matches any byte" },
	{ S("[^"), S("^"), 0, 1, "R: the ^ included" },
	{ S("[^"), S(""), 0, 0, "R: but needs one" },
	{ S("[^a"), S("b"), 0, 1, "R: an unclosed negated set" },
	{ S("[^a"), S("a"), 0, 0, "R: excludes its members" },
	{ S("*["), S("a"), 0, 0, "R: star then the empty set" },
	{ S("*[^"), S("ab"), 0, 1, "R: star then any byte" },
	{ S("a["), S("a"), 0, 0, "R: the empty set still needs a byte" },
	{ S("[a-]"), S("a"), 0, 1, "R: [a-] is the range ] to a" },
	{ S("[a-]"), S("]"), 0, 1, "R: which holds ]" },
	{ S("[a-]"), S("_"), 0, 1, "R: and _" },
	{ S("[a-]"), S("`"), 0, 1, "R: and `" },
	{ S("[a-]"), S("^"), 0, 1, "R: and ^" },
	{ S("[a-]"), S("-"), 0, 0, "R: but not -" },
	{ S("[a-]"), S("b"), 0, 0, "R: nor b" },
	{ S("[a-"), S("a"), 0, 1, "R: [a- at the end holds a" },
	{ S("[a-"), S("-"), 0, 1, "R: and -, as no range fits" },
	{ S("[a-"), S("b"), 0, 0, "R: and nothing else" },
	{ S("[]"), S("a"), 0, 0, "R: [] is the empty set" },
	{ S("[]]"), S("]"), 0, 0, "R: [] then ] needs two bytes" },
	{ S("[]]"), S("a]"), 0, 0, "R: and the empty set takes none" },
	{ S("[]]"), S("]]"), 0, 0, "R: not even ]" },
	{ S("[^]]"), S("a]"), 0, 1, "R: [^] is any byte, then ]" },
	{ S("[^]]"), S("]]"), 0, 1, "R: ] included" },
	{ S("[^]]"), S("a"), 0, 0, "R: and the ] still needs its byte" },

	/* Escapes inside sets. */
	{ S("[\\]]"), S("]"), 0, 1, "R: an escaped ] is a member" },
	{ S("[^\\]]"), S("]"), 0, 0, "R: and can be excluded" },
	{ S("[^\\]]"), S("a"), 0, 1, "R: leaving the others" },
	{ S("[\\-x]"), S("-"), 0, 1, "R: an escaped - is a member" },
	{ S("[\\-x]"), S("x"), 0, 1, "R: and starts no range" },
	{ S("[\\-x]"), S("a"), 0, 0, "R: so a is not a member" },
	{ S("[\\a-z]"), S("a"), 0, 1, "R: an escaped byte is a member" },
	{ S("[\\a-z]"), S("-"), 0, 1, "R: an escaped byte starts no range" },
	{ S("[\\a-z]"), S("z"), 0, 1, "R: so the - and the z are members" },
	{ S("[\\a-z]"), S("0"), 0, 0, "R: and the bytes between are not" },
	{ S("[\\"), S("\\"), 0, 1, "R: a backslash ending a set is a member" },
	{ S("[a\\"), S("\\"), 0, 1, "R: after another member too" },
	{ S("[a\\"), S("a"), 0, 1, "R: which stays a member" },
	{ S("[a-\\]]"), S("\\]"), 0, 1, "R: a range may end in a backslash" },
	{ S("[a-\\]]"), S("^"), 0, 0, "R: and the ] after it is a literal" },

	/* Escapes outside sets. */
	{ S("\\*"), S("*"), 0, 1, "R: an escaped star is a literal" },
	{ S("\\*"), S("a"), 0, 0, "R: and matches nothing else" },
	{ S("\\?"), S("?"), 0, 1, "R: an escaped ? is a literal" },
	{ S("\\?"), S("x"), 0, 0, "R: and matches nothing else" },
	{ S("\\[a]"), S("[a]"), 0, 1, "R: an escaped [ opens no set" },
	{ S("\\[a]"), S("a"), 0, 0, "R: so the brackets are literals" },
	{ S("\\a"), S("a"), 0, 1, "R: an escaped ordinary byte is itself" },
	{ S("a\\\\"), S("a\\"), 0, 1, "R: an escaped backslash" },
	{ S("a\\"), S("a\\"), 0, 1, "R: a trailing backslash is a literal" },
	{ S("a\\"), S("a"), 0, 0, "R: which needs its byte" },
	{ S("\\"), S("\\"), 0, 1, "R: a lone backslash matches itself" },
	{ S("\\"), S("a"), 0, 0, "R: and nothing else" },

	/* Binary strings. */
	{ S("a\0b"), S("a\0b"), 0, 1, "R: NUL is an ordinary byte" },
	{ S("a?b"), S("a\0b"), 0, 1, "R: ? matches NUL" },
	{ S("a*"), S("a\0\0"), 0, 1, "R: a star takes NULs" },
	{ S("[\0]"), S("\0"), 0, 1, "R: NUL can be a member of a set" },
	{ S("*\0"), S("xyz\0"), 0, 1, "R: NUL after a star" },
	{ S("a"), S("a\0"), 0, 0, "R: the string is not cut at NUL" },
	{ S("a\0"), S("a"), 0, 0, "R: nor is the pattern" },
	{ S("a\0*"), S("a"), 0, 0, "a pattern with a NUL still needs it" },

	/* Range ends compare as signed bytes. */
	{ S("[\x01-\xff]"), S("\x80"), 0, 0, "R: 0xff ranks below 0x01" },
	{ S("[\x01-\xff]"), S("\x02"), 0, 0, "R: the range is 0xff..0x01" },
	{ S("[\x01-\xff]"), S("\0"), 0, 1, "R: through NUL" },
	{ S("[\x80-\xff]"), S("\x90"), 0, 1, "R: high bytes rank in order" },
	{ S("[\x00-\x7f]"), S("\x90"), 0, 0, "R: and below NUL" },

	/* Case. */
	{ S("HELLO"), S("hello"), 1, 1, "nocase: literals fold" },
	{ S("HELLO"), S("hello"), 0, 0, "without nocase they do not" },
	{ S("h[A-Z]llo"), S("hello"), 1, 1, "nocase: ranges fold" },
	{ S("h?LLo"), S("HeLlo"), 1, 1, "nocase: both sides fold" },
	{ S("[Y]"), S("y"), 1, 1, "R: nocase: set members fold" },
	{ S("[X-Z]"), S("y"), 1, 1, "R: nocase: a range folds" },
	{ S("[^Y]"), S("y"), 1, 0, "R: nocase: negated members fold" },
	{ S("[\\Y]"), S("y"), 1, 0, "R: nocase: escaped members do not" },
	{ S("[\\Y]"), S("Y"), 1, 1, "nocase: they match themselves" },
	{ S("\\Y*"), S("y"), 1, 1, "R: nocase: escapes outside sets fold" },
	{ S("[Z-a]"), S("y"), 1, 0, "R: nocase: [Z-a] folds to z..a" },
	{ S("[a-Z]"), S("y"), 1, 0, "R: nocase: so does [a-Z]" },
	{ S("[Z-a]"), S("_"), 1, 0, "nocase: which is empty" },
	{ S("[Z-a]"), S("_"), 0, 1, "R: without nocase it holds _" },
	{ S("\xc9"), S("\xe9"), 1, 0, "nocase folds ASCII only" },
};

/*
 * The number of bytes the element at p takes up, worked out again from
 * the grammar in glob.h for the reference matcher below.
 */
static size_t
ref_element_len(const char *p, size_t n)
{
	size_t	 i;

	if (p[0] == '\\')
		return n >= 2 ? 2 : 1;
	if (p[0] != '[')
		return 1;
	i = 1;
	if (i < n && p[i] == '^')
		i++;
	while (i < n) {
		if (p[i] == '\\' && n - i >= 2)
			i += 2;
		else if (p[i] == ']')
			return i + 1;
		else if (n - i >= 3 && p[i + 1] == '-')
			i += 3;
		else
			i++;
	}
	return n;
}

/*
 * The exhaustive matcher: every split of the string among the stars is
 * tried, and each other element is matched alone against one byte by
 * glob_match.  Exponential, so only for short inputs.
 */
static int
ref_match(const char *p, size_t pn, const char *s, size_t sn, int nocase)
{
	size_t	 k, len;

	if (pn == 0)
		return sn == 0;
	if (p[0] == '*') {
		for (k = 0; k <= sn; k++)
			if (ref_match(p + 1, pn - 1, s + k, sn - k, nocase))
				return 1;
		return 0;
	}
	if (sn == 0)
		return 0;
	len = ref_element_len(p, pn);
	if (!glob_match(p, len, s, 1, nocase))
		return 0;
	return ref_match(p + len, pn - len, s + 1, sn - 1, nocase);
}

/* A fixed generator, so that a failure can be replayed. */
static unsigned long rng_state = 20220301;

static unsigned int
rng(unsigned int n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned int)(rng_state >> 33) % n;
}

static void
check_table(void)
{
	const struct glob_case	*c;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		is_int(glob_match(c->gc_pat, c->gc_plen, c->gc_str, c->gc_slen,
		    c->gc_nocase), c->gc_want, "%s", c->gc_why);
	}
}

/*
 * Redis refuses to nest more than GLOB_MAX_STARS star runs; a final run
 * needs no nesting.  The edges below were confirmed against redis-server.
 */
static void
check_star_limit(void)
{
	size_t	 n, i;
	char	*pat, *str;

	pat = malloc(2 * (GLOB_MAX_STARS + 2) + 1);
	str = malloc(GLOB_MAX_STARS + 2);
	if (pat == NULL || str == NULL)
		abort();
	memset(str, 'a', GLOB_MAX_STARS + 2);

	n = GLOB_MAX_STARS;
	for (i = 0; i < n; i++)
		memcpy(pat + 2 * i, "*a", 2);
	ok(glob_match(pat, 2 * n, str, n, 0) == 1,
	    "R: %zu star runs, each followed by a byte, still match", n);
	n = GLOB_MAX_STARS + 1;
	for (i = 0; i < n; i++)
		memcpy(pat + 2 * i, "*a", 2);
	ok(glob_match(pat, 2 * n, str, n, 0) == 0,
	    "R: %zu star runs, each followed by a byte, match nothing", n);
	pat[2 * n] = '*';
	ok(glob_match(pat, 2 * n + 1, str, n, 0) == 0,
	    "R: nor does a final star save them");

	n = GLOB_MAX_STARS + 1;
	for (i = 0; i < n; i++)
		memcpy(pat + 2 * i, "a*", 2);
	ok(glob_match(pat, 2 * n, str, n, 0) == 1,
	    "R: star run %zu may close the pattern", n);
	n = GLOB_MAX_STARS + 2;
	for (i = 0; i < n; i++)
		memcpy(pat + 2 * i, "a*", 2);
	ok(glob_match(pat, 2 * n, str, n, 0) == 0,
	    "R: but not be followed by anything");

	memset(pat, '*', 2 * GLOB_MAX_STARS);
	pat[2 * GLOB_MAX_STARS] = 'a';
	ok(glob_match(pat, 2 * GLOB_MAX_STARS + 1, str, 3, 0) == 1,
	    "consecutive stars count as one run");
	free(pat);
	free(str);
}

/*
 * Patterns that send a naive backtracking matcher through every way of
 * splitting the string among the stars.  The answer must come within
 * (plen + 1) * (slen + 1) element tries.
 */
static void
check_pathological(void)
{
	static const char	 evil[] = "*a*a*a*a*a*a*a*a*a*b";
	static const char	 fine[] = "*a*a*a*a*a*a*a*a*a*a";
	size_t			 slen = 100000, plen, steps, bound;
	char			*str, *pat;
	int			 r;

	str = malloc(slen);
	if (str == NULL)
		abort();
	memset(str, 'a', slen);

	plen = sizeof(evil) - 1;
	bound = (plen + 1) * (slen + 1);
	r = glob_match_steps(evil, plen, str, slen, 0, &steps);
	ok(r == 0, "stars before a missing byte: no match");
	ok(steps <= bound, "and within plen * slen tries (%zu <= %zu)", steps,
	    bound);

	r = glob_match_steps(fine, sizeof(fine) - 1, str, slen, 0, &steps);
	ok(r == 1, "stars before a present byte: a match");
	ok(steps <= bound, "and within plen * slen tries (%zu <= %zu)", steps,
	    bound);

	/* The worst case of the resumption loop: long segment, late miss. */
	plen = 1001;
	pat = malloc(plen);
	if (pat == NULL)
		abort();
	pat[0] = '*';
	memset(pat + 1, 'a', plen - 2);
	pat[plen - 1] = 'b';
	bound = (plen + 1) * (10000 + 1);
	r = glob_match_steps(pat, plen, str, 10000, 0, &steps);
	ok(r == 0, "a star and a long segment that fails late: no match");
	ok(steps <= bound, "and within plen * slen tries (%zu <= %zu)", steps,
	    bound);
	free(pat);

	r = glob_match_steps("a*", 2, "b", 1, 0, &steps);
	ok(r == 0 && steps == 1, "a mismatch before any star stops at once");
	free(str);
}

/*
 * Random short patterns over an alphabet rich in special bytes, against
 * random strings, must give the exhaustive matcher's answer.
 */
static void
check_random(void)
{
	static const char	 palpha[] = "ab*?[]^-\\A";
	static const char	 salpha[] = "abA-]^\\";
	char			 pat[9], str[9];
	size_t			 plen, slen, i;
	int			 n, bad = 0, nocase, got, want;

	for (n = 0; n < 50000; n++) {
		plen = rng(sizeof(pat));
		slen = rng(sizeof(str));
		for (i = 0; i < plen; i++)
			pat[i] = palpha[rng(sizeof(palpha) - 1)];
		for (i = 0; i < slen; i++)
			str[i] = salpha[rng(sizeof(salpha) - 1)];
		nocase = (int)rng(2);
		got = glob_match(pat, plen, str, slen, nocase);
		want = slen == 0 ? plen == 0 :
		    ref_match(pat, plen, str, slen, nocase);
		if (got != want && bad++ == 0)
			diag("pattern \"%.*s\" string \"%.*s\" nocase %d: "
			    "got %d, want %d", (int)plen, pat, (int)slen, str,
			    nocase, got, want);
	}
	is_int(bad, 0, "50000 random cases agree with exhaustive "
	    "backtracking");
}

int
main(void)
{
	tap_no_plan();
	check_table();
	check_star_limit();
	check_pathological();
	check_random();
	return tap_done();
}
