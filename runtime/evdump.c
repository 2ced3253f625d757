/* SPDX-License-Identifier: Apache-2.0
 *
 * Capture dump for debugging and differential tests (see evdump.h).
 */
#include "evdump.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/types.h"
#include "engine.h"
#include "extract.h"
#include "scap.h"

int evdump_field(const char *spec, char *arg, size_t argsz, long long *idx)
{
	char name[128];
	const char *br = strchr(spec, '[');
	size_t n;

	*idx = -1;
	arg[0] = '\0';
	if (!strncmp(spec, "evt.arg.", 8) && spec[8]) {
		snprintf(arg, argsz, "%s", spec + 8);
		return FLD_EVT_ARG;
	}
	if (!strncmp(spec, "evt.rawarg.", 11) && spec[11]) {
		snprintf(arg, argsz, "%s", spec + 11);
		return FLD_EVT_RAWARG;
	}
	if (br) {
		n = strlen(br + 1);
		if (n == 0 || br[n] != ']')
			return -1;
		snprintf(name, sizeof(name), "%.*s", (int)(br - spec), spec);
		snprintf(arg, argsz, "%.*s", (int)(n - 1), br + 1);
		if (arg[0] >= '0' && arg[0] <= '9')
			*idx = strtoll(arg, NULL, 10);
	} else {
		snprintf(name, sizeof(name), "%s", spec);
	}
	for (int i = 0; i < FLD__COUNT; i++)
		if (!strcmp(field_table[i].name, name))
			return i;
	return -1;
}

struct dump_ctx {
	FILE *out;
	const struct evdump_opts *o;
	int *fid;
	char (*arg)[128];
	long long *idx;
	unsigned long long printed;
	char *buf;
	size_t bufsz;
};

static void put_value(struct dump_ctx *c, struct frc_evt *e, uint32_t fid, const char *arg,
		      long long idx)
{
	const struct frc_val *v = extract_value(e, fid, arg[0] ? arg : NULL, (uint32_t)strlen(arg),
						idx);
	size_t n = extract_format(fid, v, c->buf, c->bufsz);

	if (n >= c->bufsz) {
		free(c->buf);
		c->bufsz = n + 1;
		c->buf = malloc(c->bufsz);
		if (!c->buf) {
			c->bufsz = 0;
			return;
		}
		extract_format(fid, v, c->buf, c->bufsz);
	}
	fputs(c->buf, c->out);
}

static int dump_cb(void *ctx, struct frc_evt *e)
{
	struct dump_ctx *c = ctx;
	const struct evt_schema *s = e->info;

	fprintf(c->out, "%llu ", (unsigned long long)e->num);
	put_value(c, e, FLD_EVT_TYPE, "", -1);
	if (e->hidden)
		fputs(" (hidden)", c->out);
	if (c->o->nfields == 0) {
		/* the evt.args form */
		if (e->nparams && s) {
			fputc(' ', c->out);
			put_value(c, e, FLD_EVT_ARGS, "", -1);
		}
	} else {
		for (size_t i = 0; i < c->o->nfields; i++) {
			fprintf(c->out, " %s=", c->o->fields[i]);
			put_value(c, e, (uint32_t)c->fid[i], c->arg[i], c->idx[i]);
		}
	}
	fputc('\n', c->out);
	c->printed++;
	if (c->o->max_events && c->printed >= c->o->max_events)
		return 1;
	return 0;
}

int evdump_capture(const char *path, FILE *out, const struct evdump_opts *o, char *err,
		   size_t errlen)
{
	struct dump_ctx c = { .out = out, .o = o };
	struct scap_reader *r = NULL;
	struct frc_engine *eng = NULL;
	int rc = -1;

	c.fid = calloc(o->nfields + 1, sizeof(*c.fid));
	c.arg = calloc(o->nfields + 1, sizeof(*c.arg));
	c.idx = calloc(o->nfields + 1, sizeof(*c.idx));
	c.bufsz = 65536;
	c.buf = malloc(c.bufsz);
	if (!c.fid || !c.arg || !c.idx || !c.buf) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < o->nfields; i++) {
		c.fid[i] = evdump_field(o->fields[i], c.arg[i], sizeof(c.arg[i]), &c.idx[i]);
		if (c.fid[i] < 0) {
			snprintf(err, errlen, "unknown field '%s'", o->fields[i]);
			goto done;
		}
	}
	r = scap_open(path, err, errlen);
	if (!r)
		goto done;
	eng = engine_new(NULL);
	if (!eng) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	engine_set_callback(eng, dump_cb, &c);
	if (o->hidden)
		engine_set_hidden_callback(eng, dump_cb, &c);
	rc = engine_run_scap(eng, r, err, errlen);
	if (rc > 0)
		rc = 0;
done:
	engine_free(eng);
	if (r)
		scap_close(r);
	free(c.fid);
	free(c.arg);
	free(c.idx);
	free(c.buf);
	return rc;
}
