/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only event universe and random generators (see fake_world.h).
 */
#include "fake_world.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast_build.h"
#include "types.h"

static const char *const names[] = {
	"open", "openat", "execve", "connect", "accept", "read", "write", "chmod", "rename", "close",
	"unlink",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
static const char *const generic_names[] = { "mprotect", "clock_gettime" };

const char *fw_type_name(void *ctx, unsigned code)
{
	(void)ctx;
	if (code < 2 || code >= 2 + 2 * NNAMES)
		return NULL;
	return names[(code - 2) / 2];
}

bool fw_name_codes(const char *name, size_t len, uint64_t bits[8])
{
	for (unsigned i = 0; i < NNAMES; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len)) {
			bits[0] |= 3ull << (2 + 2 * i);
			return true;
		}
	for (unsigned i = 0; i < 2; i++)
		if (strlen(generic_names[i]) == len && !memcmp(generic_names[i], name, len)) {
			bits[0] |= 3ull;
			return true;
		}
	return false;
}

const struct opt_evtinfo fw_evtinfo = { fw_type_name, NULL };

uint64_t fw_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static unsigned pick(uint64_t *s, unsigned n)
{
	return (unsigned)(fw_rand(s) % n);
}

/* ------------------------------------------------------------------ vocabulary */

static const char *const strs[] = {
	"", "bash", "sh", "sshd", "BASH", "ba", "/etc/passwd", "/etc", "/var/run/docker.sock",
	"/var/run", "/tmp/x y", "a*b", "O_RDONLY|O_CLOEXEC", "runc:[1:CHILD]", "tmp", "/",
	"//etc//shadow", "/var/runx", "Bash -c ls", "\"q\"\\", "caf\xc3\xa9", "\xff\xfe",
};
static const char *const globs[] = {
	"*", "ba*", "*sh", "*etc*", "/etc/*", "b?sh", "[bs]*", "*[!a]", "\\*", "", "**", "/var/*/docker.sock",
	"*a*b*", "BA*",
};
static const char *const regexes[] = {
	"ba.*", ".*sh", "(bash|sh)", "/etc/.*", "[a-z]+", "", "B.*", ".*",
};
static const char *const pms[] = {
	"/etc", "/var/run", "/", "/tmp/*", "/var/*/docker.sock", "etc", "/etc/pass*", "//var//run/",
	"/v?r",
};
static const char *const nums[] = { "0", "1", "-1", "22", "80", "443", "4294967295", "1000", "12345" };
static const char *const ips[] = { "10.0.0.1", "192.168.1.5", "127.0.0.1", "::1", "2001:db8::1" };
static const char *const nets[] = {
	"10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/0", "127.0.0.1/32", "2001:db8::/32", "::/0",
	"192.168.1.4/31",
};
static const char *const hexes[] = { "cafebabe", "00", "ca", "62617368", "" };
static const char *const types[] = { "file", "ipv4", "unix", "pipe" };

struct fdesc {
	const char *name, *arg;
};

static const struct fdesc sfields[] = {
	{ "proc.name", NULL }, { "proc.pname", NULL }, { "fd.name", NULL }, { "proc.cmdline", NULL },
	{ "evt.arg", "flags" }, { "proc.aname", NULL }, { "proc.aname", "2" }, { "fd.types", NULL },
};
static const struct fdesc nfields[] = {
	{ "proc.pid", NULL }, { "user.uid", NULL }, { "fd.sport", NULL }, { "evt.rawres", NULL },
	{ "evt.num", NULL }, { "fd.port", NULL }, { "proc.apid", NULL }, { "evt.is_open_read", NULL },
};
static const struct fdesc ifields[] = {
	{ "fd.sip", NULL }, { "fd.ip", NULL }, { "fd.snet", NULL }, { "fd.net", NULL },
};

/* ------------------------------------------------------------------ conditions */

static struct ast *list_of(struct arena *a, uint64_t *s, const struct ast *f,
			   const char *const *vocab, unsigned nv)
{
	const char *items[6];
	unsigned n = pick(s, 6);
	for (unsigned i = 0; i < n; i++)
		items[i] = vocab[pick(s, nv)];
	return ab_list(a, f, items, NULL, n);
}

#define V(arr) arr, (unsigned)(sizeof(arr) / sizeof(arr[0]))

