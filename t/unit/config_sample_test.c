/*
 * config_sample_test.c: etc/hydra.conf, the sample configuration, states
 * every directive of the table once and at its default.
 *
 * The file is found relative to the current directory, which t/run sets to
 * the top of the tree; HYDRA_SAMPLE_CONF names another file instead.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hydra/config.h"
#include "tap.h"

#define SAMPLE_CONF "etc/hydra.conf"
#define VALUE_MAX 4096

static int
ndirectives(void)
{
	const struct config_directive *cd;
	int n = 0;

	for (cd = config_directives; cd->cd_name != NULL; cd++)
		n++;
	return n;
}

/*
 * Count, for each directive of the table, the non-comment lines of `path'
 * whose first word names it, in any case.  Lines whose first word names no
 * directive (nor include) are counted in `*unknown'.  0, or -1 if the file
 * cannot be read.
 */
static int
scan(const char *path, int *counts, int *unknown)
{
	const struct config_directive *cd;
	FILE *fp;
	char *line = NULL, *b, *e;
	size_t cap = 0;
	int lineno = 0;

	*unknown = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		for (b = line; *b == ' ' || *b == '\t' || *b == '\r'; b++)
			;
		if (*b == '\0' || *b == '\n' || *b == '#')
			continue;
		for (e = b; *e != '\0' && !isspace((unsigned char)*e); e++)
			;
		*e = '\0';
		for (cd = config_directives; cd->cd_name != NULL; cd++)
			if (strcasecmp(cd->cd_name, b) == 0)
				break;
		if (cd->cd_name != NULL)
			counts[cd - config_directives]++;
		else if (strcasecmp(b, "include") != 0) {
			diag("%s:%d: '%s' is not a directive", path, lineno, b);
			(*unknown)++;
		}
	}
	free(line);
	fclose(fp);
	return 0;
}

int
main(void)
{
	const struct config_directive *cd;
	struct config defaults, loaded;
	struct config_error err;
	const char *path;
	char want[VALUE_MAX], got[VALUE_MAX];
	int *counts, n, unknown, scanned, r, wn, gn;

	if ((path = getenv("HYDRA_SAMPLE_CONF")) == NULL || *path == '\0')
		path = SAMPLE_CONF;
	n = ndirectives();
	if ((counts = calloc((size_t)n, sizeof(*counts))) == NULL) {
		diag("out of memory");
		return 1;
	}
	tap_plan(2 + 2 * n);

	/* Loading. */
	if (config_init(&defaults) == -1 || config_init(&loaded) == -1) {
		diag("config_init failed");
		return 1;
	}
	memset(&err, 0, sizeof(err));
	r = config_load_file(&loaded, path, &err);
	if (!ok(r == 0, "%s loads without error", path))
		config_error_print(&err, stderr);

	/* Each directive once, and nothing else. */
	scanned = scan(path, counts, &unknown) == 0;
	if (!scanned)
		diag("cannot read %s", path);
	ok(scanned && unknown == 0,
	    "every directive line of %s names a directive of the table", path);
	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		int c = counts[cd - config_directives];

		if (!ok(scanned && c == 1, "%s sets %s exactly once", path,
			cd->cd_name))
			diag("   %s appears %d times", cd->cd_name, c);
	}

	/* Every value is the default. */
	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		wn = config_format(&defaults, cd, want, sizeof(want));
		gn = config_format(&loaded, cd, got, sizeof(got));
		if (!ok(r == 0 && wn >= 0 && (size_t)wn < sizeof(want) &&
			    gn >= 0 && (size_t)gn < sizeof(got) &&
			    strcmp(want, got) == 0,
			"%s sets %s to its default", path, cd->cd_name))
			diag("   got: '%s', want: '%s'", got, want);
	}

	config_free(&loaded);
	config_free(&defaults);
	free(counts);
	return tap_done();
}
