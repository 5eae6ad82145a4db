/*
 * rdb_file_load.c: loading a whole RDB file into a keyspace, as Redis
 * 7.0 loads one on a master (rdb_file.h).
 *
 * Run at start, by tools and by tests, on a keyspace whose databases are
 * empty.  As in Redis 7.0, a key whose time has passed is skipped, and so
 * is a key whose value has no element (which older versions could
 * write): both are read to their end, then left out.  Each key is decoded into private memory first (rdb.h's
 * rdb_decode_body()), then built in the arena by its type's hook under
 * the key's stripe lock, one stripe locked at a time.
 *
 * A load is whole or nothing: whatever stops it (bytes that make no
 * sense, a file cut short, a CRC that does not match, something hydra
 * does not hold, a full arena) flushes every database before it returns,
 * so that a server never serves half a file.  The CRC is checked at the
 * end, once the EOF opcode has been read, as Redis checks it.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hydra/crc64.h"
#include "hydra/keyspace.h"
#include "hydra/rdb.h"
#include "hydra/rdb_file.h"

/* How often the progress callback is called: every so many bytes. */
#define RDB_FILE_PROGRESS_BYTES	(2u << 20)
/* The bytes of a key that a message shows. */
#define RDB_FILE_KEY_SHOWN	48

struct rdb_file_loader {
	struct keyspace		*fl_ks;
	struct rdb_file_load	*fl_rl;
	const unsigned char	*fl_buf;
	size_t			 fl_len;
	struct rdb_in		 fl_in;
	int64_t			 fl_now;
	unsigned		 fl_db;
	int			 fl_errno;	/* of a failure: EINVAL unless
						   set */
	size_t			 fl_next_progress;
};

/* Set rl_err; -1. */
static int
rdb_file_fail(struct rdb_file_loader *fl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
rdb_file_fail(struct rdb_file_loader *fl, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(fl->fl_rl->rl_err, sizeof(fl->fl_rl->rl_err), fmt, ap);
	va_end(ap);
	return (-1);
}

/* Where the reader is, in bytes from the start of the file. */
static size_t
rdb_file_pos(const struct rdb_file_loader *fl)
{
	return ((size_t)(fl->fl_in.ri_p - fl->fl_buf));
}

static int
rdb_file_short(struct rdb_file_loader *fl)
{
	return (rdb_file_fail(fl, "the file is truncated or damaged near "
	    "byte %zu of %zu", rdb_file_pos(fl), fl->fl_len));
}

/* The next n bytes, or NULL when the file ends before. */
static const unsigned char *
rdb_file_take(struct rdb_file_loader *fl, size_t n)
{
	const unsigned char	*p = fl->fl_in.ri_p;

	if ((size_t)(fl->fl_in.ri_end - p) < n)
		return (NULL);
	fl->fl_in.ri_p += n;
	return (p);
}

/* n little-endian bytes, or -1 (truncated). */
static int
rdb_file_get_le(struct rdb_file_loader *fl, int n, uint64_t *v)
{
	const unsigned char	*p;
	int			 i;

	*v = 0;
	if ((p = rdb_file_take(fl, (size_t)n)) == NULL)
		return (rdb_file_short(fl));
	for (i = n - 1; i >= 0; i--)
		*v = *v << 8 | p[i];
	return (0);
}

static int
rdb_file_get_len(struct rdb_file_loader *fl, uint64_t *v)
{
	if (rdb_get_len(&fl->fl_in, v) == -1)
		return (rdb_file_short(fl));
	return (0);
}

/* A key's bytes as a message shows them: printable, and not too many. */
static const char *
rdb_file_key_text(char *buf, size_t size, const char *key, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < len && i < RDB_FILE_KEY_SHOWN && o + 5 < size; i++)
		if (key[i] >= 0x20 && key[i] < 0x7f && key[i] != '\\')
			buf[o++] = key[i];
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
			    (unsigned char)key[i]);
	if (i < len && o + 4 < size)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return (buf);
}

