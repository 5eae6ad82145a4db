/*
 * config_test.c: the directive table, redis.conf parsing, includes,
 * command-line overrides and CONFIG GET formatting.
 *
 * Files are written under a mkdtemp() directory that is removed at the end.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hydra/config.h"
#include "tap.h"

static char tmpdir[256];

/* The CONFIG GET text of `name'. */
static const char *
get(const struct config *cfg, const char *name)
{
	static char buf[512];
	const struct config_directive *cd;

	if ((cd = config_lookup(name)) == NULL)
		return "(unknown)";
	config_format(cfg, cd, buf, sizeof(buf));
	return buf;
}

/* Load `text' into fresh defaults; 0 or -1, with `err' filled. */
static int
load(struct config *cfg, const char *text, struct config_error *err)
{
	if (config_init(cfg) == -1) {
		diag("config_init failed");
		exit(1);
	}
	memset(err, 0, sizeof(*err));
	return config_load_string(cfg, text, "test.conf", err);
}

/* Does `text' fail with message `msg' at line `line'? */
static int
fails(const char *text, int line, const char *msg)
{
	struct config cfg;
	struct config_error err;
	int r;

	r = load(&cfg, text, &err);
	config_free(&cfg);
	if (r != -1) {
		diag("'%s' was accepted", text);
		return 0;
	}
	if (err.ce_line != line || strcmp(err.ce_msg, msg) != 0) {
		diag("line %d '%s', want line %d '%s'", err.ce_line, err.ce_msg,
		    line, msg);
		return 0;
	}
	return 1;
}

static void
writefile(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF) {
		diag("cannot write %s", path);
		exit(1);
	}
}

static void
removefile(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
}

static void
test_defaults(void)
{
	struct config cfg;
	char buf[64];

	ok(config_init(&cfg) == 0, "config_init fills the defaults");
	is_int(cfg.cf_port, 6379, "port defaults to 6379");
	ok(strcmp(get(&cfg, "bind"), "* -::*") == 0 && cfg.cf_nbind == 2,
	    "bind defaults to Redis's built-in \"* -::*\"");
	is_int(cfg.cf_databases, 16, "databases defaults to 16");
	ok(!cfg.cf_daemonize && strcmp(get(&cfg, "daemonize"), "no") == 0,
	    "daemonize defaults to no");
	is_int(cfg.cf_loglevel, CONFIG_LOG_NOTICE, "loglevel is notice");
	ok(strcmp(get(&cfg, "loglevel"), "notice") == 0,
	    "loglevel formats as notice");
	ok(strcmp(get(&cfg, "save"), "3600 1 300 100 60 10000") == 0 &&
		cfg.cf_nsave == 3,
	    "save defaults to 3600 1 300 100 60 10000");
	ok(strcmp(cfg.cf_dir, "./") == 0, "dir defaults to ./");
	ok(strcmp(cfg.cf_dbfilename, "dump.rdb") == 0,
	    "dbfilename defaults to dump.rdb");
	ok(strcmp(get(&cfg, "appendfsync"), "everysec") == 0,
	    "appendfsync defaults to everysec");
	ok(strcmp(get(&cfg, "appenddirname"), "appendonlydir") == 0,
	    "appenddirname defaults to appendonlydir");
	is_int(cfg.cf_tcp_keepalive, 300, "tcp-keepalive defaults to 300");
	is_int(cfg.cf_tcp_backlog, 511, "tcp-backlog defaults to 511");
	is_int(cfg.cf_hz, 10, "hz defaults to 10");
	is_int(cfg.cf_maxclients, 10000, "maxclients defaults to 10000");
	is_int(cfg.cf_maxmemory, 0, "maxmemory defaults to 0");
	ok(strcmp(get(&cfg, "maxmemory-policy"), "noeviction") == 0,
	    "maxmemory-policy defaults to noeviction");
	ok(strcmp(get(&cfg, "proto-max-bulk-len"), "536870912") == 0,
	    "proto-max-bulk-len defaults to 512mb, shown in bytes");
	ok(strcmp(get(&cfg, "client-query-buffer-limit"), "1073741824") == 0,
	    "client-query-buffer-limit defaults to 1gb, shown in bytes");
	ok(strcmp(get(&cfg, "protected-mode"), "yes") == 0,
	    "protected-mode defaults to yes");
	ok(strcmp(get(&cfg, "notify-keyspace-events"), "") == 0,
	    "notify-keyspace-events defaults to empty");
	ok(strcmp(get(&cfg, "unixsocket"), "") == 0 &&
		strcmp(get(&cfg, "unixsocketperm"), "0") == 0 &&
		strcmp(get(&cfg, "pidfile"), "") == 0 &&
		strcmp(get(&cfg, "logfile"), "") == 0 &&
		strcmp(get(&cfg, "requirepass"), "") == 0,
	    "unset strings show as empty");
	ok(cfg.cf_syslog_facility == LOG_LOCAL0 && !cfg.cf_syslog_enabled,
	    "syslog is off, facility local0");
	is_int(cfg.cf_workers, 0, "workers defaults to 0 (one per CPU)");
	is_int(cfg.cf_arena_size, 1024LL * 1024 * 1024,
	    "arena-size defaults to 1gb");
	is_int(cfg.cf_stripes, 256, "stripes defaults to 256");
	ok(strcmp(config_arena_name(&cfg, buf, sizeof(buf)), "/hydra-6379") ==
		0,
	    "an empty arena-name means /hydra-<port>");
	ok(config_lookup("PORT") == config_lookup("port") &&
		config_lookup("nosuch") == NULL,
	    "lookup ignores case and misses unknown names");
	ok((config_lookup("daemonize")->cd_flags & CONFIG_F_MUTABLE) == 0 &&
		(config_lookup("maxmemory")->cd_flags & CONFIG_F_MUTABLE) != 0,
	    "daemonize is immutable, maxmemory is not");
	config_free(&cfg);
}

