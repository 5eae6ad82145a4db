/*
 * object.h: the value types that the command layer stores in an entry's
 * type tag (struct entry's e_type).
 *
 * The keyspace treats a value as bytes with a tag; this header gives the
 * tags their meaning.  The numbers are stored in the arena, so they never
 * change once released: add new types at the end.
 */
#ifndef HYDRA_OBJECT_H
#define HYDRA_OBJECT_H

enum object_type {
	OBJ_STRING = 0,		/* the bytes are the string */
	OBJ_LIST = 1,		/* see list.h */
	OBJ_HASH = 2,
	OBJ_SET = 3,
	OBJ_ZSET = 4
};

/*
 * The tag's low four bits are the type; the high four say how a value was
 * made, where Redis's OBJECT ENCODING tells such values apart.  Compare
 * types through OBJ_TYPE().
 */
#define OBJ_TYPE_MASK	0x0f
#define OBJ_TYPE(tag)	((tag) & OBJ_TYPE_MASK)

/* A string as a client sent it: "int", "embstr" or "raw" by its bytes. */
#define OBJ_STR_GIVEN	0x00
/* A string grown in place (APPEND, SETRANGE): "raw" whatever its bytes. */
#define OBJ_STR_RAW	0x10
/* A string made from a number (INCRBYFLOAT): "embstr" or "raw", never
   "int". */
#define OBJ_STR_MADE	0x20
/* A copy (COPY) of a client's string: as OBJ_STR_GIVEN, but never shared. */
#define OBJ_STR_COPY	0x30

/* A list packed in the entry's value bytes (list.h). */
#define OBJ_LIST_PACKED	0x00
/* A list whose value is a root over a chain of packed nodes (list.h). */
#define OBJ_LIST_CHAIN	0x10

/* A hash packed in the entry's value bytes ("listpack"). */
#define OBJ_HASH_PACKED	0x00
/* A hash in an arena hash table ("hashtable"). */
#define OBJ_HASH_TABLE	0x10

/* A set of integers as a sorted integer array ("intset"). */
#define OBJ_SET_INTS	0x00
/* A set in an arena hash table ("hashtable"). */
#define OBJ_SET_TABLE	0x10

/* A sorted set packed in the entry's value bytes ("listpack"). */
#define OBJ_ZSET_PACKED	0x00
/* A sorted set as an ordered index plus a member table ("skiplist"). */
#define OBJ_ZSET_INDEX	0x10

struct config;

/*
 * The limits under which values keep their packed encodings, from the
 * configuration (Redis's names: hash-max-listpack-entries, ...).  Each
 * process has its own copy; workers refresh it from their configuration
 * with object_limits_apply().
 */
struct object_limits {
	unsigned long long ol_hash_entries;
	unsigned long long ol_hash_value;	/* bytes */
	unsigned long long ol_set_intset_entries;
	unsigned long long ol_zset_entries;
	unsigned long long ol_zset_value;	/* bytes */
};

extern struct object_limits object_limits;

/* Take every encoding limit (lists' too) from the configuration. */
void	 object_limits_apply(const struct config *);

struct entry;

/*
 * The name OBJECT ENCODING gives the value of entry e (whose stripe the
 * caller holds), as Redis 7.0 names it; *refcount gets what OBJECT
 * REFCOUNT answers (Redis shares the small integers).
 */
const char	*object_encoding(const struct entry *e, long long *refcount);

#endif /* HYDRA_OBJECT_H */