/* The magic and the version: "REDIS" and four digits, 1 to 10. */
static int
rdb_file_read_magic(struct rdb_file_loader *fl)
{
	const unsigned char	*p;
	int			 i, version = 0;

	if ((p = rdb_file_take(fl, RDB_FILE_HEADER_LEN)) == NULL ||
	    memcmp(p, RDB_FILE_MAGIC, strlen(RDB_FILE_MAGIC)) != 0)
		return (rdb_file_fail(fl, "not an RDB file: no REDIS "
		    "signature"));
	for (i = (int)strlen(RDB_FILE_MAGIC); i < RDB_FILE_HEADER_LEN; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (rdb_file_fail(fl, "not an RDB file: the "
			    "version is not a number"));
		version = version * 10 + (p[i] - '0');
	}
	if (version < 1 || version > RDB_VERSION)
		return (rdb_file_fail(fl, "RDB format version %d: this "
		    "server reads 1 to %d", version, RDB_VERSION));
	fl->fl_rl->rl_version = version;
	return (0);
}

/* A number that an AUX field spells out. */
static long long
rdb_file_aux_number(const char *s, size_t len)
{
	char	 buf[32];

	if (len >= sizeof(buf))
		return (0);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (strtoll(buf, NULL, 10));
}

/* Is an AUX field's name `want', in any case (as Redis compares them)? */
static int
rdb_file_aux_is(const char *name, size_t len, const char *want)
{
	return (len == strlen(want) && strncasecmp(name, want, len) == 0);
}

/* AUX name value: the facts hydra keeps; any other name is ignored. */
static int
rdb_file_read_aux(struct rdb_file_loader *fl)
{
	struct rdb_file_aux	*aux = &fl->fl_rl->rl_aux;
	struct rdb_value	 v;
	const char		*name, *val;
	size_t			 nlen, vlen;
	int			 rv = 0;

	rdb_value_init(&v);
	if (rdb_get_string(&fl->fl_in, &v, &name, &nlen) == -1 ||
	    rdb_get_string(&fl->fl_in, &v, &val, &vlen) == -1)
		rv = rdb_file_short(fl);
	else if (rdb_file_aux_is(name, nlen, "ctime"))
		aux->ra_ctime = rdb_file_aux_number(val, vlen);
	else if (rdb_file_aux_is(name, nlen, "used-mem"))
		aux->ra_used_mem = (uint64_t)rdb_file_aux_number(val, vlen);
	else if (rdb_file_aux_is(name, nlen, "aof-base") ||
	    rdb_file_aux_is(name, nlen, "aof-preamble"))
		aux->ra_aof_base = rdb_file_aux_number(val, vlen) != 0;
	rdb_value_free(&v);
	return (rv);
}

/* What a failed decode of key's value means, in rl_err. */
static int
rdb_file_bad_value(struct rdb_file_loader *fl, int type, const char *key,
    size_t klen, int err, size_t at)
{
	char	 kt[4 * RDB_FILE_KEY_SHOWN + 8];

	fl->fl_errno = err;
	rdb_file_key_text(kt, sizeof(kt), key, klen);
	if (type == RDB_TYPE_MODULE || type == RDB_TYPE_MODULE_2)
		return (rdb_file_fail(fl, "key '%s' holds a module's value, "
		    "which this server cannot load", kt));
	if (err == ENOTSUP)
		return (rdb_file_fail(fl, "key '%s' is a stream, which this "
		    "server does not hold", kt));
	if (err == ENOMEM)
		return (rdb_file_fail(fl, "out of memory decoding key '%s'",
		    kt));
	return (rdb_file_fail(fl, "the value of key '%s' (RDB type %d, at "
	    "byte %zu) is damaged or of an unknown type", kt, type, at));
}

/*
 * Put key kk, decoded into v, into the current database, with its
 * expiry and, when the file gave them, its clock (idle seconds, LFU
 * count; -1 when not given).
 */
static int
rdb_file_put(struct rdb_file_loader *fl, const struct ks_key *kk,
    const struct rdb_value *v, int64_t expire, long long idle, int freq)
{
	struct keyspace		*ks = fl->fl_ks;
	struct ks_stripe	*st;
	char			 kt[4 * RDB_FILE_KEY_SHOWN + 8];
	int			 rv = 0, err = 0;

	st = keyspace_lock(ks, fl->fl_db, kk);
	if (keyspace_peek_locked(ks, st, kk, INT64_MIN) != NULL)
		rv = 1;
	else if (rdb_load_value(ks, st, kk, v, expire) == -1) {
		rv = -1;
		err = errno;
	} else if (idle >= 0 || freq >= 0)
		keyspace_set_clock_locked(ks, st, kk, idle, freq);
	keyspace_unlock(ks, st);
	if (rv == 0) {
		fl->fl_rl->rl_keys++;
		return (0);
	}
	rdb_file_key_text(kt, sizeof(kt), kk->kk_ptr, kk->kk_len);
	if (rv == 1)
		return (rdb_file_fail(fl, "duplicate key '%s' in DB %u", kt,
		    fl->fl_db));
	fl->fl_errno = err;
	if (err == ENOMEM)
		return (rdb_file_fail(fl, "the arena is full: key '%s' "
		    "found no room after %llu keys", kt,
		    (unsigned long long)fl->fl_rl->rl_keys));
	return (rdb_file_fail(fl, "key '%s' of a type this server cannot "
	    "hold", kt));
}

