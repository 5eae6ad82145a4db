/*
 * splitargs.c: splits a line into words as Redis 7.0's sdssplitargs()
 * does, for the redis.conf reader and the inline request parser.
 *
 * Pure: run by the supervisor (config.c) and by workers (resp.c), it takes
 * no locks, allocates nothing and writes only the caller's storage.
 *
 * One word at a time, so that callers keep their own way of storing words
 * (config.c copies each one, resp.c points into the request buffer when it
 * can).  Bytes at or past the end of the line read as NUL, which is how the
 * end of the line and a NUL in it come to mean the same thing.
 */
#include <stddef.h>

#include "hydra/splitargs.h"

/* The byte at line[k], or NUL at and past the end. */
#define SPLITARGS_AT(k)	((k) < len ? (unsigned char)line[k] : '\0')

/* C-locale isspace(), which sdssplitargs() uses between words. */
static int
splitargs_isspace(unsigned char c)
{
	return (c == ' ' || (c >= '\t' && c <= '\r'));
}

static int
splitargs_ishex(unsigned char c)
{
	return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F'));
}

static int
splitargs_hexval(unsigned char c)
{
	if (c <= '9')
		return (c - '0');
	if (c >= 'a')
		return (c - 'a' + 10);
	return (c - 'A' + 10);
}

/* The byte that "\c" stands for inside double quotes. */
static char
splitargs_unescape(unsigned char c)
{
	switch (c) {
	case 'n':
		return ('\n');
	case 'r':
		return ('\r');
	case 't':
		return ('\t');
	case 'b':
		return ('\b');
	case 'a':
		return ('\a');
	default:
		return ((char)c);
	}
}

int
splitargs_next(const char *line, size_t len, size_t *pos, char *out,
    struct splitargs_word *w)
{
	size_t		 i = *pos, o = 0;
	unsigned char	 c, c1, quote = '\0';
	int		 done = 0;

	while (splitargs_isspace(SPLITARGS_AT(i)))
		i++;
	if (SPLITARGS_AT(i) == '\0') {
		*pos = i;
		return (0);
	}
	w->sw_start = i;
	while (!done) {
		c = SPLITARGS_AT(i);
		c1 = SPLITARGS_AT(i + 1);
		if (quote == '"' && c == '\\' && c1 == 'x' &&
		    splitargs_ishex(SPLITARGS_AT(i + 2)) &&
		    splitargs_ishex(SPLITARGS_AT(i + 3))) {
			out[o++] = (char)
			    (splitargs_hexval(SPLITARGS_AT(i + 2)) * 16 +
			    splitargs_hexval(SPLITARGS_AT(i + 3)));
			i += 3;
		} else if (quote == '"' && c == '\\' && c1 != '\0') {
			i++;
			out[o++] = splitargs_unescape(c1);
		} else if (quote == '\'' && c == '\\' && c1 == '\'') {
			i++;
			out[o++] = '\'';
		} else if (quote != '\0') {
			if (c == '\0')
				return (-1);
			if (c == quote) {
				/* A closing quote must end the word. */
				if (c1 != '\0' && !splitargs_isspace(c1))
					return (-1);
				done = 1;
			} else
				out[o++] = (char)c;
		} else {
			switch (c) {
			case ' ':
			case '\n':
			case '\r':
			case '\t':
			case '\0':
				done = 1;
				break;
			case '"':
			case '\'':
				quote = c;
				break;
			default:
				out[o++] = (char)c;
				break;
			}
		}
		if (c != '\0')
			i++;
	}
	*pos = i;
	w->sw_len = o;
	w->sw_quoted = quote != '\0';
	return (1);
}
