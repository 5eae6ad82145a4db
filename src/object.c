/*
 * object.c: the encoding limits of values, as the configuration sets them,
 * and the names Redis gives the encodings (object.h).
 *
 * Run by workers (after each configuration change), tools and tests; no
 * locks: each process has its own copy of the limits, and the names are
 * read from an entry whose stripe the caller holds.
 */
#include "hydra/config.h"
#include "hydra/hmap.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/set.h"
#include "hydra/zset.h"

#include "command_internal.h"

#define OBJ_SHARED_INTEGERS	10000	/* Redis shares 0 .. 9999 */
#define OBJ_EMBSTR_MAX		44	/* OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
#define OBJ_SHARED_REFCOUNT	2147483647

/* Redis 7.0's defaults, for processes that never read a configuration. */
struct object_limits object_limits = {
	.ol_hash_entries = 512,
	.ol_hash_value = 64,
	.ol_set_intset_entries = 512,
	.ol_zset_entries = 128,
	.ol_zset_value = 64
};

void
object_limits_apply(const struct config *cfg)
{
	list_set_fill(cfg->cf_list_max_listpack_size);
	object_limits.ol_hash_entries = cfg->cf_hash_max_listpack_entries;
	object_limits.ol_hash_value = cfg->cf_hash_max_listpack_value;
	object_limits.ol_set_intset_entries = cfg->cf_set_max_intset_entries;
	object_limits.ol_zset_entries = cfg->cf_zset_max_listpack_entries;
	object_limits.ol_zset_value = cfg->cf_zset_max_listpack_value;
}

/*
 * The encoding Redis 7.0 reports for a string, by how it was made (the
 * tag's high bits) and its bytes: "int" when a client's string (or its
 * copy) reads as a long long in at most 20 bytes (shared, refcount
 * INT_MAX, from 0 to 9999, unless it is a copy), else "embstr" up to 44
 * bytes, else "raw"; a string grown in place is always "raw".
 */
static const char *
object_string_encoding(const struct entry *e, long long *refcount)
{
	const char	*v;
	size_t		 len;
	long long	 n;

	v = entry_value(e, &len);
	if ((e->e_type & ~OBJ_TYPE_MASK) == OBJ_STR_RAW)
		return ("raw");
	if (((e->e_type & ~OBJ_TYPE_MASK) == OBJ_STR_GIVEN ||
	    (e->e_type & ~OBJ_TYPE_MASK) == OBJ_STR_COPY) && len <= 20 &&
	    command_parse_ll(v, len, &n) == 0) {
		if (n >= 0 && n < OBJ_SHARED_INTEGERS &&
		    (e->e_type & ~OBJ_TYPE_MASK) == OBJ_STR_GIVEN)
			*refcount = OBJ_SHARED_REFCOUNT;
		return ("int");
	}
	return (len <= OBJ_EMBSTR_MAX ? "embstr" : "raw");
}

const char *
object_encoding(const struct entry *e, long long *refcount)
{
	*refcount = 1;
	switch (OBJ_TYPE(e->e_type)) {
	case OBJ_LIST:
		/* Redis 7.0 names every list by its container. */
		return ("quicklist");
	case OBJ_ZSET:
		return (zset_encoding(e));
	case OBJ_SET:
		return (set_is_ints(e) ? "intset" : "hashtable");
	case OBJ_HASH:
		return (hmap_encoding(e));
	}
	return (object_string_encoding(e, refcount));
}
