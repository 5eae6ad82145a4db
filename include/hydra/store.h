/*
 * store.h: the arena as hydra uses it: its modules (slab allocator,
 * keyspace, blocked clients, snapshots, persister) in region order, and
 * the defaults for creating one.
 */
#ifndef HYDRA_STORE_H
#define HYDRA_STORE_H

#include <stddef.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

#define STORE_DEFAULT_SIZE	((size_t)1 << 30)	/* 1 GiB, lazily used */

/* The modules of a hydra arena, indexed by enum arena_region_id. */
extern const struct arena_module	store_modules[];
extern const size_t			store_nmodules;

/* The default arena name for a server on `port': "/hydra-<port>". */
void	 store_default_name(char *buf, size_t len, int port);

/* Parameters with every default filled in, for `size' bytes. */
void	 store_default_params(struct arena_params *, size_t size);

/*
 * Create a hydra arena and bind `ks' to it (ks may be NULL).  0, or -1
 * with a message in errbuf.
 */
int	 store_create(struct arena *, struct keyspace *, const char *name,
	    const struct arena_params *, char *errbuf, size_t errlen);

/* Attach to an existing one; want_size 0 accepts any size. */
int	 store_attach(struct arena *, struct keyspace *, const char *name,
	    size_t want_size, char *errbuf, size_t errlen);

#endif /* HYDRA_STORE_H */
