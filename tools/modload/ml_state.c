// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: the record of requests (/run/modload/state, one line per
 * request: name, result, time, reason; tab-separated), `modload status`
 * and the boot configuration (modload.d).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modload.h"

void ml_state_record(const char *name, const struct ml_outcome *out)
{
	char line[1024], when[32], reason[sizeof(out->reason)];
	struct tm tm;
	time_t now = time(NULL);
	size_t i;
	int fd, n;

	if (ml_mkdir_p(ML_RUN_DIR, 0755))
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(reason, sizeof(reason), "%s", out->reason);
	for (i = 0; reason[i]; i++)
		if (reason[i] == '\t' || reason[i] == '\n')
			reason[i] = ' ';
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\n", name,
		     ml_result_name(out->res), when, reason);
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	fd = open(ML_STATE_FILE, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		ml_debug("cannot record in %s: %s\n", ML_STATE_FILE, strerror(errno));
		return;
	}
	if (write(fd, line, n) != n)
		ml_debug("cannot record in %s: %s\n", ML_STATE_FILE, strerror(errno));
	close(fd);
}

struct ml_req {
	char name[ML_NAME_MAX + 1];
	char result[16];
	char when[32];
	char reason[512];
};

/* The requests in the state file, the last one per name, in order. */
static int ml_state_load(struct ml_req **reqs, int *n)
{
	char line[1200];
	struct ml_req r, *v = NULL;
	int count = 0, i;
	FILE *f;

	*reqs = NULL;
	*n = 0;
	f = fopen(ML_STATE_FILE, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *fields[4] = { 0 }, *p = line, *tab;
		int k;

		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < 4 && p; k++) {
			fields[k] = p;
			tab = strchr(p, '\t');
			if (tab)
				*tab++ = '\0';
			p = tab;
		}
		if (!fields[2] || !fields[0][0])
			continue;	/* not a line this modload wrote */
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", fields[0]);
		snprintf(r.result, sizeof(r.result), "%s", fields[1]);
		snprintf(r.when, sizeof(r.when), "%s", fields[2]);
		snprintf(r.reason, sizeof(r.reason), "%s", fields[3] ? fields[3] : "");
		for (i = 0; i < count; i++)
			if (!strcmp(v[i].name, r.name))
				break;
		if (i < count) {
			/* Keep the order of last requests: move it to the end. */
			memmove(&v[i], &v[i + 1], (count - i - 1) * sizeof(*v));
			v[count - 1] = r;
			continue;
		}
		if (!(count & 15)) {
			struct ml_req *nv = realloc(v, (count + 16) * sizeof(*v));

			if (!nv) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = nv;
		}
		v[count++] = r;
	}
	fclose(f);
	*reqs = v;
	*n = count;
	return 0;
}

static int ml_max(int a, size_t b)
{
	return (size_t)a > b ? a : (int)b;
}

int ml_status(const char *release)
{
	struct ml_image_info info;
	struct kmod_ctx *ctx;
	struct ml_req *reqs;
	int n, i, err, wname, wwhen, wres;

	err = ml_state_load(&reqs, &n);
	if (err) {
		fprintf(stderr, "modload: cannot read %s: %s\n", ML_STATE_FILE,
			strerror(-err));
		return ML_EXIT_ENV;
	}
	ctx = ml_ctx_new();
	/* Widths from the data: an alias such as usb:v...p... is long. */
	wname = strlen("MODULE");
	wwhen = strlen("REQUESTED");
	wres = strlen("RESULT");
	for (i = 0; i < n; i++) {
		wname = ml_max(wname, strlen(reqs[i].name));
		wwhen = ml_max(wwhen, strlen(reqs[i].when));
		wres = ml_max(wres, strlen(reqs[i].result));
	}
	if (!n)
		printf("no modules requested since boot\n");
	else
		printf("%-*s  %-*s  %-*s  %s\n", wname, "MODULE", wwhen,
		       "REQUESTED", wres, "RESULT", "NOW");
	for (i = 0; i < n; i++) {
		const char *now = ml_state_now(ctx, reqs[i].name);
		char nowbuf[600];

		if (!strcmp(now, "not loaded") && reqs[i].reason[0])
			snprintf(nowbuf, sizeof(nowbuf), "%s: %s",
				 !strcmp(reqs[i].result, "failed") ?
				 "failed" : "not loaded", reqs[i].reason);
		else
			snprintf(nowbuf, sizeof(nowbuf), "%s", now);
		printf("%-*s  %-*s  %-*s  %s\n", wname, reqs[i].name, wwhen,
		       reqs[i].when, wres, reqs[i].result, nowbuf);
	}
	free(reqs);
	if (ctx)
		kmod_unref(ctx);
	if (ml_image_mounted(release, &info)) {
		printf("image: none mounted on /lib/modules/%s\n", release);
		return ML_EXIT_OK;
	}
	printf("image: %s%s%s%s, kernel %s, layout %s, mounted on %s\n",
	       info.source[0] ? info.source : "?",
	       info.backing[0] ? " (file " : "", info.backing,
	       info.backing[0] ? ")" : "",
	       info.mi.release[0] ? info.mi.release : "?",
	       info.mi.layout == ML_LAYOUT_NESTED ? "nested" : "wsl", ML_IMAGE_DIR);
	printf("overlay: /lib/modules/%s = /lib/modules/%s (base) over %s, writes in %s\n",
	       release, release, info.moddir[0] ? info.moddir : "?", ML_RW_DIR);
	return ML_EXIT_OK;
}