static void
test_types(void)
{
	struct config cfg;
	struct config_error err;

	ok(load(&cfg,
	       "port 7000\ndaemonize yes\nloglevel WARNING\n"
	       "requirepass s3cret\nmaxmemory-policy allkeys-lru\n"
	       "unixsocketperm 700\nappendonly YES\n",
	       &err) == 0,
	    "a file of valid directives loads");
	is_int(cfg.cf_port, 7000, "integers are read");
	ok(cfg.cf_daemonize && strcmp(get(&cfg, "daemonize"), "yes") == 0,
	    "booleans are read and shown as yes");
	ok(cfg.cf_appendonly, "yes is matched in any case");
	is_int(cfg.cf_loglevel, CONFIG_LOG_WARNING,
	    "enum names are matched in any case");
	ok(strcmp(get(&cfg, "maxmemory-policy"), "allkeys-lru") == 0,
	    "enums are shown by name");
	ok(strcmp(cfg.cf_requirepass, "s3cret") == 0, "strings are read");
	ok(cfg.cf_unixsocketperm == 0700 &&
		strcmp(get(&cfg, "unixsocketperm"), "700") == 0,
	    "unixsocketperm is octal both ways");
	config_free(&cfg);

	ok(fails("port 65536", 1,
	       "argument must be between 0 and 65535 "
	       "inclusive"),
	    "port above 65535 is refused with Redis's text");
	ok(fails("port -1", 1,
	       "argument must be between 0 and 65535 "
	       "inclusive"),
	    "a negative port is refused");
	ok(fails("port 12x", 1, "argument couldn't be parsed into an integer"),
	    "a number with junk is refused");
	ok(fails("port +5", 1, "argument couldn't be parsed into an integer"),
	    "a leading + is refused, as string2ll refuses it");
	ok(fails("port 99999999999999999999", 1,
	       "argument couldn't be parsed into an integer"),
	    "an overflowing number is refused");
	ok(fails("databases 0", 1,
	       "argument must be between 1 and "
	       "2147483647 inclusive"),
	    "databases must be at least 1");
	ok(fails("daemonize true", 1, "argument must be 'yes' or 'no'"),
	    "booleans are only yes or no");
	ok(fails("loglevel loud", 1,
	       "argument(s) must be one of the "
	       "following: debug, verbose, notice, warning"),
	    "a bad enum lists the choices");
	ok(fails("unixsocketperm 800", 1,
	       "argument couldn't be parsed as an octal number"),
	    "octal refuses 8");
	ok(fails("unixsocketperm 1000", 1,
	       "argument must be between 0 and 777 inclusive"),
	    "octal bounds are shown in octal");
	ok(fails("dbfilename /tmp/x.rdb", 1,
	       "dbfilename can't be a path, just a filename"),
	    "dbfilename must be a file name");
	ok(fails("stripes 100", 1, "argument must be a power of two"),
	    "stripes must be a power of two");
	ok(fails("stripes 1024", 1,
	       "argument must be between 1 and 512 inclusive"),
	    "stripes stop at 512, so SWAPDB holds at most 1024 locks");
	ok(fails("port 1 2", 1, "wrong number of arguments"),
	    "a single-value directive refuses two arguments");
	ok(fails("port", 1, "wrong number of arguments"),
	    "a single-value directive refuses none");
	ok(fails("notify-keyspace-events Q", 1,
	       "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
	    "an unknown event class is refused");

	ok(load(&cfg, "notify-keyspace-events KEA", &err) == 0 &&
		strcmp(get(&cfg, "notify-keyspace-events"), "AKE") == 0,
	    "notify-keyspace-events KEA shows as AKE");
	config_free(&cfg);
	ok(load(&cfg, "notify-keyspace-events Ex", &err) == 0 &&
		cfg.cf_notify_keyspace_events ==
		    (CONFIG_NOTIFY_KEYEVENT | CONFIG_NOTIFY_EXPIRED) &&
		strcmp(get(&cfg, "notify-keyspace-events"), "xE") == 0,
	    "notify-keyspace-events Ex is keyevent plus expired");
	config_free(&cfg);
	ok(load(&cfg, "bind 127.0.0.1 -::1", &err) == 0 && cfg.cf_nbind == 2 &&
		strcmp(cfg.cf_bind[1], "-::1") == 0 &&
		strcmp(get(&cfg, "bind"), "127.0.0.1 -::1") == 0,
	    "bind takes several addresses");
	config_free(&cfg);
	ok(load(&cfg, "bind 1.1.1.1\nbind 2.2.2.2", &err) == 0 &&
		strcmp(get(&cfg, "bind"), "2.2.2.2") == 0,
	    "a later bind replaces an earlier one");
	config_free(&cfg);
	ok(fails("bind a b c d e f g h i j k l m n o p q", 1,
	       "Too many bind addresses specified."),
	    "more than 16 bind addresses are refused");
}

static void
test_units(void)
{
	struct config cfg;
	struct config_error err;
	long long v;

	ok(config_memtoll("1k", &v) == 0 && v == 1000, "1k is 1000");
	ok(config_memtoll("1kb", &v) == 0 && v == 1024, "1kb is 1024");
	ok(config_memtoll("2m", &v) == 0 && v == 2000000, "2m is 2000000");
	ok(config_memtoll("100mb", &v) == 0 && v == 104857600,
	    "100mb is 104857600");
	ok(config_memtoll("3g", &v) == 0 && v == 3000000000LL,
	    "3g is 3000000000");
	ok(config_memtoll("1GB", &v) == 0 && v == 1073741824LL &&
		config_memtoll("1gB", &v) == 0 && v == 1073741824LL,
	    "units ignore case");
	ok(config_memtoll("12", &v) == 0 && v == 12 &&
		config_memtoll("12b", &v) == 0 && v == 12,
	    "a bare number or b is bytes");
	ok(config_memtoll("1tb", &v) == -1 && config_memtoll("-1", &v) == -1 &&
		config_memtoll("mb", &v) == -1 &&
		config_memtoll("1.5mb", &v) == -1,
	    "unknown units, signs, fractions and missing digits are refused");
	ok(config_memtoll("99999999999gb", &v) == -1,
	    "a size that overflows is refused");

	ok(load(&cfg, "maxmemory 100mb\narena-size 2GB", &err) == 0 &&
		strcmp(get(&cfg, "maxmemory"), "104857600") == 0 &&
		cfg.cf_arena_size == 2LL * 1024 * 1024 * 1024,
	    "memory directives take units and show bytes");
	config_free(&cfg);
	ok(fails("maxmemory 10qb", 1, "argument must be a memory value"),
	    "a bad unit gives Redis's memory error");
	ok(fails("proto-max-bulk-len 1000", 1,
	       "argument must be between "
	       "1048576 and 9223372036854775807 inclusive"),
	    "proto-max-bulk-len is at least 1mb");
}

static void
test_syntax(void)
{
	struct config cfg;
	struct config_error err;

	ok(load(&cfg,
	       "# a comment\n\n   \n\t# indented comment\r\n"
	       "  PORT   7001  \r\n",
	       &err) == 0 &&
		cfg.cf_port == 7001,
	    "comments, blank lines, CRLF and blanks around words are skipped");
	config_free(&cfg);
	ok(load(&cfg, "requirepass \"a b\\x41\\n\\\"\"", &err) == 0 &&
		strcmp(cfg.cf_requirepass, "a bA\n\"") == 0,
	    "double quotes take \\x, \\n and \\\" escapes");
	config_free(&cfg);
	ok(load(&cfg, "requirepass 'it\\'s \\n'", &err) == 0 &&
		strcmp(cfg.cf_requirepass, "it's \\n") == 0,
	    "single quotes take only \\'");
	config_free(&cfg);
	ok(load(&cfg, "logfile \"\"", &err) == 0 &&
		strcmp(cfg.cf_logfile, "") == 0,
	    "\"\" is an empty argument");
	config_free(&cfg);
	ok(load(&cfg, "port 7000\nport 7001", &err) == 0 && cfg.cf_port == 7001,
	    "a later line overrides an earlier one");
	config_free(&cfg);
	ok(fails("port 1\nrequirepass \"abc", 2,
	       "Unbalanced quotes in configuration line"),
	    "an unterminated quote is an error at its line");
	ok(fails("requirepass \"abc\"def", 1,
	       "Unbalanced quotes in configuration line"),
	    "a closing quote must end the word");
	ok(fails("port 6379 # the port", 1, "wrong number of arguments"),
	    "a trailing # is an argument, not a comment");
	ok(fails("\n# c\nport 1\nbogus \"1\"\n", 4,
	       "Bad directive or wrong number of arguments"),
	    "an unknown directive reports Redis's text and its line");
	ok(load(&cfg, "\n\nbogus 1", &err) == -1 &&
		strcmp(err.ce_text, "bogus 1") == 0 &&
		strcmp(err.ce_source, "test.conf") == 0,
	    "the error keeps the line text and the source name");
	config_free(&cfg);
}

static void
test_save(void)
{
	struct config cfg;
	struct config_error err;

	ok(load(&cfg, "save 900 1", &err) == 0 &&
		strcmp(get(&cfg, "save"), "900 1") == 0,
	    "the first save line replaces the defaults");
	config_free(&cfg);
	ok(load(&cfg, "save 900 1\nsave 300 10", &err) == 0 &&
		strcmp(get(&cfg, "save"), "900 1 300 10") == 0 &&
		cfg.cf_nsave == 2 && cfg.cf_save[1].cs_seconds == 300,
	    "later save lines accumulate");
	config_free(&cfg);
	ok(load(&cfg, "save 900 1\nsave \"\"", &err) == 0 &&
		cfg.cf_nsave == 0 && strcmp(get(&cfg, "save"), "") == 0,
	    "save \"\" clears every point");
	config_free(&cfg);
	ok(load(&cfg, "save \"\"\nsave 60 5", &err) == 0 &&
		strcmp(get(&cfg, "save"), "60 5") == 0,
	    "save after save \"\" starts again");
	config_free(&cfg);
	ok(load(&cfg, "save \"100 2 200 3\"", &err) == 0 &&
		strcmp(get(&cfg, "save"), "100 2 200 3") == 0,
	    "one quoted save argument is split into points");
	config_free(&cfg);
	ok(fails("save 900", 1, "Invalid save parameters"),
	    "an odd number of save arguments is refused");
	ok(fails("save 0 1", 1, "Invalid save parameters"),
	    "save seconds must be at least 1");
	ok(fails("save 10 -1", 1, "Invalid save parameters"),
	    "save changes must not be negative");
	ok(fails("save 10 x", 1, "Invalid save parameters"),
	    "save arguments must be numbers");
}

static void
test_include(void)
{
	struct config cfg;
	struct config_error err;
	char path[PATH_MAX], text[PATH_MAX * 2];
	char cwd[PATH_MAX];

	writefile("inc.conf", "port 7100\nmaxmemory 1mb\n");
	snprintf(text, sizeof(text),
	    "port 7000\ninclude %s/inc.conf\n"
	    "maxmemory 2mb\n",
	    tmpdir);
	writefile("main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	config_init(&cfg);
	ok(config_load_file(&cfg, path, &err) == 0,
	    "a file with an include loads");
	is_int(cfg.cf_port, 7100, "the included file overrides lines before");
	is_int(cfg.cf_maxmemory, 2 * 1024 * 1024,
	    "lines after the include override it");
	config_free(&cfg);

	/* Relative include paths are opened from the current directory. */
	if (getcwd(cwd, sizeof(cwd)) != NULL && chdir(tmpdir) == 0) {
		ok(load(&cfg, "include inc.conf", &err) == 0 &&
			cfg.cf_port == 7100,
		    "a relative include is relative to the current directory");
		config_free(&cfg);
		ok(load(&cfg, "include inc*.conf", &err) == 0 &&
			cfg.cf_port == 7100,
		    "an include glob is expanded");
		config_free(&cfg);
		ok(load(&cfg, "include nomatch*.conf", &err) == 0,
		    "a glob that matches nothing is skipped");
		config_free(&cfg);
		if (chdir(cwd) == -1)
			diag("cannot return to the test directory");
	} else
		skip(3, "cannot enter the temporary directory");

	writefile("bad.conf", "port 1\n\nnosuch yes\n");
	snprintf(text, sizeof(text), "include %s/bad.conf", tmpdir);
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	ok(load(&cfg, text, &err) == -1 && err.ce_line == 3 &&
		strcmp(err.ce_source, path) == 0,
	    "an error in an included file names that file and its line");
	config_free(&cfg);

	snprintf(text, sizeof(text), "\ninclude %s/missing.conf", tmpdir);
	ok(load(&cfg, text, &err) == -1 && err.ce_line == 2 &&
		strncmp(err.ce_msg, "can't open config file", 22) == 0,
	    "a missing include is blamed on the include line");
	config_free(&cfg);

	snprintf(text, sizeof(text), "include %s/loop.conf\n", tmpdir);
	writefile("loop.conf", text);
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	config_init(&cfg);
	ok(config_load_file(&cfg, path, &err) == -1 &&
		strstr(err.ce_msg, "include nesting") != NULL,
	    "an include loop stops at the depth limit");
	config_free(&cfg);

	config_init(&cfg);
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	ok(config_load_file(&cfg, path, &err) == -1 && err.ce_line == 0 &&
		strstr(err.ce_msg, "No such file or directory") != NULL,
	    "a missing file says why it cannot be opened");
	config_free(&cfg);

	removefile("inc.conf");
	removefile("main.conf");
	removefile("bad.conf");
	removefile("loop.conf");
}

static void
test_args(void)
{
	struct config cfg;
	struct config_error err;
	char path[PATH_MAX];
	char *s;
	char *a1[] = { "--port", "7206", "--save", "", "--loglevel", "notice" };
	char *a2[] = { "--save", "900", "1", "--save", "300", "10" };
	char *a3[] = { "--save", "--port", "7000" };
	char *a4[] = { "--requirepass", "--odd" };
	char *a5[] = { "--bogus", "1" };
	char *a6[] = { "--save" };
	char *a7[] = { "--requirepass", "a \"b\"\n" };

	s = config_args_to_string(6, a1);
	ok(s != NULL &&
		strcmp(s,
		    "port \"7206\" \nsave \"\" \n"
		    "loglevel \"notice\" ") == 0,
	    "arguments become one quoted line per --name");
	free(s);

	writefile("args.conf", "port 7205\nsave 900 1\nloglevel warning\n");
	snprintf(path, sizeof(path), "%s/args.conf", tmpdir);
	config_init(&cfg);
	ok(config_load(&cfg, path, 6, a1, &err) == 0,
	    "a file plus overrides loads");
	ok(cfg.cf_port == 7206 && cfg.cf_nsave == 0 &&
		cfg.cf_loglevel == CONFIG_LOG_NOTICE,
	    "the overrides win over the file");
	config_free(&cfg);
	removefile("args.conf");

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 6, a2, &err) == 0 &&
		strcmp(get(&cfg, "save"), "900 1 300 10") == 0,
	    "--save 900 1 --save 300 10 accumulates");
	config_free(&cfg);

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 3, a3, &err) == 0 && cfg.cf_nsave == 0 &&
		cfg.cf_port == 7000,
	    "--save followed by --name means save \"\"");
	config_free(&cfg);

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 1, a6, &err) == 0 && cfg.cf_nsave == 0,
	    "a --save at the end means save \"\"");
	config_free(&cfg);

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 2, a4, &err) == 0 &&
		strcmp(cfg.cf_requirepass, "--odd") == 0,
	    "a value that starts with -- is a value when one is awaited");
	config_free(&cfg);

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 2, a7, &err) == 0 &&
		strcmp(cfg.cf_requirepass, "a \"b\"\n") == 0,
	    "argument values survive quoting unchanged");
	config_free(&cfg);

	config_init(&cfg);
	ok(config_load(&cfg, NULL, 2, a5, &err) == -1 &&
		strcmp(err.ce_text, "bogus \"1\"") == 0 &&
		strcmp(err.ce_source, "command line") == 0 && err.ce_line == 1,
	    "a bad option shows as 'bogus \"1\"' from the command line");
	config_free(&cfg);
}

