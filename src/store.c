/*
 * store.c: assemble a hydra arena from its modules.
 *
 * Run by the supervisor (create), and by tools and tests (create, attach).
 * Takes no lock.
 */
#include <stdio.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/persister.h"
#include "hydra/slab.h"
#include "hydra/snapshot.h"
#include "hydra/store.h"

const struct arena_module store_modules[] = {
	[ARENA_REGION_SLAB] = { "slab", slab_shm_size, slab_shm_init },
	[ARENA_REGION_KEYSPACE] = { "keyspace", keyspace_shm_size,
	    keyspace_shm_init },
	[ARENA_REGION_BLOCKING] = { "blocking", blocking_shm_size,
	    blocking_shm_init },
	[ARENA_REGION_SNAPSHOT] = { "snapshot", snapshot_shm_size,
	    snapshot_shm_init },
	[ARENA_REGION_PERSISTER] = { "persister", persister_shm_size,
	    persister_shm_init },
};
const size_t store_nmodules = nitems(store_modules);

void
store_default_name(char *buf, size_t len, int port)
{
	snprintf(buf, len, "/hydra-%d", port);
}

void
store_default_params(struct arena_params *ap, size_t size)
{
	memset(ap, 0, sizeof(*ap));
	ap->ap_size = size;
	ap->ap_databases = KEYSPACE_DATABASES;
	ap->ap_stripes_log2 = KEYSPACE_STRIPES_LOG2;
}

int
store_create(struct arena *a, struct keyspace *ks, const char *name,
    const struct arena_params *ap, char *errbuf, size_t errlen)
{
	if (arena_create(a, name, ap, store_modules, store_nmodules, errbuf,
	    errlen) == -1)
		return (-1);
	if (ks != NULL && keyspace_open(ks, a) == -1) {
		snprintf(errbuf, errlen, "%s has no keyspace region", name);
		arena_detach(a);
		return (-1);
	}
	return (0);
}

int
store_attach(struct arena *a, struct keyspace *ks, const char *name,
    size_t want_size, char *errbuf, size_t errlen)
{
	if (arena_attach(a, name, want_size, errbuf, errlen) == -1)
		return (-1);
	if (a->ar_hdr->ah_nregions != store_nmodules ||
	    strcmp(a->ar_hdr->ah_region[ARENA_REGION_SLAB].ar_name,
	    "slab") != 0 ||
	    strcmp(a->ar_hdr->ah_region[ARENA_REGION_KEYSPACE].ar_name,
	    "keyspace") != 0 ||
	    strcmp(a->ar_hdr->ah_region[ARENA_REGION_BLOCKING].ar_name,
	    "blocking") != 0 ||
	    strcmp(a->ar_hdr->ah_region[ARENA_REGION_SNAPSHOT].ar_name,
	    "snapshot") != 0 ||
	    strcmp(a->ar_hdr->ah_region[ARENA_REGION_PERSISTER].ar_name,
	    "persister") != 0) {
		snprintf(errbuf, errlen, "%s does not have the regions of a "
		    "hydra store", name);
		arena_detach(a);
		return (-1);
	}
	if (ks != NULL)
		keyspace_open(ks, a);
	return (0);
}
