/*
 * splitargs.h: the word splitter that the redis.conf reader (config.c) and
 * the inline request parser (resp.c) share, with the rules of Redis 7.0's
 * sdssplitargs().
 *
 *	blanks	between words: the C locale's isspace() bytes, that is
 *		space, \t, \n, \v, \f and \r
 *	word	runs up to a space, \t, \n or \r (not \v or \f, as in Redis);
 *		a quote inside it opens a quoted part, so ab"cd" is abcd
 *	"..."	takes the escapes \xHH (two hex digits), \n \r \t \b \a, and
 *		\c for any other byte c itself
 *	'...'	takes the escape \' only; any other backslash is literal
 *
 * A closing quote must be followed by a blank or the end of the line, and a
 * quote that is never closed is an error; both are Redis's "unbalanced
 * quotes".
 *
 * The line is a counted string, but a NUL byte in it ends it, as the NUL
 * that ends the C string sdssplitargs() reads would: nothing after it is
 * looked at.  A NUL made with \x00 is an ordinary byte of its word.
 *
 * The splitter allocates nothing and keeps no state: the caller passes the
 * position to resume from and the storage for the word's bytes.
 */
#ifndef HYDRA_SPLITARGS_H
#define HYDRA_SPLITARGS_H

#include <stddef.h>

/* One word, as splitargs_next() found it. */
struct splitargs_word {
	size_t	sw_start;	/* offset of its first byte in the line */
	size_t	sw_len;		/* its length once unquoted */
	int	sw_quoted;	/* 1 if it held a quote, else 0 */
};

/*
 * Find the next word of line[*pos..len).  Returns 1 with the word in *w and
 * its bytes, unquoted, in out[0..w->sw_len); 0 when no word is left; -1 for
 * unbalanced quotes.  *pos is moved past the word, so the next call goes on
 * from there; after -1 the rest of the line means nothing and *pos and out
 * hold no promise.
 *
 * out must have room for len - w->sw_start bytes; len - *pos is always
 * enough, as a word never grows when unquoted.  A word that held no quote
 * is exactly line[w->sw_start..w->sw_start + w->sw_len), so a caller may use
 * the line itself for it and reuse what was written to out.
 *
 * The time taken is linear in the bytes of the word and the blanks before
 * it.
 */
int	 splitargs_next(const char *line, size_t len, size_t *pos, char *out,
	    struct splitargs_word *w);

#endif /* HYDRA_SPLITARGS_H */