static void
test_set_and_print(void)
{
	struct config cfg;
	struct config_error err;
	char ebuf[CONFIG_ERR_MAX], out[1024];
	char *one[] = { "64mb" };
	char *bad[] = { "lots" };
	FILE *fp;
	size_t n;

	config_init(&cfg);
	ok(config_set(&cfg, "MaxMemory", one, 1, ebuf, sizeof(ebuf)) == 0 &&
		cfg.cf_maxmemory == 64 * 1024 * 1024,
	    "config_set applies one directive by name");
	ok(config_set(&cfg, "maxmemory", bad, 1, ebuf, sizeof(ebuf)) == -1 &&
		strcmp(ebuf, "argument must be a memory value") == 0 &&
		cfg.cf_maxmemory == 64 * 1024 * 1024,
	    "a refused config_set leaves the value alone");
	ok(config_format(&cfg, config_lookup("save"), out, 4) == 23 &&
		strcmp(out, "360") == 0,
	    "config_format truncates and returns the length wanted");
	config_free(&cfg);

	ok(load(&cfg, "port 1\nbogus \"1\"", &err) == -1,
	    "a bad line fails the load");
	if ((fp = tmpfile()) != NULL) {
		config_error_print(&err, fp);
		rewind(fp);
		n = fread(out, 1, sizeof(out) - 1, fp);
		out[n] = '\0';
		fclose(fp);
		ok(strstr(out, "*** FATAL CONFIG FILE ERROR") != NULL &&
			strstr(out, "at line 2") != NULL &&
			strstr(out, ">>> 'bogus \"1\"'\n") != NULL &&
			strstr(out,
			    "Bad directive or wrong number of arguments\n") !=
			    NULL,
		    "the report follows redis-server's layout");
	} else
		skip(1, "no tmpfile");
	config_free(&cfg);
}