/*
 * A key: its type byte was read; the key, its value, and into the
 * keyspace unless its time has passed.
 */
static int
rdb_file_read_key(struct rdb_file_loader *fl, int type, int64_t expire,
    long long idle, int freq)
{
	struct rdb_value	 kv, v;
	struct ks_key		 kk;
	const char		*key;
	size_t			 klen, at;
	int			 rv = 0;

	rdb_value_init(&kv);
	rdb_value_init(&v);
	at = rdb_file_pos(fl) - 1;
	if (rdb_get_string(&fl->fl_in, &kv, &key, &klen) == -1)
		rv = rdb_file_short(fl);
	else if (rdb_decode_body(&fl->fl_in, type, &v) == -1) {
		if (errno == ENOENT)
			fl->fl_rl->rl_empty++;
		else
			rv = rdb_file_bad_value(fl, type, key, klen, errno,
			    at);
	}
	else if (expire != KEYSPACE_NO_EXPIRE && expire < fl->fl_now)
		fl->fl_rl->rl_expired++;
	else {
		keyspace_key(fl->fl_ks, &kk, key, klen);
		rv = rdb_file_put(fl, &kk, &v, expire, idle, freq);
	}
	rdb_value_free(&v);
	rdb_value_free(&kv);
	return (rv);
}

/* After EOF: the CRC, from version 5 on, checked unless it is 0. */
static int
rdb_file_read_crc(struct rdb_file_loader *fl)
{
	uint64_t	 want, have;
	size_t		 end = rdb_file_pos(fl);

	if (fl->fl_rl->rl_version < 5)
		return (0);
	if (rdb_file_get_le(fl, RDB_FILE_CRC_LEN, &want) == -1)
		return (-1);
	if (want == 0)
		return (0);
	if ((have = crc64(0, fl->fl_buf, end)) != want)
		return (rdb_file_fail(fl, "wrong RDB checksum: the file says "
		    "%016llx, its bytes make %016llx",
		    (unsigned long long)want, (unsigned long long)have));
	return (0);
}

static void
rdb_file_progress(struct rdb_file_loader *fl, int last)
{
	struct rdb_file_load	*rl = fl->fl_rl;
	size_t			 pos = rdb_file_pos(fl);

	if (rl->rl_progress == NULL || (!last && pos < fl->fl_next_progress))
		return;
	fl->fl_next_progress = pos + RDB_FILE_PROGRESS_BYTES;
	rl->rl_progress(rl->rl_arg, pos, fl->fl_len, rl->rl_keys);
}