static struct ast *string_leaf(struct arena *a, uint64_t *s)
{
	const struct fdesc *fd = &sfields[pick(s, sizeof(sfields) / sizeof(sfields[0]))];
	struct ast *f = ab_field(a, fd->name, fd->arg);
	bool list = !strcmp(fd->name, "fd.types");
	if (list) {
		enum cmp_op op = pick(s, 3) == 0 ? OP_EXISTS : pick(s, 2) ? OP_IN : OP_INTERSECTS;
		if (op == OP_EXISTS)
			return ab_check(a, f, op, NULL);
		return ab_check(a, f, op, list_of(a, s, f, V(types)));
	}
	/* sometimes through a transformer */
	if (pick(s, 8) == 0 && strcmp(fd->name, "proc.aname")) {
		enum xform_kind k = (enum xform_kind)pick(s, 4);
		f = ab_xform(a, k == 2 ? XF_BASENAME : k, &f, 1, NULL);
	} else if (pick(s, 16) == 0) {
		struct ast *args[2] = { ab_field(a, "proc.name", NULL), ab_field(a, "fd.name", NULL) };
		f = ab_xform(a, XF_CONCAT, args, 2, NULL);
	}
	static const enum cmp_op ops[] = {
		OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS, OP_ICONTAINS, OP_STARTSWITH,
		OP_ENDSWITH, OP_GLOB, OP_IGLOB, OP_REGEX, OP_IN, OP_INTERSECTS, OP_PMATCH, OP_EXISTS,
		OP_EQ, OP_IN,
	};
	enum cmp_op op = ops[pick(s, sizeof(ops) / sizeof(ops[0]))];
	if (f->kind == AST_FIELD && !strcmp(fd->name, "proc.aname") && !fd->arg &&
	    (op == OP_REGEX || op == OP_PMATCH))
		op = OP_EQ;
	switch (op) {
	case OP_EXISTS:
		return ab_check(a, f, op, NULL);
	case OP_IN: case OP_INTERSECTS:
		return ab_check(a, f, op, list_of(a, s, f, V(strs)));
	case OP_PMATCH:
		return ab_check(a, f, op, list_of(a, s, f, V(pms)));
	case OP_GLOB: case OP_IGLOB: {
		const char *g = globs[pick(s, sizeof(globs) / sizeof(globs[0]))];
		return ab_check(a, f, op, ab_value(a, f, g, (uint32_t)strlen(g)));
	}
	case OP_REGEX: {
		const char *g = regexes[pick(s, sizeof(regexes) / sizeof(regexes[0]))];
		return ab_check(a, f, op, ab_value(a, f, g, (uint32_t)strlen(g)));
	}
	default:
		break;
	}
	if (pick(s, 10) == 0) { /* field on the right */
		struct ast *r = ab_field(a, pick(s, 2) ? "proc.pname" : "proc.cmdline", NULL);
		return ab_check_field(a, f, op == OP_LT ? OP_EQ : op, r);
	}
	if (pick(s, 10) == 0 && op != OP_EXISTS) { /* anyof / allof / oneof */
		struct ast *c = ab_check(a, f, op, list_of(a, s, f, V(strs)));
		c->u.check.mod = (enum cmp_mod)(1 + pick(s, 3));
		return c;
	}
	const char *v = strs[pick(s, sizeof(strs) / sizeof(strs[0]))];
	return ab_check(a, f, op, ab_value(a, f, v, (uint32_t)strlen(v)));
}

static struct ast *num_leaf(struct arena *a, uint64_t *s)
{
	const struct fdesc *fd = &nfields[pick(s, sizeof(nfields) / sizeof(nfields[0]))];
	struct ast *f = ab_field(a, fd->name, fd->arg);
	if (!strcmp(fd->name, "evt.is_open_read")) {
		enum cmp_op op = pick(s, 3) == 0 ? OP_NE : OP_EQ;
		const char *v = pick(s, 2) ? "true" : "false";
		return ab_check(a, f, op, ab_value(a, f, v, (uint32_t)strlen(v)));
	}
	static const enum cmp_op ops[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_EXISTS };
	enum cmp_op op = ops[pick(s, sizeof(ops) / sizeof(ops[0]))];
	if (op == OP_EXISTS)
		return ab_check(a, f, op, NULL);
	if (op == OP_IN)
		return ab_check(a, f, op, list_of(a, s, f, V(nums)));
	const char *v = nums[pick(s, sizeof(nums) / sizeof(nums[0]))];
	return ab_check(a, f, op, ab_value(a, f, v, (uint32_t)strlen(v)));
}

