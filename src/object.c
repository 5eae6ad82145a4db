/*
 * object.c: the encoding limits of values, as the configuration sets them
 * (object.h).
 *
 * Run by workers (after each configuration change), tools and tests; no
 * locks: each process has its own copy.
 */
#include "hydra/config.h"
#include "hydra/list.h"
#include "hydra/object.h"

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
