/*
 * splitargs_test.c: checks the sdssplitargs() word splitter of splitargs.c.
 *
 * A table of lines gives the words each one splits into, or the error:
 * blanks between words, the words' own ends, double quotes with every
 * escape, single quotes with their one escape, quotes in the middle of a
 * word, a closing quote followed by something other than a blank, quotes
 * that are never closed, and NUL both as a byte of the line and as a byte
 * made with \x00.  Every word of every line is also checked for what the
 * callers rely on: it starts inside the line, a word without quotes is the
 * line's own bytes, and the splitter writes no more than the room it was
 * promised (each word gets an output buffer of exactly that size, which
 * the AddressSanitizer build checks).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/splitargs.h"
#include "tap.h"

/* A string literal and its length, NUL bytes inside it included. */
#define S(s)	(s), (sizeof(s) - 1)

#define ERR	"ERR"

struct split_case {
	const char	*sc_line;
	size_t		 sc_len;
	const char	*sc_want;	/* the words rendered, or ERR */
	const char	*sc_why;	/* the invariant the case checks */
};

/*
 * Words are rendered [bytes] when they held no quote and {bytes} when they
 * did; bytes outside printable ASCII, and the brackets and backslash
 * themselves, as \xHH.
 */
static const struct split_case cases[] = {
	{ S(""), "", "an empty line has no words" },
	{ S(" \t\n\v\f\r"), "", "all six C-locale blanks separate words" },
	{ S("set a b"), "[set][a][b]", "words are split at spaces" },
	{ S("  set\t a \r\n"), "[set][a]",
	    "blanks before, between and after words are dropped" },
	{ S("a\vb\fc"), "[a\\x0bb\\x0cc]",
	    "\\v and \\f separate words but do not end one, as in Redis" },
	{ S("a\v b"), "[a\\x0b][b]",
	    "a word runs through \\v up to the next space" },
	{ S("\"hello world\""), "{hello world}",
	    "double quotes keep blanks in a word" },
	{ S("\"\""), "{}", "empty double quotes are an empty word" },
	{ S("''"), "{}", "empty single quotes are an empty word" },
	{ S("\"a\\n\\r\\t\\b\\a\""), "{a\\x0a\\x0d\\x09\\x08\\x07}",
	    "double quotes take \\n \\r \\t \\b \\a" },
	{ S("\"\\x41\\x7a\\xfF\""), "{Az\\xff}",
	    "\\xHH takes two hex digits of either case" },
	{ S("\"\\x4\""), "{x4}",
	    "\\x without two hex digits is x itself" },
	{ S("\"\\xg1\""), "{xg1}", "\\x with a non-hex digit is x itself" },
	{ S("\"a\\x00b\""), "{a\\x00b}",
	    "\\x00 is an ordinary byte of its word" },
	{ S("\"\\\"\\\\\\q\""), "{\"\\x5cq}",
	    "\\c is c itself for any other c" },
	{ S("'a\\'b'"), "{a'b}", "single quotes take \\'" },
	{ S("'a\\nb\\\\x'"), "{a\\x5cnb\\x5c\\x5cx}",
	    "other backslashes in single quotes are literal" },
	{ S("'a\"b'"), "{a\"b}", "a double quote is literal in single quotes" },
	{ S("\"a'b\""), "{a'b}", "a single quote is literal in double quotes" },
	{ S("ab\"c d\""), "{abc d}",
	    "a quote inside a word opens a quoted part of it" },
	{ S("ab'c d' e"), "{abc d}[e]",
	    "a single quote inside a word opens a quoted part of it" },
	{ S("a\\nb"), "[a\\x5cnb]", "backslashes are literal outside quotes" },
	{ S("\"a\" 'b'\t\"c\"\n"), "{a}{b}{c}",
	    "any blank may follow a closing quote" },
	{ S("\"a\"\v"), "{a}", "\\v may follow a closing quote" },
	{ S("\"a\"b"), ERR, "a closing double quote must end the word" },
	{ S("'a'b"), ERR, "a closing single quote must end the word" },
	{ S("\"a\"\"b\""), ERR, "two quoted parts may not touch" },
	{ S("\"abc"), ERR, "an unclosed double quote is an error" },
	{ S("'abc"), ERR, "an unclosed single quote is an error" },
	{ S("\"abc\\"), ERR, "a backslash ending the line closes nothing" },
	{ S("\"abc\\\""), ERR, "an escaped double quote closes nothing" },
	{ S("'abc\\'"), ERR, "an escaped single quote closes nothing" },
	{ S("ok \"abc"), ERR, "an error after good words is still an error" },
	{ S("a\0b"), "[a]", "a NUL in the line ends it" },
	{ S("a \0 b"), "[a]", "nothing after a NUL is looked at" },
	{ S("\"a\0\""), ERR, "a NUL inside quotes leaves them unclosed" },
	{ S("\"a\"\0b"), "{a}", "a NUL may follow a closing quote" },
	{ S("\"\\x"), ERR, "\\x at the end of the line reads nothing past it" },
	{ "set abcdef", 5, "[set][a]", "nothing past the length is read" },
	{ "\"abc\" x", 4, ERR,
	    "the length ends the line inside quotes too" },
};

