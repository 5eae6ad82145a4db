/*
 * version.h: hydra's own version, and the Redis version whose behaviour it
 * follows.  Clients decide what to send by the Redis version (HELLO's
 * "version", INFO's redis_version), so that is the one they are shown;
 * hydra's own appears where Redis has no field for it (INFO's hydra
 * section, hydrad -v).
 */
#ifndef HYDRA_VERSION_H
#define HYDRA_VERSION_H

#define HYDRA_VERSION		"0.1.0"
#define HYDRA_REDIS_VERSION	"7.0.15"	/* what replies follow */
#define HYDRA_REDIS_VERSION_NUM	0x0007000f	/* for COMMAND DOCS & co */

#endif /* HYDRA_VERSION_H */