/* The opcodes and keys up to EOF, and the CRC. */
static int
rdb_file_read(struct rdb_file_loader *fl)
{
	const unsigned char	*p;
	uint64_t		 n, m;
	int64_t			 expire = KEYSPACE_NO_EXPIRE;
	long long		 idle = -1;
	int			 freq = -1, type;

	if (rdb_file_read_magic(fl) == -1)
		return (-1);
	for (;;) {
		rdb_file_progress(fl, 0);
		if ((p = rdb_file_take(fl, 1)) == NULL)
			return (rdb_file_short(fl));
		switch ((type = *p)) {
		case RDB_OPCODE_EXPIRETIME:
			if (rdb_file_get_le(fl, 4, &n) == -1)
				return (-1);
			expire = (int64_t)(int32_t)(uint32_t)n * 1000;
			continue;
		case RDB_OPCODE_EXPIRETIME_MS:
			if (rdb_file_get_le(fl, 8, &n) == -1)
				return (-1);
			expire = (int64_t)n;
			continue;
		case RDB_OPCODE_IDLE:
			if (rdb_file_get_len(fl, &n) == -1)
				return (-1);
			idle = n > INT32_MAX ? INT32_MAX : (long long)n;
			continue;
		case RDB_OPCODE_FREQ:
			if (rdb_file_get_le(fl, 1, &n) == -1)
				return (-1);
			freq = (int)n;
			continue;
		case RDB_OPCODE_SELECTDB:
			if (rdb_file_get_len(fl, &n) == -1)
				return (-1);
			if (n >= keyspace_databases(fl->fl_ks))
				return (rdb_file_fail(fl, "the file has keys "
				    "of DB %llu, and this server has %u "
				    "databases", (unsigned long long)n,
				    keyspace_databases(fl->fl_ks)));
			fl->fl_db = (unsigned)n;
			continue;
		case RDB_OPCODE_RESIZEDB:
			if (rdb_file_get_len(fl, &n) == -1 ||
			    rdb_file_get_len(fl, &m) == -1)
				return (-1);
			continue;
		case RDB_OPCODE_AUX:
			if (rdb_file_read_aux(fl) == -1)
				return (-1);
			continue;
		case RDB_OPCODE_MODULE_AUX:
			return (rdb_file_fail(fl, "the file holds a module's "
			    "data (MODULE_AUX), which this server cannot "
			    "load"));
		case RDB_OPCODE_FUNCTION2:
		case RDB_OPCODE_FUNCTION_PRE_GA:
			return (rdb_file_fail(fl, "the file holds functions "
			    "(FUNCTION LOAD), which this server does not "
			    "support"));
		case RDB_OPCODE_EOF:
			if (rdb_file_read_crc(fl) == -1)
				return (-1);
			fl->fl_rl->rl_used = rdb_file_pos(fl);
			rdb_file_progress(fl, 1);
			return (0);
		}
		if (rdb_file_read_key(fl, type, expire, idle, freq) == -1)
			return (-1);
		expire = KEYSPACE_NO_EXPIRE;
		idle = -1;
		freq = -1;
	}
}

/* What a load fills in, cleared; the callback is the caller's. */
static void
rdb_file_load_clear(struct rdb_file_load *rl)
{
	rl->rl_keys = rl->rl_expired = rl->rl_empty = 0;
	rl->rl_used = 0;
	rl->rl_version = 0;
	memset(&rl->rl_aux, 0, sizeof(rl->rl_aux));
	rl->rl_err[0] = '\0';
}

int
rdb_file_load(struct keyspace *ks, const void *buf, size_t len,
    int64_t now_ms, struct rdb_file_load *rl)
{
	struct rdb_file_loader	 fl;

	rdb_file_load_clear(rl);
	memset(&fl, 0, sizeof(fl));
	fl.fl_ks = ks;
	fl.fl_rl = rl;
	fl.fl_buf = buf;
	fl.fl_len = len;
	fl.fl_in.ri_p = buf;
	fl.fl_in.ri_end = fl.fl_in.ri_p + len;
	fl.fl_now = now_ms;
	if (rdb_file_read(&fl) == 0)
		return (0);
	keyspace_flush_all(ks);
	rl->rl_keys = 0;
	errno = fl.fl_errno != 0 ? fl.fl_errno : EINVAL;
	return (-1);
}

int
rdb_file_load_path(struct keyspace *ks, const char *path, int64_t now_ms,
    struct rdb_file_load *rl)
{
	struct stat	 sb;
	void		*p;
	int		 fd, rv, err;

	rdb_file_load_clear(rl);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err = errno;
		snprintf(rl->rl_err, sizeof(rl->rl_err), "%s: %s", path,
		    strerror(err));
		errno = err;
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		err = errno;
		snprintf(rl->rl_err, sizeof(rl->rl_err), "%s: %s", path,
		    strerror(err));
		close(fd);
		errno = err;
		return (-1);
	}
	if (sb.st_size == 0) {
		close(fd);
		return (rdb_file_load(ks, "", 0, now_ms, rl));
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = errno;
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(rl->rl_err, sizeof(rl->rl_err), "%s: mmap: %s", path,
		    strerror(err));
		errno = err;
		return (-1);
	}
	(void)posix_madvise(p, (size_t)sb.st_size, POSIX_MADV_SEQUENTIAL);
	rv = rdb_file_load(ks, p, (size_t)sb.st_size, now_ms, rl);
	munmap(p, (size_t)sb.st_size);
	return (rv);
}
