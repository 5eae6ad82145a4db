/*
 * cmd_zset_internal.h: what the sorted-set command files (cmd_zset.c,
 * cmd_zset_range.c, cmd_zset_ops.c) share: argument parsers and the
 * shapes of their replies.
 *
 * Run by workers.  Takes no locks.
 */
#ifndef HYDRA_CMD_ZSET_INTERNAL_H
#define HYDRA_CMD_ZSET_INTERNAL_H

#include <stddef.h>

struct client;
struct zset_elem;
struct zset_range;
struct zset_lex;

#define CMD_ZSET_ERR_FLOAT	"-ERR value is not a valid float"

/*
 * A score as Redis's string2d() reads one: all of the argument, as
 * strtod() takes it, no leading blank, no NaN, no overflow.  0 or -1.
 */
int	 cmd_zset_parse_score(const char *, size_t, double *);

/*
 * A score range ("(1.5", "-inf", ...) and a member range ("[a", "(b",
 * "-", "+") as Redis 7.0 parses them: 0, or -1 after its error reply.
 */
int	 cmd_zset_parse_range(struct client *, const char *min, size_t,
	    const char *max, size_t, struct zset_range *);
int	 cmd_zset_parse_lex(struct client *, const char *min, size_t,
	    const char *max, size_t, struct zset_lex *);

/* The shapes of a reply of members. */
#define CMD_ZSET_MEMBERS	0	/* members only */
#define CMD_ZSET_FLAT		1	/* member, score, member, score ... */
#define CMD_ZSET_PAIRS		2	/* [member, score] [member, score] */

/*
 * The shape of a reply WITH or without SCORES: pairs in RESP3, flat in
 * RESP2.
 */
int	 cmd_zset_shape(const struct client *, int withscores);

/* Reply n elements in one of those shapes (an array). */
void	 cmd_zset_reply(struct client *, const struct zset_elem *, size_t n,
	    int shape);

#endif /* HYDRA_CMD_ZSET_INTERNAL_H */