static void
render(char *dst, size_t cap, size_t *n, const char *s, size_t len,
    int quoted)
{
	size_t		 i;
	unsigned char	 c;

	*n += snprintf(dst + *n, cap - *n, "%c", quoted ? '{' : '[');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '[' || c == ']' ||
		    c == '{' || c == '}' || c == '\\')
			*n += snprintf(dst + *n, cap - *n, "\\x%02x", c);
		else
			*n += snprintf(dst + *n, cap - *n, "%c", c);
	}
	*n += snprintf(dst + *n, cap - *n, "%c", quoted ? '}' : ']');
}

/*
 * Split a whole line, rendering its words into got, and check each word
 * against the promises the callers rely on.  Returns 0 or -1 for an error.
 */
static int
split(const struct split_case *sc, char *got, size_t cap, int *sound)
{
	struct splitargs_word	 w;
	size_t			 pos = 0, last, n = 0, room;
	char			*out;
	int			 r;

	got[0] = '\0';
	*sound = 1;
	for (;;) {
		last = pos;
		room = sc->sc_len - pos;
		/* Exactly the promised room, so that ASan sees an overrun. */
		if ((out = malloc(room > 0 ? room : 1)) == NULL)
			abort();
		r = splitargs_next(sc->sc_line, sc->sc_len, &pos, out, &w);
		if (r != 1) {
			free(out);
			break;
		}
		if (w.sw_start < last || w.sw_start >= sc->sc_len ||
		    pos > sc->sc_len || pos <= w.sw_start ||
		    w.sw_len > room || (w.sw_quoted != 0 && w.sw_quoted != 1))
			*sound = 0;
		if (!w.sw_quoted &&
		    memcmp(sc->sc_line + w.sw_start, out, w.sw_len) != 0)
			*sound = 0;
		render(got, cap, &n, out, w.sw_len, w.sw_quoted);
		free(out);
	}
	if (r == 0 && pos > sc->sc_len)
		*sound = 0;
	return r == 0 ? 0 : -1;
}

int
main(void)
{
	struct splitargs_word	 w;
	char			 got[512], out[16];
	size_t			 i, pos;
	int			 r, sound;

	tap_no_plan();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = split(&cases[i], got, sizeof(got), &sound);
		if (strcmp(cases[i].sc_want, ERR) == 0)
			ok(r == -1, "%s", cases[i].sc_why);
		else {
			ok(r == 0 && strcmp(got, cases[i].sc_want) == 0,
			    "%s", cases[i].sc_why);
			if (r != 0 || strcmp(got, cases[i].sc_want) != 0)
				diag("got \"%s\", want \"%s\"", r == 0 ?
				    got : ERR, cases[i].sc_want);
		}
		ok(sound, "every word of case %zu starts in the line and "
		    "fits its room, and a word without quotes is the line's "
		    "own bytes", i);
	}

	/* Resuming from the position given back goes on with the next word. */
	pos = 0;
	r = splitargs_next(S("  ab \"c d\""), &pos, out, &w);
	ok(r == 1 && w.sw_start == 2 && w.sw_len == 2 && !w.sw_quoted &&
	    memcmp(out, "ab", 2) == 0,
	    "the first word's start, length and quoting are reported");
	r = splitargs_next(S("  ab \"c d\""), &pos, out, &w);
	ok(r == 1 && w.sw_start == 5 && w.sw_len == 3 && w.sw_quoted &&
	    memcmp(out, "c d", 3) == 0,
	    "the next call resumes after the first word");
	r = splitargs_next(S("  ab \"c d\""), &pos, out, &w);
	ok(r == 0, "a call after the last word finds none");
	r = splitargs_next(S("  ab \"c d\""), &pos, out, &w);
	ok(r == 0, "and keeps finding none");

	return tap_done();
}