/*
 * config_copy(): the copy owns its strings, bind addresses and save
 * points, so that changing or freeing either side leaves the other whole
 * (the sanitizer build catches a shared pointer freed twice).
 */
static void
test_copy(void)
{
	struct config a, b;
	char err[CONFIG_ERR_MAX];
	char *v[2];

	if (config_init(&a) == -1) {
		diag("config_init failed");
		exit(1);
	}
	v[0] = "10.0.0.1";
	v[1] = "10.0.0.2";
	ok(config_set(&a, "bind", v, 2, err, sizeof(err)) == 0, "bind set");
	v[0] = "requirepass-one";
	ok(config_set(&a, "requirepass", v, 1, err, sizeof(err)) == 0,
	    "requirepass set");
	ok(config_copy(&b, &a) == 0, "config_copy");
	ok(b.cf_requirepass != a.cf_requirepass &&
	    b.cf_bind[0] != a.cf_bind[0] && b.cf_save != a.cf_save,
	    "the copy shares no pointer");
	v[0] = "requirepass-two";
	config_set(&b, "requirepass", v, 1, err, sizeof(err));
	b.cf_save_seen = 0;
	v[0] = "10 1";
	config_set(&b, "save", v, 1, err, sizeof(err));
	v[0] = "127.0.0.1";
	config_set(&b, "bind", v, 1, err, sizeof(err));
	ok(strcmp(get(&a, "requirepass"), "requirepass-one") == 0 &&
	    strcmp(get(&a, "bind"), "10.0.0.1 10.0.0.2") == 0 &&
	    strcmp(get(&a, "save"), "3600 1 300 100 60 10000") == 0,
	    "changing the copy leaves the original alone");
	ok(strcmp(get(&b, "requirepass"), "requirepass-two") == 0 &&
	    strcmp(get(&b, "bind"), "127.0.0.1") == 0 &&
	    strcmp(get(&b, "save"), "10 1") == 0, "the copy changed");
	config_free(&b);
	ok(strcmp(get(&a, "requirepass"), "requirepass-one") == 0,
	    "freeing the copy leaves the original alone");
	config_free(&a);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/config_test.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tap_no_plan();
	test_defaults();
	test_types();
	test_units();
	test_syntax();
	test_save();
	test_include();
	test_args();
	test_set_and_print();
	test_copy();
	if (rmdir(tmpdir) == -1)
		diag("cannot remove %s", tmpdir);
	return tap_done();
}
