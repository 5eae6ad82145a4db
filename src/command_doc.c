/*
 * command_doc.c: what COMMAND INFO and COMMAND DOCS say about each
 * command beyond its table entry: a summary in hydra's words, the Redis
 * version that introduced it, its group, its cost, its declared ACL
 * categories and its tips.
 *
 * Run by workers.  Read-only data; takes no locks.
 */
#include <stddef.h>
#include <string.h>

#include "hydra/command.h"
#include "hydra/compat.h"

#include "command_internal.h"

#define KS	CMD_ACL_KEYSPACE
#define STR	CMD_ACL_STRING
#define CONN	CMD_ACL_CONNECTION
#define DANGER	CMD_ACL_DANGEROUS
#define ADMIN	CMD_ACL_ADMIN
#define LST	CMD_ACL_LIST
#define SZ	CMD_ACL_SORTEDSET
#define ZG	"sorted-set"
#define SET	CMD_ACL_SET
#define HSH	CMD_ACL_HASH

#define O1	"O(1)"
#define ON	"O(N)"

static const struct command_doc command_docs[] = {
	/* connection */
	{ "echo", "Answer with the message it was given", "1.0.0", "connection",
	    O1, CONN, NULL, NULL, "message:string" },
	{ "ping", "Check that the server answers", "1.0.0", "connection", O1,
	    CONN, "request_policy:all_shards response_policy:all_succeeded",
	    NULL, "?message:string" },
	{ "quit", "Close the connection once the reply is out", "1.0.0",
	    "connection", O1, CONN, NULL, NULL, NULL },
	{ "select", "Use another database on this connection", "1.0.0",
	    "connection", O1, CONN, NULL, NULL, "index:integer" },
	/* generic */
	{ "dbsize", "Count the keys of the selected database", "1.0.0",
	    "generic", O1, KS,
	    "request_policy:all_shards response_policy:agg_sum", NULL, NULL },
	{ "del", "Remove keys", "1.0.0", "generic", ON, KS,
	    "request_policy:multi_shard response_policy:agg_sum", "RM delete",
	    "key:key..." },
	{ "dump", "Serialize the value of a key in Redis's format", "2.6.0",
	    "generic", "O(N): N the size of the value", KS,
	    "nondeterministic_output", "RO access", "key:key" },
	{ "exists", "Count how many of the given keys exist", "3.0.3",
	    "generic", ON, KS,
	    "request_policy:multi_shard response_policy:agg_sum", "RO",
	    "key:key..." },
	{ "expire", "Give a key a time to live in seconds", "1.0.0", "generic",
	    O1, KS, NULL, "RW update", "key:key seconds:integer" },
	{ "expireat", "Give a key an expiry time in Unix seconds", "1.2.0",
	    "generic", O1, KS, NULL, "RW update",
	    "key:key unix-time-seconds:unix-time" },
	{ "expiretime", "The Unix time in seconds at which a key expires",
	    "7.0.0", "generic", O1, KS, NULL, "RO access", "key:key" },
	{ "flushall", "Remove every key of every database", "1.0.0", "server",
	    ON, KS | DANGER,
	    "request_policy:all_shards response_policy:all_succeeded", NULL,
	    NULL },
	{ "flushdb", "Remove every key of the selected database", "1.0.0",
	    "server", ON, KS | DANGER,
	    "request_policy:all_shards response_policy:all_succeeded", NULL,
	    NULL },
	{ "keys", "List the keys whose names match a pattern", "1.0.0",
	    "generic", ON, KS | DANGER,
	    "request_policy:all_shards nondeterministic_output_order", NULL,
	    "pattern:pattern" },
	{ "persist", "Drop a key's expiry", "2.2.0", "generic", O1, KS, NULL,
	    "RW update", "key:key" },
	{ "pexpire", "Give a key a time to live in milliseconds", "2.6.0",
	    "generic", O1, KS, NULL, "RW update",
	    "key:key milliseconds:integer" },
	{ "pexpireat", "Give a key an expiry time in Unix milliseconds",
	    "2.6.0", "generic", O1, KS, NULL, "RW update",
	    "key:key unix-time-milliseconds:unix-time" },
	{ "pexpiretime", "The Unix time in milliseconds at which a key expires",
	    "7.0.0", "generic", O1, KS, NULL, "RO access", "key:key" },
	{ "pttl", "A key's time to live in milliseconds", "2.6.0", "generic",
	    O1, KS, "nondeterministic_output", "RO access", "key:key" },
	{ "randomkey", "Name a key of the database picked at random", "1.0.0",
	    "generic", O1, KS,
	    "request_policy:all_shards nondeterministic_output", NULL, NULL },
	{ "restore", "Make a key from a value serialized by DUMP", "2.6.0",
	    "generic", "O(N): N the size of the value", KS | DANGER, NULL,
	    "OW update", "key:key ttl:integer serialized-value:string "
	    "?replace:pure-token@REPLACE ?absttl:pure-token@ABSTTL "
	    "?seconds:integer@IDLETIME ?frequency:integer@FREQ" },
	{ "scan", "Walk the keys of the database a few at a time", "2.8.0",
	    "generic", O1, KS, "nondeterministic_output request_policy:special",
	    NULL,
	    "cursor:integer ?pattern:pattern@MATCH ?count:integer@COUNT "
	    "?type:string@TYPE" },
	{ "sort", "Sort the elements of a list, set or sorted set, or store "
	    "them sorted", "1.0.0", "generic",
	    "O(N+M*log(M)): N elements, M of them returned",
	    LST | CMD_ACL_SET | CMD_ACL_SORTEDSET | DANGER, NULL,
	    "RO access;*RO access;*OW update",
	    "key:key ?pattern:pattern@BY ?offset:integer@LIMIT "
	    "?count:integer ?pattern:pattern...@GET ?order:string "
	    "?sorting:pure-token@ALPHA ?destination:key@STORE" },
	{ "sort_ro", "Sort the elements of a list, set or sorted set",
	    "7.0.0", "generic",
	    "O(N+M*log(M)): N elements, M of them returned",
	    LST | CMD_ACL_SET | CMD_ACL_SORTEDSET | DANGER, NULL,
	    "RO access;*RO access",
	    "key:key ?pattern:pattern@BY ?offset:integer@LIMIT "
	    "?count:integer ?pattern:pattern...@GET ?order:string "
	    "?sorting:pure-token@ALPHA" },
	{ "ttl", "A key's time to live in seconds", "1.0.0", "generic", O1, KS,
	    "nondeterministic_output", "RO access", "key:key" },
	{ "type", "The kind of value a key holds", "1.0.0", "generic", O1, KS,
	    NULL, "RO", "key:key" },
	{ "unlink", "Remove keys, freeing their memory later", "4.0.0",
	    "generic", ON, KS,
	    "request_policy:multi_shard response_policy:agg_sum", "RM delete",
	    "key:key..." },
	/* string */
	{ "append", "Add bytes at the end of a string", "2.0.0", "string", O1,
	    STR, NULL, "RW insert", "key:key value:string" },
	{ "decr", "Subtract one from an integer string", "1.0.0", "string", O1,
	    STR, NULL, "RW access update", "key:key" },
	{ "decrby", "Subtract a number from an integer string", "1.0.0",
	    "string", O1, STR, NULL, "RW access update",
	    "key:key decrement:integer" },
	{ "get", "Read the string stored at a key", "1.0.0", "string", O1, STR,
	    NULL, "RO access", "key:key" },
	{ "getdel", "Read a string and remove its key", "6.2.0", "string", O1,
	    STR, NULL, "RW access delete", "key:key" },
	{ "getex", "Read a string and change its key's expiry", "6.2.0",
	    "string", O1, STR, NULL, "RW access update", "key:key" },
	{ "getrange", "Read a part of a string", "2.4.0", "string", ON, STR,
	    NULL, "RO access", "key:key start:integer end:integer" },
	{ "getset", "Store a string and answer the one it replaced", "1.0.0",
	    "string", O1, STR, NULL, "RW access update",
	    "key:key value:string" },
	{ "incr", "Add one to an integer string", "1.0.0", "string", O1, STR,
	    NULL, "RW access update", "key:key" },
	{ "incrby", "Add a number to an integer string", "1.0.0", "string", O1,
	    STR, NULL, "RW access update", "key:key increment:integer" },
	{ "incrbyfloat", "Add a decimal number to a numeric string", "2.6.0",
	    "string", O1, STR, NULL, "RW access update",
	    "key:key increment:double" },
	{ "mget", "Read the strings of several keys", "1.0.0", "string", ON,
	    STR, "request_policy:multi_shard", "RO access", "key:key..." },
	{ "mset", "Store several strings at once", "1.0.1", "string", ON, STR,
	    "request_policy:multi_shard response_policy:all_succeeded",
	    "OW update", "key:key value:string" },
	{ "msetnx", "Store several strings only if none of the keys exists",
	    "1.0.1", "string", ON, STR,
	    "request_policy:multi_shard response_policy:agg_min", "OW insert",
	    "key:key value:string" },
	{ "psetex", "Store a string with a time to live in milliseconds",
	    "2.6.0", "string", O1, STR, NULL, "OW update",
	    "key:key milliseconds:integer value:string" },
	{ "set", "Store a string at a key, with options", "1.0.0", "string", O1,
	    STR, NULL, "RW access update variable_flags",
	    "key:key value:string" },
	{ "setex", "Store a string with a time to live in seconds", "2.0.0",
	    "string", O1, STR, NULL, "OW update",
	    "key:key seconds:integer value:string" },
	{ "setnx", "Store a string only if the key does not exist", "1.0.0",
	    "string", O1, STR, NULL, "OW insert", "key:key value:string" },
	{ "setrange", "Overwrite a part of a string", "2.2.0", "string", O1,
	    STR, NULL, "RW update", "key:key offset:integer value:string" },
	{ "strlen", "The length in bytes of a string", "2.2.0", "string", O1,
	    STR, NULL, "RO", "key:key" },
	{ "substr", "Read a part of a string (the old name of GETRANGE)",
	    "1.0.0", "string", ON, STR, NULL, "RO access",
	    "key:key start:integer end:integer" },
	/* hash */
	{ "hdel", "Remove fields from a hash", "2.0.0", "hash", ON, HSH, NULL,
	    "RW delete", "key:key field:string..." },
	{ "hexists", "Tell whether a hash has a field", "2.0.0", "hash", O1,
	    HSH, NULL, "RO", "key:key field:string" },
	{ "hget", "Read the value of a field of a hash", "2.0.0", "hash", O1,
	    HSH, NULL, "RO access", "key:key field:string" },
	{ "hgetall", "Read every field of a hash with its value", "2.0.0",
	    "hash", ON, HSH, "nondeterministic_output_order", "RO access",
	    "key:key" },
	{ "hincrby", "Add an integer to the value of a field of a hash",
	    "2.0.0", "hash", O1, HSH, NULL, "RW access update",
	    "key:key field:string increment:integer" },
	{ "hincrbyfloat", "Add a decimal number to the value of a field of a "
	    "hash", "2.6.0", "hash", O1, HSH, NULL, "RW access update",
	    "key:key field:string increment:double" },
	{ "hkeys", "Read every field name of a hash", "2.0.0", "hash", ON,
	    HSH, "nondeterministic_output_order", "RO access", "key:key" },
	{ "hlen", "Count the fields of a hash", "2.0.0", "hash", O1, HSH,
	    NULL, "RO", "key:key" },
	{ "hmget", "Read the values of several fields of a hash", "2.0.0",
	    "hash", ON, HSH, NULL, "RO access", "key:key field:string..." },
	{ "hmset", "Store several fields of a hash (the old form of HSET)",
	    "2.0.0", "hash", ON, HSH, NULL, "RW update",
	    "key:key field:string value:string..." },
	{ "hrandfield", "Name fields of a hash picked at random", "6.2.0",
	    "hash", ON, HSH, "nondeterministic_output", "RO access",
	    "key:key ?count:integer ?withvalues:pure-token@WITHVALUES" },
	{ "hscan", "Walk the fields of a hash a few at a time", "2.8.0",
	    "hash", O1, HSH, "nondeterministic_output", "RO access",
	    "key:key cursor:integer ?pattern:pattern@MATCH "
	    "?count:integer@COUNT" },
	{ "hset", "Store fields of a hash", "2.0.0", "hash", ON, HSH, NULL,
	    "RW update", "key:key field:string value:string..." },
	{ "hsetnx", "Store a field of a hash only if it is not there",
	    "2.0.0", "hash", O1, HSH, NULL, "RW insert",
	    "key:key field:string value:string" },
	{ "hstrlen", "The length in bytes of the value of a field of a hash",
	    "3.2.0", "hash", O1, HSH, NULL, "RO", "key:key field:string" },
	{ "hvals", "Read every value of a hash", "2.0.0", "hash", ON, HSH,
	    "nondeterministic_output_order", "RO access", "key:key" },
	/* list */
	{ "blmove", "Move an element from one end of a list to an end of "
	    "another, waiting for one", "6.2.0", "list", O1, LST, NULL,
	    "RW access delete;RW insert", "source:key destination:key "
	    "wherefrom:string whereto:string timeout:double" },
	{ "blmpop", "Take elements from the first non-empty list of "
	    "several, waiting for one", "7.0.0", "list",
	    "O(N+M): N keys looked at, M elements taken", LST, NULL,
	    "RW access delete", "timeout:double numkeys:integer key:key... "
	    "where:string ?count:integer@COUNT" },
	{ "blpop", "Take the head element of the first non-empty list of "
	    "several, waiting for one", "2.0.0", "list",
	    "O(N): N keys looked at", LST, NULL, "RW access delete",
	    "key:key... timeout:double" },
	{ "brpop", "Take the tail element of the first non-empty list of "
	    "several, waiting for one", "2.0.0", "list",
	    "O(N): N keys looked at", LST, NULL, "RW access delete",
	    "key:key... timeout:double" },
	{ "brpoplpush", "Move the tail element of a list to the head of "
	    "another, waiting for one", "2.2.0", "list", O1, LST, NULL,
	    "RW access delete;RW insert",
	    "source:key destination:key timeout:double" },
	{ "lindex", "Read the element at an index of a list", "1.0.0", "list",
	    ON, LST, NULL, "RO access", "key:key index:integer" },
	{ "linsert", "Insert an element before or after another in a list",
	    "2.2.0", "list", ON, LST, NULL, "RW insert",
	    "key:key where:string pivot:string element:string" },
	{ "llen", "Count the elements of a list", "1.0.0", "list", O1, LST,
	    NULL, "RO", "key:key" },
	{ "lmove", "Move an element from one end of a list to an end of "
	    "another", "6.2.0", "list", O1, LST, NULL,
	    "RW access delete;RW insert",
	    "source:key destination:key wherefrom:string whereto:string" },
	{ "lmpop", "Take elements from the first non-empty list of several",
	    "7.0.0", "list", "O(N+M): N keys looked at, M elements taken",
	    LST, NULL,
	    "RW access delete", "numkeys:integer key:key... where:string "
	    "?count:integer@COUNT" },
	{ "lpop", "Take elements from the head of a list", "1.0.0", "list",
	    "O(N): N elements taken", LST, NULL,
	    "RW access delete", "key:key ?count:integer" },
	{ "lpos", "Find the indexes of an element in a list", "6.0.6", "list",
	    ON, LST, NULL, "RO access", "key:key element:string "
	    "?rank:integer@RANK "
	    "?num-matches:integer@COUNT ?len:integer@MAXLEN" },
	{ "lpush", "Add elements at the head of a list", "1.0.0", "list", O1,
	    LST, NULL, "RW insert", "key:key element:string..." },
	{ "lpushx", "Add elements at the head of a list that exists", "2.2.0",
	    "list", O1, LST, NULL, "RW insert", "key:key element:string..." },
	{ "lrange", "Read a range of elements of a list", "1.0.0", "list",
	    "O(S+N): S steps to the start from the nearer end, N elements "
	    "read", LST,
	    NULL, "RO access", "key:key start:integer stop:integer" },
	{ "lrem", "Remove elements equal to a value from a list", "1.0.0",
	    "list", "O(N): N the length of the list", LST, NULL, "RW delete",
	    "key:key count:integer element:string" },
	{ "lset", "Replace the element at an index of a list", "1.0.0", "list",
	    ON, LST, NULL, "RW update", "key:key index:integer "
	    "element:string" },
	{ "ltrim", "Keep only a range of elements of a list", "1.0.0", "list",
	    ON, LST, NULL, "RW delete", "key:key start:integer stop:integer" },
	{ "rpop", "Take elements from the tail of a list", "1.0.0", "list",
	    "O(N): N elements taken", LST, NULL,
	    "RW access delete", "key:key ?count:integer" },
	{ "rpoplpush", "Move the tail element of a list to the head of "
	    "another", "1.2.0", "list", O1, LST, NULL,
	    "RW access delete;RW insert", "source:key destination:key" },
	{ "rpush", "Add elements at the tail of a list", "1.0.0", "list", O1,
	    LST, NULL, "RW insert", "key:key element:string..." },
	{ "rpushx", "Add elements at the tail of a list that exists", "2.2.0",
	    "list", O1, LST, NULL, "RW insert", "key:key element:string..." },
	/* sorted set */
	{ "bzmpop", "Take the lowest or highest members of the first "
	    "non-empty sorted set of several, waiting for one", "7.0.0", ZG,
	    "O(K+M): K keys looked at, M members taken", SZ, NULL,
	    "RW access delete", "timeout:double numkeys:integer key:key... "
	    "where:string ?count:integer@COUNT" },
	{ "bzpopmax", "Take the member with the highest score of the first "
	    "non-empty sorted set of several, waiting for one", "5.0.0", ZG,
	    "O(log(N)): N members in the set", SZ, NULL, "RW access delete",
	    "key:key... timeout:double" },
	{ "bzpopmin", "Take the member with the lowest score of the first "
	    "non-empty sorted set of several, waiting for one", "5.0.0", ZG,
	    "O(log(N)): N members in the set", SZ, NULL, "RW access delete",
	    "key:key... timeout:double" },
	{ "zadd", "Add members to a sorted set or change their scores",
	    "1.2.0", ZG, "O(M*N): M members added to a set of N", SZ, NULL,
	    "RW update", "key:key ?condition:string ?comparison:string "
	    "?change:pure-token@CH ?increment:pure-token@INCR "
	    "score:double member:string..." },
	{ "zcard", "Count the members of a sorted set", "1.2.0", ZG, O1, SZ,
	    NULL, "RO", "key:key" },
	{ "zcount", "Count the members whose scores lie in a range", "2.0.0",
	    ZG, ON, SZ, NULL, "RO access", "key:key min:double max:double" },
	{ "zdiff", "The members of the first sorted set that no other has",
	    "6.2.0", ZG, ON, SZ, NULL, "RO access",
	    "numkeys:integer key:key... ?withscores:pure-token@WITHSCORES" },
	{ "zdiffstore", "Store the difference of sorted sets", "6.2.0", ZG,
	    ON, SZ, NULL, "OW update;RO access",
	    "destination:key numkeys:integer key:key..." },
	{ "zincrby", "Add to the score of a member of a sorted set", "1.2.0",
	    ZG, ON, SZ, NULL, "RW access update",
	    "key:key increment:double member:string" },
	{ "zinter", "The members that every sorted set has", "6.2.0", ZG, ON,
	    SZ, NULL, "RO access", "numkeys:integer key:key... "
	    "?weight:double...@WEIGHTS ?aggregate:string@AGGREGATE "
	    "?withscores:pure-token@WITHSCORES" },
	{ "zintercard", "Count the members that every sorted set has", "7.0.0",
	    ZG, ON, SZ, NULL, "RO access",
	    "numkeys:integer key:key... ?limit:integer@LIMIT" },
	{ "zinterstore", "Store the intersection of sorted sets", "2.0.0", ZG,
	    ON, SZ, NULL, "OW update;RO access", "destination:key "
	    "numkeys:integer key:key... ?weight:double...@WEIGHTS "
	    "?aggregate:string@AGGREGATE" },
	{ "zlexcount", "Count the members within a range of members",
	    "2.8.9", ZG, ON, SZ, NULL, "RO access",
	    "key:key min:string max:string" },
	{ "zmpop", "Take the lowest or highest members of the first "
	    "non-empty sorted set of several", "7.0.0", ZG,
	    "O(K+M): K keys looked at, M members taken", SZ, NULL,
	    "RW access delete", "numkeys:integer key:key... where:string "
	    "?count:integer@COUNT" },
	{ "zmscore", "The scores of members of a sorted set", "6.2.0", ZG, ON,
	    SZ, NULL, "RO access", "key:key member:string..." },
	{ "zpopmax", "Take the members with the highest scores", "5.0.0", ZG,
	    ON, SZ, NULL, "RW access delete", "key:key ?count:integer" },
	{ "zpopmin", "Take the members with the lowest scores", "5.0.0", ZG,
	    ON, SZ, NULL, "RW access delete", "key:key ?count:integer" },
	{ "zrandmember", "Members of a sorted set picked at random", "6.2.0",
	    ZG, ON, SZ, "nondeterministic_output", "RO access",
	    "key:key ?count:integer ?withscores:pure-token@WITHSCORES" },
	{ "zrange", "Read a range of members by rank, score or member",
	    "1.2.0", ZG, ON, SZ, NULL, "RO access", "key:key start:string "
	    "stop:string ?sortby:string ?rev:pure-token@REV "
	    "?offset:integer@LIMIT count:integer "
	    "?withscores:pure-token@WITHSCORES" },
	{ "zrangebylex", "Read the members within a range of members",
	    "2.8.9", ZG, ON, SZ, NULL, "RO access",
	    "key:key min:string max:string ?offset:integer@LIMIT "
	    "count:integer" },
	{ "zrangebyscore", "Read the members whose scores lie in a range",
	    "1.0.5", ZG, ON, SZ, NULL, "RO access", "key:key min:double "
	    "max:double ?withscores:pure-token@WITHSCORES "
	    "?offset:integer@LIMIT count:integer" },
	{ "zrangestore", "Store a range of a sorted set", "6.2.0", ZG, ON, SZ,
	    NULL, "OW update;RO access", "dst:key src:key min:string "
	    "max:string ?sortby:string ?rev:pure-token@REV "
	    "?offset:integer@LIMIT count:integer" },
	{ "zrank", "The rank of a member, from the lowest score", "2.0.0", ZG,
	    ON, SZ, NULL, "RO access", "key:key member:string" },
	{ "zrem", "Remove members from a sorted set", "1.2.0", ZG, ON, SZ,
	    NULL, "RW delete", "key:key member:string..." },
	{ "zremrangebylex", "Remove the members within a range of members",
	    "2.8.9", ZG, ON, SZ, NULL, "RW delete",
	    "key:key min:string max:string" },
	{ "zremrangebyrank", "Remove the members within a range of ranks",
	    "2.0.0", ZG, ON, SZ, NULL, "RW delete",
	    "key:key start:integer stop:integer" },
	{ "zremrangebyscore", "Remove the members whose scores lie in a range",
	    "1.2.0", ZG, ON, SZ, NULL, "RW delete",
	    "key:key min:double max:double" },
	{ "zrevrange", "Read a range of members by rank, from the highest",
	    "1.2.0", ZG, ON, SZ, NULL, "RO access", "key:key start:integer "
	    "stop:integer ?withscores:pure-token@WITHSCORES" },
	{ "zrevrangebylex", "Read a range of members, from the highest",
	    "2.8.9", ZG, ON, SZ, NULL, "RO access",
	    "key:key max:string min:string ?offset:integer@LIMIT "
	    "count:integer" },
	{ "zrevrangebyscore", "Read the members whose scores lie in a range, "
	    "from the highest", "2.2.0", ZG, ON, SZ, NULL, "RO access",
	    "key:key max:double min:double "
	    "?withscores:pure-token@WITHSCORES ?offset:integer@LIMIT "
	    "count:integer" },
	{ "zrevrank", "The rank of a member, from the highest score", "2.0.0",
	    ZG, ON, SZ, NULL, "RO access", "key:key member:string" },
	{ "zscan", "Walk the members of a sorted set a few at a time",
	    "2.8.0", ZG, O1, SZ, "nondeterministic_output", "RO access",
	    "key:key cursor:integer ?pattern:pattern@MATCH "
	    "?count:integer@COUNT" },
	{ "zscore", "The score of a member of a sorted set", "1.2.0", ZG, O1,
	    SZ, NULL, "RO access", "key:key member:string" },
	{ "zunion", "The members of any of several sorted sets", "6.2.0", ZG,
	    ON, SZ, NULL, "RO access", "numkeys:integer key:key... "
	    "?weight:double...@WEIGHTS ?aggregate:string@AGGREGATE "
	    "?withscores:pure-token@WITHSCORES" },
	{ "zunionstore", "Store the union of sorted sets", "2.0.0", ZG, ON, SZ,
	    NULL, "OW update;RO access", "destination:key numkeys:integer "
	    "key:key... ?weight:double...@WEIGHTS "
	    "?aggregate:string@AGGREGATE" },
	/* set */
	{ "sadd", "Add members to a set", "1.0.0", "set",
	    "O(N): N members added", SET, NULL, "RW insert",
	    "key:key member:string..." },
	{ "scard", "Count the members of a set", "1.0.0", "set", O1, SET,
	    NULL, "RO", "key:key" },
	{ "sdiff", "The members of a set that no other given set has",
	    "1.0.0", "set", "O(N): N members of all the sets", SET,
	    "nondeterministic_output_order", "RO access", "key:key..." },
	{ "sdiffstore", "Store the members of a set that no other given set "
	    "has", "1.0.0", "set", "O(N): N members of all the sets", SET,
	    NULL, "OW update;RO access", "destination:key key:key..." },
	{ "sinter", "The members every given set has", "1.0.0", "set",
	    "O(N*M): N members of the smallest set, M sets", SET,
	    "nondeterministic_output_order", "RO access", "key:key..." },
	{ "sintercard", "Count the members every given set has", "7.0.0",
	    "set", "O(N*M): N members of the smallest set, M sets", SET, NULL,
	    "RO access", "numkeys:integer key:key... ?limit:integer@LIMIT" },
	{ "sinterstore", "Store the members every given set has", "1.0.0",
	    "set", "O(N*M): N members of the smallest set, M sets", SET, NULL,
	    "RW update;RO access", "destination:key key:key..." },
	{ "sismember", "Whether a value is a member of a set", "1.0.0", "set",
	    O1, SET, NULL, "RO", "key:key member:string" },
	{ "smembers", "Every member of a set", "1.0.0", "set",
	    "O(N): N members", SET, "nondeterministic_output_order",
	    "RO access", "key:key" },
	{ "smismember", "Whether each of several values is a member of a "
	    "set", "6.2.0", "set", "O(N): N values asked about", SET, NULL,
	    "RO access", "key:key member:string..." },
	{ "smove", "Move a member from one set to another", "1.0.0", "set",
	    O1, SET, NULL, "RW access delete;RW insert",
	    "source:key destination:key member:string" },
	{ "spop", "Take members out of a set at random", "1.0.0", "set",
	    "O(N): N members taken", SET, "nondeterministic_output",
	    "RW access delete", "key:key ?count:integer" },
	{ "srandmember", "Read members of a set at random", "1.0.0", "set",
	    "O(N): N members read", SET, "nondeterministic_output",
	    "RO access", "key:key ?count:integer" },
	{ "srem", "Remove members from a set", "1.0.0", "set",
	    "O(N): N members removed", SET, NULL, "RW delete",
	    "key:key member:string..." },
	{ "sscan", "Walk the members of a set a few at a time", "2.8.0",
	    "set", "O(1) a call, O(N) a whole walk of N members", SET,
	    "nondeterministic_output", "RO access", "key:key cursor:integer "
	    "?pattern:pattern@MATCH ?count:integer@COUNT" },
	{ "sunion", "The members any given set has", "1.0.0", "set",
	    "O(N): N members of all the sets", SET,
	    "nondeterministic_output_order", "RO access", "key:key..." },
	{ "sunionstore", "Store the members any given set has", "1.0.0",
	    "set", "O(N): N members of all the sets", SET, NULL,
	    "OW update;RO access", "destination:key key:key..." },
	/* server */
	{ "command", "Describe the commands of the server", "2.8.13", "server",
	    ON, CONN, "nondeterministic_output_order", NULL, NULL },
	{ "command|count", "Count the commands of the server", "2.8.13",
	    "server", O1, CONN, NULL, NULL, NULL },
	{ "command|docs", "Document commands", "7.0.0", "server", ON, CONN,
	    "nondeterministic_output_order", NULL, "?command-name:string..." },
	{ "command|getkeys", "Find the keys in a full command line", "2.8.13",
	    "server", ON, CONN, NULL, NULL, "command:string ?arg:string..." },
	{ "command|help", "Describe the subcommands of COMMAND", "5.0.0",
	    "server", O1, CONN, NULL, NULL, NULL },
	{ "command|info", "Describe chosen commands", "2.8.13", "server", ON,
	    CONN, "nondeterministic_output_order", NULL,
	    "?command-name:string..." },
	{ "command|list", "Name the commands, optionally filtered", "7.0.0",
	    "server", ON, CONN, "nondeterministic_output_order", NULL, NULL },
	{ "config", "Read and change the configuration", "2.0.0", "server",
	    "Depends on subcommand.", 0, NULL, NULL, NULL },
	{ "config|get", "Read the directives whose names match patterns",
	    "2.0.0", "server", ON, 0, NULL, NULL, "parameter:string..." },
	{ "config|help", "Describe the subcommands of CONFIG", "5.0.0",
	    "server", O1, 0, NULL, NULL, NULL },
	{ "config|resetstat", "Zero the statistics INFO reports", "2.0.0",
	    "server", O1, 0, NULL, NULL, NULL },
	{ "config|rewrite", "Write the running configuration to its file",
	    "2.8.0", "server", O1, 0, NULL, NULL, NULL },
	{ "config|set", "Change directives, all or none", "2.0.0", "server", ON,
	    0, "request_policy:all_nodes response_policy:all_succeeded", NULL,
	    "parameter:string value:string" },
	{ "debug", "Tools for testing the server", "1.0.0", "server",
	    "Depends on subcommand.", 0, NULL, NULL,
	    "subcommand:string ?arg:string..." },
	{ "info", "Report on the server, section by section", "1.0.0", "server",
	    O1, DANGER,
	    "nondeterministic_output request_policy:all_shards "
	    "response_policy:special",
	    NULL, "?section:string..." },
	{ "memory", "Diagnose the memory the data takes", "4.0.0", "server",
	    "Depends on subcommand.", 0, NULL, NULL, NULL },
	{ "memory|doctor", "Say whether memory is short", "4.0.0", "server",
	    O1, 0, "nondeterministic_output request_policy:all_shards "
	    "response_policy:special", NULL, NULL },
	{ "memory|help", "Describe the subcommands of MEMORY", "4.0.0",
	    "server", O1, 0, NULL, NULL, NULL },
	{ "memory|malloc-stats", "The allocator's counters, as text", "4.0.0",
	    "server", O1, 0, "nondeterministic_output request_policy:all_shards "
	    "response_policy:special", NULL, NULL },
	{ "memory|purge", "Give unused memory back to the system", "4.0.0",
	    "server", O1, 0, "request_policy:all_shards "
	    "response_policy:all_succeeded", NULL, NULL },
	{ "memory|stats", "How memory is used, figure by figure", "4.0.0",
	    "server", O1, 0, "nondeterministic_output "
	    "request_policy:all_shards response_policy:special", NULL, NULL },
	{ "memory|usage", "The bytes a key and its value take", "4.0.0",
	    "server", "O(N): N chunks of the value", 0, NULL,
	    "RO", "key:key ?count:integer@SAMPLES" },
	{ "save", "Write a snapshot of the dataset to disk and wait for it",
	    "1.0.0", "server", ON, ADMIN | DANGER, NULL, NULL, NULL },
	{ "bgsave", "Write a snapshot of the dataset to disk in the "
	    "background", "1.0.0", "server", ON, ADMIN | DANGER, NULL, NULL,
	    "?schedule:pure-token@SCHEDULE" },
	{ "shutdown", "Stop the server, with a final snapshot or without",
	    "1.0.0", "server", ON, ADMIN | DANGER, NULL, NULL,
	    "?nosave:pure-token@NOSAVE ?save:pure-token@SAVE "
	    "?now:pure-token@NOW ?force:pure-token@FORCE "
	    "?abort:pure-token@ABORT" },
	{ "lastsave", "The Unix time of the last successful snapshot", "1.0.0",
	    "server", O1, ADMIN | DANGER, "nondeterministic_output", NULL,
	    NULL },
	{ "time", "The server's clock", "2.6.0", "server", O1, 0,
	    "nondeterministic_output", NULL, NULL },
};