/* Configuration directories, the first overriding same-named files. */
static const char *const ml_conf_dirs[] = { "/etc/modload.d", "/usr/lib/modload.d" };

static int ml_conf_files(char ***files, int *n)
{
	char **v = NULL, **nv;
	int count = 0, i;
	unsigned int d;

	for (d = 0; d < sizeof(ml_conf_dirs) / sizeof(ml_conf_dirs[0]); d++) {
		struct dirent *de;
		DIR *dir = opendir(ml_conf_dirs[d]);

		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			size_t len = strlen(de->d_name);

			if (de->d_name[0] == '.' || len < 6 ||
			    strcmp(de->d_name + len - 5, ".conf"))
				continue;
			for (i = 0; i < count; i++)
				if (!strcmp(strrchr(v[i], '/') + 1, de->d_name))
					break;
			if (i < count)
				continue;	/* overridden by an earlier directory */
			nv = realloc(v, (count + 1) * sizeof(*v));
			if (!nv || asprintf(&nv[count], "%s/%s", ml_conf_dirs[d],
					    de->d_name) < 0) {
				closedir(dir);
				v = nv ? nv : v;
				for (i = 0; i < count; i++)
					free(v[i]);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			count++;
		}
		closedir(dir);
	}
	*files = v;
	*n = count;
	return 0;
}

/* Sorted by file name, whatever the directory. */
static int ml_conf_cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/') + 1;
	const char *y = strrchr(*(char *const *)b, '/') + 1;

	return strcmp(x, y);
}

static int ml_names_add(char ***names, int *n, const char *name)
{
	char **nv;
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	nv = realloc(*names, (*n + 1) * sizeof(**names));
	if (!nv)
		return -ENOMEM;
	*names = nv;
	nv[*n] = strdup(name);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/*
 * The module names of the boot configuration, in file-name order,
 * each once.  Returns the number of bad lines (reported on stderr), or
 * a negative errno.
 */
int ml_boot_names(char ***names, int *n)
{
	char **files, line[1024];
	int nfiles, i, bad = 0, err;

	*names = NULL;
	*n = 0;
	err = ml_conf_files(&files, &nfiles);
	if (err)
		return err;
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), ml_conf_cmp_base);
	for (i = 0; i < nfiles; i++) {
		unsigned int lineno = 0;
		FILE *f = fopen(files[i], "re");

		if (!f) {
			ml_warn("cannot read %s: %s\n", files[i], strerror(errno));
			bad++;
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			const char *why;
			char *s = line, *e;

			lineno++;
			s[strcspn(s, "#")] = '\0';
			while (*s == ' ' || *s == '\t')
				s++;
			e = s + strlen(s);
			while (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
					 e[-1] == '\n' || e[-1] == '\r'))
				*--e = '\0';
			if (!*s)
				continue;
			if (!ml_name_valid(s, &why)) {
				ml_warn("%s:%u: %s\n", files[i], lineno, why);
				bad++;
				continue;
			}
			if (ml_names_add(names, n, s)) {
				fclose(f);
				err = -ENOMEM;
				goto out;
			}
		}
		fclose(f);
	}
	err = bad;
out:
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return err;
}