static struct ast *ip_leaf(struct arena *a, uint64_t *s)
{
	const struct fdesc *fd = &ifields[pick(s, sizeof(ifields) / sizeof(ifields[0]))];
	struct ast *f = ab_field(a, fd->name, fd->arg);
	bool net = field_table[f->u.field.id].type == FT_IPNET;
	static const enum cmp_op ops[] = { OP_EQ, OP_NE, OP_IN, OP_EXISTS };
	enum cmp_op op = ops[pick(s, 4)];
	if (op == OP_EXISTS)
		return ab_check(a, f, op, NULL);
	if (op == OP_IN)
		return ab_check(a, f, op, net ? list_of(a, s, f, V(nets)) : list_of(a, s, f, V(ips)));
	const char *v = net ? nets[pick(s, sizeof(nets) / sizeof(nets[0]))]
			    : ips[pick(s, sizeof(ips) / sizeof(ips[0]))];
	return ab_check(a, f, op, ab_value(a, f, v, (uint32_t)strlen(v)));
}

static struct ast *evt_leaf(struct arena *a, uint64_t *s)
{
	unsigned k = pick(s, 6);
	if (k == 0)
		return ab_cmp(a, "evt.dir", NULL, pick(s, 2) ? OP_EQ : OP_NE, pick(s, 2) ? "<" : ">");
	if (k == 1) {
		struct ast *f = ab_field(a, "evt.buffer", NULL);
		static const enum cmp_op ops[] = { OP_BCONTAINS, OP_BSTARTSWITH, OP_EQ, OP_CONTAINS,
						   OP_EXISTS };
		enum cmp_op op = ops[pick(s, 5)];
		if (op == OP_EXISTS)
			return ab_check(a, f, op, NULL);
		const char *v = op == OP_BCONTAINS || op == OP_BSTARTSWITH
			? hexes[pick(s, sizeof(hexes) / sizeof(hexes[0]))] : strs[pick(s, 6)];
		return ab_check(a, f, op, ab_value(a, f, v, (uint32_t)strlen(v)));
	}
	const char *n1 = names[pick(s, NNAMES)], *n2 = pick(s, 4) ? names[pick(s, NNAMES)]
								 : generic_names[pick(s, 2)];
	char buf[64];
	switch (k) {
	case 2: return ab_cmp(a, "evt.type", NULL, OP_EQ, n2);
	case 3: return ab_cmp(a, "evt.type", NULL, OP_NE, n1);
	default:
		snprintf(buf, sizeof(buf), "%s,%s", n1, n2);
		return ab_cmp(a, "evt.type", NULL, OP_IN, buf);
	}
}

struct ast *fw_random_evttypes(struct arena *a, uint64_t *s)
{
	char buf[128] = "";
	unsigned n = 1 + pick(s, 3);
	for (unsigned i = 0; i < n; i++) {
		const char *nm = pick(s, 8) ? names[pick(s, NNAMES)] : generic_names[pick(s, 2)];
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "", nm);
	}
	return ab_cmp(a, "evt.type", NULL, OP_IN, buf);
}

struct ast *fw_random_cond(struct arena *a, uint64_t *s, unsigned depth)
{
	unsigned k = depth ? pick(s, 10) : 5 + pick(s, 5);
	struct ast *kids[4];
	switch (k) {
	case 0: case 1: case 2: {
		unsigned n = 2 + pick(s, 3);
		for (unsigned i = 0; i < n; i++)
			kids[i] = fw_random_cond(a, s, depth - 1);
		return k == 2 ? ab_or(a, kids, n) : ab_and(a, kids, n);
	}
	case 3:
		return ab_or(a, (kids[0] = fw_random_cond(a, s, depth - 1),
				 kids[1] = fw_random_cond(a, s, depth - 1), kids), 2);
	case 4:
		return ab_not(a, fw_random_cond(a, s, depth - 1));
	case 5: case 6:
		return string_leaf(a, s);
	case 7:
		return num_leaf(a, s);
	case 8:
		return ip_leaf(a, s);
	default:
		return evt_leaf(a, s);
	}
}

/* ------------------------------------------------------------------ events */

static struct fake_field *add(struct fake_evt *e, const char *name, const char *arg)
{
	for (int i = 0; i < FLD__COUNT; i++) {
		if (strcmp(field_table[i].name, name))
			continue;
		struct fake_field *f = &e->f[e->n++];
		memset(f, 0, sizeof(*f));
		f->field = (uint32_t)i;
		f->arg = arg;
		f->arg_len = arg ? (uint32_t)strlen(arg) : 0;
		f->arg_index = arg && (field_table[i].flags & FF_ARG_INDEX) ? strtoll(arg, NULL, 10) : -1;
		return f;
	}
	return NULL;
}