const struct command_doc *
command_doc_lookup(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(command_docs); i++)
		if (strcmp(command_docs[i].dc_name, name) == 0)
			return (&command_docs[i]);
	return (NULL);
}

static const char *const command_acl_names[] = {
	"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub",
	"admin", "fast", "slow", "blocking", "dangerous", "connection",
	"transaction", "scripting",
};

const char *
command_acl_name(int i)
{
	return (i >= 0 && (size_t)i < nitems(command_acl_names) ?
	    command_acl_names[i] : NULL);
}

int
command_acl(const struct command *cmd)
{
	const struct command_doc	*dc = command_doc_lookup(cmd->cmd_name);
	int				 acl = dc != NULL ? dc->dc_acl : 0;

	if (cmd->cmd_flags & CMD_WRITE)
		acl |= CMD_ACL_WRITE;
	if (cmd->cmd_flags & CMD_READONLY)
		acl |= CMD_ACL_READ;
	if (cmd->cmd_flags & CMD_ADMIN)
		acl |= CMD_ACL_ADMIN | CMD_ACL_DANGEROUS;
	if (cmd->cmd_flags & CMD_PUBSUB)
		acl |= CMD_ACL_PUBSUB;
	if (cmd->cmd_flags & CMD_FAST)
		acl |= CMD_ACL_FAST;
	if (cmd->cmd_flags & CMD_BLOCKING)
		acl |= CMD_ACL_BLOCKING;
	if (!(acl & CMD_ACL_FAST))
		acl |= CMD_ACL_SLOW;
	return (acl);
}