static void set_str(struct frc_val *v, const char *s)
{
	v->s = (const frc_u8 *)s;
	v->len = (uint32_t)strlen(s);
}

static void set_ip(struct frc_val *v, const char *s)
{
	v->family = strchr(s, '.') ? 4 : 6;
	inet_pton(v->family == 4 ? AF_INET : AF_INET6, s, v->ip);
}

static void set_num(struct frc_val *v, const char *s, bool u32)
{
	long long x = strtoll(s, NULL, 10);
	v->n.u = u32 ? (uint32_t)x : (uint64_t)x;
}

static struct frc_val *items(struct arena *a, struct frc_val *v, unsigned n)
{
	struct frc_val *it = arena_alloc(a, (n ? n : 1) * sizeof(*it));
	v->multi = 1;
	v->items = it;
	v->nitems = n;
	return it;
}

void fw_random_event(struct arena *a, uint64_t *s, struct fake_evt *e)
{
	e->f = arena_alloc(a, 40 * sizeof(*e->f));
	e->n = 0;
	e->code = pick(s, FW_NCODES);
	const char *tn = fw_type_name(NULL, e->code);
	set_str(&add(e, "evt.type", NULL)->v, tn ? tn : generic_names[pick(s, 2)]);
	set_str(&add(e, "evt.dir", NULL)->v, e->code & 1 ? "<" : ">");
	add(e, "evt.num", NULL)->v.n.u = 1 + pick(s, 1000);
#define MAYBE if (pick(s, 4))
	for (unsigned i = 0; i < sizeof(sfields) / sizeof(sfields[0]); i++) {
		MAYBE {
			const struct fdesc *fd = &sfields[i];
			struct fake_field *f = add(e, fd->name, fd->arg);
			if (!strcmp(fd->name, "proc.aname") && !fd->arg) {
				unsigned n = pick(s, 4);
				struct frc_val *it = items(a, &f->v, n);
				for (unsigned k = 0; k < n; k++)
					set_str(&it[k], strs[pick(s, 6)]);
			} else if (!strcmp(fd->name, "fd.types")) {
				unsigned n = pick(s, 4);
				struct frc_val *it = items(a, &f->v, n);
				for (unsigned k = 0; k < n; k++)
					set_str(&it[k], types[pick(s, 4)]);
			} else {
				set_str(&f->v, strs[pick(s, sizeof(strs) / sizeof(strs[0]))]);
			}
		}
	}
	for (unsigned i = 0; i < sizeof(nfields) / sizeof(nfields[0]); i++) {
		const struct fdesc *fd = &nfields[i];
		if (!strcmp(fd->name, "evt.num") || !pick(s, 4))
			continue;
		struct fake_field *f = add(e, fd->name, fd->arg);
		bool u32 = field_table[f->field].type == FT_UINT32 || field_table[f->field].type == FT_PORT;
		if (!strcmp(fd->name, "fd.port") || !strcmp(fd->name, "proc.apid")) {
			unsigned n = pick(s, 3);
			struct frc_val *it = items(a, &f->v, n);
			for (unsigned k = 0; k < n; k++)
				set_num(&it[k], nums[pick(s, sizeof(nums) / sizeof(nums[0]))], u32);
		} else if (!strcmp(fd->name, "evt.is_open_read")) {
			f->v.n.u = pick(s, 2);
		} else {
			set_num(&f->v, nums[pick(s, sizeof(nums) / sizeof(nums[0]))], u32);
		}
	}
	for (unsigned i = 0; i < sizeof(ifields) / sizeof(ifields[0]); i++) {
		if (!pick(s, 4))
			continue;
		const struct fdesc *fd = &ifields[i];
		struct fake_field *f = add(e, fd->name, fd->arg);
		if (field_table[f->field].flags & FF_EITHER_END) {
			unsigned n = pick(s, 4) ? 2 : 0;
			struct frc_val *it = items(a, &f->v, n);
			for (unsigned k = 0; k < n; k++)
				set_ip(&it[k], ips[pick(s, sizeof(ips) / sizeof(ips[0]))]);
		} else {
			set_ip(&f->v, ips[pick(s, sizeof(ips) / sizeof(ips[0]))]);
		}
	}
	if (pick(s, 2)) {
		static const char *const bufs[] = { "\xca\xfe\xba\xbe\x00x", "bash", "", "\x00\x01" };
		static const uint32_t lens[] = { 6, 4, 0, 2 };
		unsigned k = pick(s, 4);
		struct fake_field *f = add(e, "evt.buffer", NULL);
		f->v.s = (const frc_u8 *)bufs[k];
		f->v.len = lens[k];
	}
}
