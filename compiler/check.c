/* SPDX-License-Identifier: Apache-2.0
 *
 * Type checking, constant conversion, event-type sets and output validation (see check.h).
 * The order in which things are checked follows libsinsp's filter compiler, so the first
 * error reported is the one Falco reports.
 */
#include "check.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "arena.h"
#include "ast.h"
#include "parse.h"
#include "runtime/evtab.h"
#include "types.h"

/* ---------------------------------------------------------------- helpers */

struct ck {
	struct arena *a;
	const struct check_env *env;
	struct check_result *res;
};

static int ck_fail(struct ck *c, const struct ast *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ck_fail(struct ck *c, const struct ast *node, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!c->res->err) {
		c->res->err = arena_strdup(c->a, buf);
		if (!c->res->err)
			c->res->err = "out of memory";
		c->res->err_node = node;
	}
	return -1;
}

static void ck_warn(struct ck *c, const struct ast *node, const char *msg)
{
	struct check_result *r = c->res;
	if (r->nwarnings == r->capwarnings) {
		uint32_t ncap = r->capwarnings ? r->capwarnings * 2 : 8;
		struct check_warning *w = arena_alloc(c->a, ncap * sizeof(*w));
		if (!w)
			return;
		if (r->nwarnings)
			memcpy(w, r->warnings, r->nwarnings * sizeof(*w));
		r->warnings = w;
		r->capwarnings = ncap;
	}
	r->warnings[r->nwarnings].msg = arena_strdup(c->a, msg);
	r->warnings[r->nwarnings].node = node;
	if (r->warnings[r->nwarnings].msg)
		r->nwarnings++;
}

/* sscanf("%<conv>%c") == 1: the whole string is one number (leading blanks allowed) */
static bool scan_i64(const char *s, int64_t *out)
{
	char t;
	return sscanf(s, "%" SCNd64 "%c", out, &t) == 1;
}

static bool scan_u64(const char *s, uint64_t *out)
{
	char t;
	return sscanf(s, "%" SCNu64 "%c", out, &t) == 1;
}

static bool scan_i32(const char *s, int32_t *out)
{
	char t;
	return sscanf(s, "%" SCNd32 "%c", out, &t) == 1;
}

static bool scan_u32(const char *s, uint32_t *out)
{
	char t;
	return sscanf(s, "%" SCNu32 "%c", out, &t) == 1;
}

/* ---------------------------------------------------------------- fields */

/* Type of a field after lookup/transformers: libsinsp's (transformed) field info. */
struct tinfo {
	enum ft_type type;
	enum evt_ptype ptype;	/* exact param type for evt.rawarg, else PT_NONE */
	bool is_list;
	bool no_rhs;		/* EPF_NO_RHS */
	bool no_xform;		/* EPF_NO_TRANSFORMER */
	const char *name;	/* field info name, for messages */
	enum field_id base;	/* the field under the transformers (FLD__COUNT for literals) */
};

static bool is_container_field(const char *name)
{
	return !strncmp(name, "container.", 10) || !strncmp(name, "k8s.", 4);
}

static int field_lookup(const struct check_env *env, const char *name, size_t len)
{
	for (int i = 0; i < FLD__COUNT; i++) {
		const char *fn = field_table[i].name;
		if (fn[0] == name[0] && !strncmp(fn, name, len) && fn[len] == '\0') {
			if (!env->container_plugin && is_container_field(fn))
				return -1;
			return i;
		}
	}
	return -1;
}

/* libsinsp's find_longest_matching_evt_param() */
static const struct evt_param *find_param(const char *name, size_t len)
{
	const struct evt_param *best = NULL;
	size_t bestlen = 0;
	for (uint16_t code = 0; code < evtab_ncodes; code++) {
		const struct evt_schema *s = evtab_schema(code);
		if (!s)
			continue;
		for (uint16_t k = 0; k < s->nparams; k++) {
			const char *pn = s->params[k].name;
			size_t pl = pn ? strlen(pn) : 0;
			if (!pl || pl > len || pl <= bestlen)
				continue;
			if (!memcmp(name, pn, pl)) {
				best = &s->params[k];
				bestlen = pl;
			}
		}
	}
	return best;
}

static enum ft_type ptype_to_ft(enum evt_ptype t)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD:
	case PT_PID: case PT_DOUBLE:
		return FT_INT64;
	case PT_UINT8: case PT_UINT16: case PT_UINT32: case PT_UINT64: case PT_SYSCALLID:
	case PT_SIGTYPE: case PT_L4PROTO: case PT_SOCKFAMILY: case PT_FLAGS8: case PT_FLAGS16:
	case PT_FLAGS32: case PT_UID: case PT_GID: case PT_MODE: case PT_ENUMFLAGS8:
	case PT_ENUMFLAGS16: case PT_ENUMFLAGS32:
		return FT_UINT64;
	case PT_PORT:
		return FT_PORT;
	case PT_RELTIME:
		return FT_RELTIME;
	case PT_ABSTIME:
		return FT_ABSTIME;
	case PT_BOOL:
		return FT_BOOL;
	case PT_IPV4ADDR: case PT_IPV6ADDR: case PT_IPADDR:
		return FT_IPADDR;
	case PT_IPV4NET: case PT_IPV6NET: case PT_IPNET:
		return FT_IPNET;
	case PT_BYTEBUF:
		return FT_BYTEBUF;
	case PT_FSPATH: case PT_FSRELPATH:
		return FT_FSPATH;
	case PT_CHARBUF: case PT_SOCKADDR: case PT_SOCKTUPLE:
		return FT_CHARBUF;
	default:
		return FT_NONE;
	}
}

static const char *ptype_name(enum evt_ptype t)
{
	static const char *const n[] = {
		[PT_NONE] = "NONE", [PT_INT8] = "INT8", [PT_INT16] = "INT16", [PT_INT32] = "INT32",
		[PT_INT64] = "INT64", [PT_UINT8] = "UINT8", [PT_UINT16] = "UINT16",
		[PT_UINT32] = "UINT32", [PT_UINT64] = "UINT64", [PT_CHARBUF] = "CHARBUF",
		[PT_BYTEBUF] = "BYTEBUF", [PT_ERRNO] = "ERRNO", [PT_SOCKADDR] = "SOCKADDR",
		[PT_SOCKTUPLE] = "SOCKTUPLE", [PT_FD] = "FD", [PT_PID] = "PID", [PT_FDLIST] = "FDLIST",
		[PT_FSPATH] = "FSPATH", [PT_SYSCALLID] = "SYSCALLID", [PT_SIGTYPE] = "SIGTYPE",
		[PT_RELTIME] = "RELTIME", [PT_ABSTIME] = "ABSTIME", [PT_PORT] = "PORT",
		[PT_L4PROTO] = "L4PROTO", [PT_SOCKFAMILY] = "SOCKFAMILY", [PT_BOOL] = "BOOL",
		[PT_IPV4ADDR] = "IPV4ADDR", [PT_DYN] = "DYNAMIC", [PT_FLAGS8] = "FLAGS8",
		[PT_FLAGS16] = "FLAGS16", [PT_FLAGS32] = "FLAGS32", [PT_UID] = "UID", [PT_GID] = "GID",
		[PT_DOUBLE] = "DOUBLE", [PT_SIGSET] = "SIGSET", [PT_CHARBUFARRAY] = "CHARBUFARRAY",
		[PT_CHARBUF_PAIR_ARRAY] = "CHARBUF_PAIR_ARRAY", [PT_IPV4NET] = "IPV4NET",
		[PT_IPV6ADDR] = "IPV6ADDR", [PT_IPV6NET] = "IPV6NET", [PT_IPADDR] = "IPADDR",
		[PT_IPNET] = "IPNET", [PT_MODE] = "MODE", [PT_FSRELPATH] = "FSRELPATH",
		[PT_ENUMFLAGS8] = "ENUMFLAGS8", [PT_ENUMFLAGS16] = "ENUMFLAGS16",
		[PT_ENUMFLAGS32] = "ENUMFLAGS32",
	};
	return (unsigned)t < sizeof(n) / sizeof(n[0]) && n[t] ? n[t] : "UNKNOWN";
}

static const char *tinfo_type_name(const struct tinfo *t)
{
	return t->ptype != PT_NONE ? ptype_name(t->ptype) : ft_type_name(t->type);
}

/* fields whose comparisons are custom in libsinsp (EPF_NO_RHS) */
static bool field_no_rhs(enum field_id id)
{
	uint32_t f = field_table[id].flags;
	return (f & (FF_EITHER_END | FF_ANCESTOR)) || id == FLD_EVT_RAWARG || id == FLD_FD_CIP_NAME ||
	       id == FLD_FD_SIP_NAME || id == FLD_FD_LIP_NAME || id == FLD_FD_RIP_NAME;
}

/*
 * resolve_field() - libsinsp's filter factory + parse_field_name for @name (as written,
 * without the bracket argument) and optional bracket @arg. On success fills @t and, when
 * @n is not NULL, normalises the AST_FIELD @n. Returns NULL or the error message.
 * *@nonexistent is set when the message is the "nonexistent field" one.
 */
static const char *resolve_field(struct ck *c, struct ast *n, const char *name, const char *arg,
				 uint32_t arg_len, struct tinfo *t)
{
	size_t len = strlen(name);
	int id = field_lookup(c->env, name, len);
	const char *argtxt = arg;
	bool dotted = false;
	const struct evt_param *param = NULL;
	int64_t index = -1;
	char *full = arg ? arena_printf(c->a, "%s[%.*s]", name, (int)arg_len, arg)
			 : arena_strdup(c->a, name);
	if (!full)
		return "out of memory";
	char *nonexist = arena_printf(c->a, "filter_check called with nonexistent field %s", full);
	if (!nonexist)
		return "out of memory";

	if (id < 0) {
		/* evt.arg.NAME / evt.rawarg.NAME */
		const char *pfx = NULL;
		if (!strncmp(name, "evt.arg.", 8))
			pfx = "evt.arg";
		else if (!strncmp(name, "evt.rawarg.", 11))
			pfx = "evt.rawarg";
		if (pfx) {
			const char *pn = name + strlen(pfx) + 1;
			param = find_param(pn, strlen(pn));
			if (!param)
				return arena_printf(c->a, "unknown event argument %s", pn);
			if (strlen(param->name) != strlen(pn) || arg)
				return nonexist;
			id = field_lookup(c->env, pfx, strlen(pfx));
			argtxt = pn;
			arg_len = (uint32_t)strlen(pn);
			dotted = true;
		} else {
			/* NAME.ARG of the other fields taking a dotted argument
			 * (evt.type.is.open, thread.cgroup.cpuset, evt.abspath.src): the
			 * longest such field name followed by '.' and a non-empty argument */
			for (size_t p = len; !arg && p-- > 1;) {
				if (name[p] != '.' || p + 1 == len)
					continue;
				int d = field_lookup(c->env, name, p);
				if (d < 0 || !(field_table[d].flags & FF_ARG_DOTTED))
					continue;
				id = d;
				argtxt = name + p + 1;
				arg_len = (uint32_t)(len - p - 1);
				dotted = true;
				break;
			}
			if (id < 0)
				return nonexist;
		}
	} else if (arg) {
		uint32_t fl = field_table[id].flags;
		char *a = arena_strndup(c->a, arg, arg_len);
		if (!a)
			return "out of memory";
		if (id == FLD_EVT_RAWARG)
			return "evt.arg fields must be expressed explicitly";
		if (id == FLD_EVT_ARG) {
			int32_t v;
			if (!scan_i32(a, &v))
				return arena_printf(c->a, "%s is not a valid number", a);
			index = v;
		} else if (!(fl & (FF_ARG_REQ | FF_ARG_OPT))) {
			return nonexist;
		} else if (fl & FF_ARG_INDEX) {
			int32_t v;
			if (!scan_i32(a, &v))
				return nonexist;
			index = v;
		}
	} else if (field_table[id].flags & FF_ARG_REQ) {
		if (id == FLD_EVT_ARG || id == FLD_EVT_RAWARG)
			return arena_printf(c->a, "filter syntax error: %s", name);
		return nonexist;
	}

	memset(t, 0, sizeof(*t));
	t->base = (enum field_id)id;
	t->name = field_table[id].name;
	t->type = field_table[id].type;
	t->ptype = PT_NONE;
	t->is_list = field_table[id].flags & FF_LIST;
	t->no_xform = field_table[id].flags & FF_NO_XFORM;
	t->no_rhs = field_no_rhs((enum field_id)id);
	if (id == FLD_EVT_RAWARG) {
		t->ptype = param->type;
		t->type = ptype_to_ft(param->type);
	}
	if (n) {
		n->u.field.id = (enum field_id)id;
		n->u.field.name = field_table[id].name;
		n->u.field.arg = argtxt ? arena_strndup(c->a, argtxt, arg_len) : NULL;
		n->u.field.arg_len = argtxt ? arg_len : 0;
		n->u.field.arg_dotted = dotted;
		n->u.field.arg_index = index;
	}
	return NULL;
}

bool check_field_exists(const struct check_env *env, const char *s, size_t len)
{
	/* every field name has a dot; most values checked here are plain words */
	if (!len || !memchr(s, '.', len))
		return false;
	if (!memchr(s, '[', len) && strncmp(s, "evt.arg.", 8) && strncmp(s, "evt.rawarg.", 11))
		return field_lookup(env, s, len) >= 0 && !(field_table[field_lookup(env, s, len)].flags &
							      FF_ARG_REQ);
	struct arena a;
	arena_init(&a);
	struct check_result res = { 0 };
	struct ck c = { &a, env, &res };
	bool ok = false;
	const char *lb = memchr(s, '[', len);
	char *name = arena_strndup(&a, s, lb ? (size_t)(lb - s) : len);
	const char *arg = NULL;
	uint32_t arg_len = 0;
	if (!name)
		goto out;
	if (lb) {
		if (s[len - 1] != ']' || memchr(lb + 1, ']', (size_t)(s + len - 1 - (lb + 1))))
			goto out;
		arg = lb + 1;
		arg_len = (uint32_t)(s + len - 1 - arg);
	}
	struct tinfo t;
	ok = resolve_field(&c, NULL, name, arg, arg_len, &t) == NULL;
out:
	arena_free_all(&a);
	return ok;
}

/* ---------------------------------------------------------------- extraction (lhs / rhs) */

static int extract(struct ck *c, struct ast *n, struct tinfo *t);

static const char *xform_name(enum xform_kind k)
{
	return ast_xform_name(k);
}

static bool xform_is_multi(enum xform_kind k)
{
	return k == XF_JOIN || k == XF_CONCAT || k == XF_GETOPT;
}

/* one argument of a transformer: a field, a transformer, a literal or a literal list */
static int extract_arg(struct ck *c, struct ast *n, struct tinfo *t)
{
	if (n->kind == AST_VALUE) {
		memset(t, 0, sizeof(*t));
		t->type = FT_CHARBUF;
		t->name = "rawstring";
		t->base = FLD__COUNT;
		return 0;
	}
	if (n->kind == AST_LIST) {
		memset(t, 0, sizeof(*t));
		if (!n->u.nary.n)
			return ck_fail(c, n, "filter error: unexpected empty transformer list element");
		for (uint32_t i = 0; i < n->u.nary.n; i++) {
			struct tinfo et;
			if (extract_arg(c, n->u.nary.items[i], &et))
				return -1;
		}
		t->type = FT_CHARBUF;
		t->is_list = true;
		t->name = "list";
		t->base = FLD__COUNT;
		return 0;
	}
	return extract(c, n, t);
}

static int add_transformer(struct ck *c, struct ast *n, enum xform_kind k, struct tinfo *t)
{
	if (t->no_xform)
		return ck_fail(c, n, "field '%s' does not support transformers", t->name);
	bool ok = false;
	enum ft_type ty = t->type;
	bool path = ty == FT_CHARBUF || ty == FT_FSPATH;
	switch (k) {
	case XF_TOLOWER:
	case XF_TOUPPER:
	case XF_BASENAME:
		ok = path && t->ptype != PT_CHARBUFARRAY;
		break;
	case XF_B64:
		ok = (ty == FT_CHARBUF && t->ptype != PT_FSPATH && t->ptype != PT_FSRELPATH) ||
		     ty == FT_BYTEBUF;
		ok = ok && ty != FT_FSPATH;
		break;
	case XF_LEN:
		if (t->is_list) {
			t->type = FT_UINT64;
			t->is_list = false;
			ok = true;
		} else if (path || ty == FT_BYTEBUF) {
			t->type = FT_UINT64;
			ok = true;
		}
		t->ptype = PT_NONE;
		break;
	case XF_JOIN:
	case XF_CONCAT:
	case XF_GETOPT:
	case XF__COUNT:
		break;
	}
	if (!ok)
		return ck_fail(c, n,
			       "can't add field transformer: type '%s' is not supported by '%s' "
			       "transformer applied on %sfield '%s'",
			       ft_type_name(ty), xform_name(k), t->is_list ? "list " : "", t->name);
	return 0;
}

static int extract_xform(struct ck *c, struct ast *n, struct tinfo *t)
{
	enum xform_kind k = n->u.xform.kind;
	uint32_t na = n->u.xform.nargs;
	struct tinfo at[16];
	if (na > 16)
		return ck_fail(c, n, "filter error: too many transformer arguments");
	for (uint32_t i = 0; i < na; i++)
		if (extract_arg(c, n->u.xform.args[i], &at[i]))
			return -1;
	memset(t, 0, sizeof(*t));
	t->base = FLD__COUNT;
	if (!xform_is_multi(k) && na == 1) {
		if (n->u.xform.arg)
			return ck_fail(c, n, "filter error: transformer '%s' does not support field "
					     "arguments", xform_name(k));
		*t = at[0];
		if (add_transformer(c, n, k, t))
			return -1;
		n->u.xform.type = t->type;
		return 0;
	}
	const char *nm = xform_name(k);
	switch (k) {
	case XF_JOIN:
		if (na != 2)
			return ck_fail(c, n, "join() requires exactly 2 arguments: separator and list");
		if (at[0].is_list)
			return ck_fail(c, n, "join() first argument (separator) must be a single value, "
					     "not a list");
		if (!at[1].is_list)
			return ck_fail(c, n, "join() second argument must be a list");
		t->is_list = false;
		break;
	case XF_CONCAT:
		if (na < 2)
			return ck_fail(c, n, "concat() requires at least 2 arguments");
		for (uint32_t i = 0; i < na; i++)
			if (at[i].type != FT_CHARBUF || at[i].is_list)
				return ck_fail(c, n, "concat() arguments must be strings");
		t->is_list = false;
		break;
	case XF_GETOPT:
		if (na != 2)
			return ck_fail(c, n, "getopt() requires exactly 2 arguments: args list and "
					     "optstring");
		if (!at[0].is_list)
			return ck_fail(c, n, "getopt() first argument must be a list");
		if (at[1].is_list)
			return ck_fail(c, n, "getopt() second argument (optstring) must be a single "
					     "value");
		if (at[0].type != FT_CHARBUF || at[1].type != FT_CHARBUF)
			return ck_fail(c, n, "getopt() arguments must be strings");
		t->is_list = !n->u.xform.arg;
		if (n->u.xform.arg && n->u.xform.arg_len != 1)
			return ck_fail(c, n, "getopt() field argument must be a single option character");
		break;
	default:
		return ck_fail(c, n, "filter error: transformer '%s' requires exactly one argument",
			       nm);
	}
	if (k != XF_GETOPT && n->u.xform.arg)
		return ck_fail(c, n, "transformer '%s' does not support field arguments", nm);
	t->type = FT_CHARBUF;
	t->name = nm;
	n->u.xform.type = FT_CHARBUF;
	return 0;
}

static int extract(struct ck *c, struct ast *n, struct tinfo *t)
{
	switch (n->kind) {
	case AST_FIELD: {
		const char *err = resolve_field(c, n, n->u.field.name, n->u.field.arg,
						n->u.field.arg_len, t);
		if (err)
			return ck_fail(c, n, "%s", err);
		if (n->u.field.val_arg)
			return ck_fail(c, n, "filter error: transformer 'val' does not support field "
					     "arguments");
		return 0;
	}
	case AST_XFORM:
		return extract_xform(c, n, t);
	case AST_AND:
	case AST_OR:
	case AST_NOT:
	case AST_CHECK:
	case AST_REF:
	case AST_VALUE:
	case AST_LIST:
	case AST_BOOL:
	case AST__COUNT:
		break;
	}
	return ck_fail(c, n, "filter error: missing field in left-hand of binary check");
}

/* ---------------------------------------------------------------- operators and types */

static const char *cmp_text(enum cmp_op op)
{
	return ast_op_name(op);
}

static bool str_op_ok(enum cmp_op op)
{
	return op != OP_BCONTAINS && op != OP_BSTARTSWITH;
}

/* libsinsp's flt_is_comparable(); fills @err */
static bool comparable(enum cmp_op op, enum cmp_mod mod, const struct tinfo *t, char *err,
		       size_t errsz)
{
	const char *on = cmp_text(op);
	if (op == OP_EXISTS)
		return true;
	if (t->is_list) {
		switch (t->type) {
		case FT_CHARBUF: case FT_UINT64: case FT_RELTIME: case FT_ABSTIME: case FT_BOOL:
		case FT_IPADDR: case FT_IPNET:
			if (op == OP_IN || op == OP_INTERSECTS)
				return true;
			snprintf(err, errsz, "'%s' operator not supported list filters", on);
			return false;
		default:
			snprintf(err, errsz, "list filters are not supported for type '%s'",
				 tinfo_type_name(t));
			return false;
		}
	}
	switch (t->type) {
	case FT_INT64: case FT_UINT64: case FT_UINT32: case FT_PORT: case FT_RELTIME:
	case FT_ABSTIME:
		if (op <= OP_GE || op == OP_IN || op == OP_INTERSECTS)
			return true;
		snprintf(err, errsz, "'%s' operator not supported for numeric filters", on);
		return false;
	case FT_BOOL:
		if (op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS)
			return true;
		snprintf(err, errsz, "'%s' operator not supported for numeric filters", on);
		return false;
	case FT_IPADDR:
	case FT_IPNET: {
		bool ok = op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS;
		if (mod != MOD_NONE && !ok) {
			snprintf(err, errsz, "'%s' with modifier not supported for ip address and "
					     "network filters", on);
			return false;
		}
		if (ok)
			return true;
		snprintf(err, errsz, "'%s' operator not supported for ip address and network filters",
			 on);
		return false;
	}
	case FT_CHARBUF:
	case FT_FSPATH:
		if (str_op_ok(op))
			return true;
		snprintf(err, errsz, "'%s' operator not supported for string filters", on);
		return false;
	case FT_BYTEBUF:
		switch (op) {
		case OP_EQ: case OP_NE: case OP_CONTAINS: case OP_IN: case OP_STARTSWITH:
		case OP_ENDSWITH: case OP_INTERSECTS: case OP_BCONTAINS: case OP_BSTARTSWITH:
			return true;
		default:
			snprintf(err, errsz, "'%s' operator not supported for buffer filters", on);
			return false;
		}
	case FT_NONE: case FT_DYN: case FT__COUNT:
		break;
	}
	snprintf(err, errsz, "'%s' operator not supported for type '%s'", on, tinfo_type_name(t));
	return false;
}

/* ---------------------------------------------------------------- constants */

static const char *cmpop_upper(enum cmp_op op)
{
	static const char *const n[OP__COUNT] = {
		[OP_EQ] = "EQ", [OP_NE] = "NE", [OP_LT] = "LT", [OP_LE] = "LE", [OP_GT] = "GT",
		[OP_GE] = "GE", [OP_CONTAINS] = "CONTAINS", [OP_ICONTAINS] = "ICONTAINS",
		[OP_BCONTAINS] = "BCONTAINS", [OP_STARTSWITH] = "STARTSWITH",
		[OP_BSTARTSWITH] = "BSTARTSWITH", [OP_ENDSWITH] = "ENDSWITH", [OP_GLOB] = "GLOB",
		[OP_IGLOB] = "IGLOB", [OP_REGEX] = "REGEX", [OP_IN] = "IN",
		[OP_INTERSECTS] = "INTERSECTS", [OP_PMATCH] = "PMATCH", [OP_EXISTS] = "EXISTS",
	};
	return (unsigned)op < OP__COUNT ? n[op] : "<unset>";
}

static int parse_ip4net(struct ck *c, struct ast *v, const char *s, struct ast_const *k)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return ck_fail(c, v, "unrecognized IP network %s", s);
	char ip[64];
	size_t il = (size_t)(slash - s);
	if (il >= sizeof(ip) || inet_pton(AF_INET, (memcpy(ip, s, il), ip[il] = 0, ip), k->ip) != 1)
		return ck_fail(c, v, "unrecognized IP address %s", s);
	uint32_t m;
	if (!scan_u32(slash + 1, &m))
		return ck_fail(c, v, "%s is not a valid number", slash + 1);
	m &= 0xff;	/* parsed as uint8 */
	if (m > 32)
		return ck_fail(c, v, "invalid netmask %s", slash + 1);
	k->family = 4;
	k->prefix = (uint8_t)m;
	return 0;
}

static int parse_ip6net(struct ck *c, struct ast *v, const char *s, struct ast_const *k)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return ck_fail(c, v, "invalid v6 netmask: %s", s);
	char ip[128];
	size_t il = (size_t)(slash - s);
	if (il >= sizeof(ip) || inet_pton(AF_INET6, (memcpy(ip, s, il), ip[il] = 0, ip), k->ip) != 1)
		return ck_fail(c, v, "unrecognized IPv6 address %s", s);
	uint32_t m;
	if (!scan_u32(slash + 1, &m))
		return ck_fail(c, v, "%s is not a valid number", slash + 1);
	m &= 0xff;
	if (m == 0 || m > 128)
		return ck_fail(c, v, "invalid v6 netmask %s", slash + 1);
	k->family = 6;
	k->prefix = (uint8_t)m;
	return 0;
}

/* sinsp_filter_value_parser::string_to_rawval() for one constant */
static int convert_value(struct ck *c, struct ast *v, const struct tinfo *t)
{
	const char *s = v->u.value.str;
	struct ast_const *k = &v->u.value.c;
	memset(k, 0, sizeof(*k));
	k->type = t->type;
	if (t->type == FT_BYTEBUF && t->ptype == PT_NONE)
		return 0;
	if (memchr(s, '\0', v->u.value.len))
		return ck_fail(c, v, "filter error: filter value cannot contain a NUL byte (\\x00)");
	enum evt_ptype p = t->ptype;
	switch (t->type) {
	case FT_INT64: {
		int64_t x;
		if (p == PT_DOUBLE || p == PT_INT32 || p == PT_INT16 || p == PT_INT8) {
			int32_t y;
			if (!scan_i32(s, &y))
				return ck_fail(c, v, "%s is not a valid number", s);
			x = p == PT_INT16 ? (int16_t)y : p == PT_INT8 ? (int8_t)y : y;
		} else if (!scan_i64(s, &x)) {
			return ck_fail(c, v, "%s is not a valid number", s);
		}
		k->n.i = x;
		return 0;
	}
	case FT_UINT64:
	case FT_RELTIME:
	case FT_ABSTIME: {
		uint64_t x;
		if (p == PT_UINT8 || p == PT_FLAGS8 || p == PT_ENUMFLAGS8 || p == PT_L4PROTO ||
		    p == PT_UINT16 || p == PT_FLAGS16 || p == PT_ENUMFLAGS16 || p == PT_UINT32 ||
		    p == PT_FLAGS32 || p == PT_ENUMFLAGS32 || p == PT_MODE || p == PT_UID ||
		    p == PT_GID) {
			uint32_t y;
			if (!scan_u32(s, &y))
				return ck_fail(c, v, "%s is not a valid number", s);
			x = (p == PT_UINT8 || p == PT_FLAGS8 || p == PT_ENUMFLAGS8 || p == PT_L4PROTO)
				    ? (uint8_t)y
			    : (p == PT_UINT16 || p == PT_FLAGS16 || p == PT_ENUMFLAGS16) ? (uint16_t)y
											 : y;
		} else if (p == PT_SYSCALLID || p == PT_SIGTYPE || p == PT_SOCKFAMILY) {
			return ck_fail(c, v, "wrong parameter type %d", (int)p);
		} else if (!scan_u64(s, &x)) {
			return ck_fail(c, v, "%s is not a valid number", s);
		}
		k->n.u = x;
		return 0;
	}
	case FT_UINT32: {
		uint32_t x;
		if (!scan_u32(s, &x))
			return ck_fail(c, v, "%s is not a valid number", s);
		k->n.u = x;
		return 0;
	}
	case FT_PORT: {
		if (!*s) {
			k->n.u = 0;
			return 0;
		}
		if (strspn(s, "0123456789") == strlen(s)) {
			k->n.u = (uint16_t)strtoul(s, NULL, 10);
			return 0;
		}
		struct servent se, *res = NULL;
		char buf[1024];
		if (getservbyname_r(s, NULL, &se, buf, sizeof(buf), &res) || !res)
			return ck_fail(c, v, "unrecognized protocol %s", s);
		k->n.u = ntohs((uint16_t)res->s_port);
		return 0;
	}
	case FT_BOOL:
		if (!strcmp(s, "true"))
			k->n.u = 1;
		else if (!strcmp(s, "false"))
			k->n.u = 0;
		else
			return ck_fail(c, v, "filter error: unrecognized boolean value %s", s);
		return 0;
	case FT_IPADDR: {
		bool v4 = p == PT_IPV4ADDR || (p != PT_IPV6ADDR && strchr(s, '.'));
		if (v4) {
			if (inet_pton(AF_INET, s, k->ip) != 1)
				return ck_fail(c, v, "unrecognized IPv4 address %s", s);
			k->family = 4;
		} else {
			if (inet_pton(AF_INET6, s, k->ip) != 1)
				return ck_fail(c, v, "unrecognized IPv6 address %s", s);
			k->family = 6;
		}
		return 0;
	}
	case FT_IPNET: {
		bool v4 = p == PT_IPV4NET || (p != PT_IPV6NET && strchr(s, '.'));
		return v4 ? parse_ip4net(c, v, s, k) : parse_ip6net(c, v, s, k);
	}
	case FT_CHARBUF:
	case FT_FSPATH:
	case FT_BYTEBUF:
		return 0;
	case FT_NONE:
	case FT_DYN:
	case FT__COUNT:
		break;
	}
	return ck_fail(c, v, "wrong parameter type %d", (int)p);
}

static int unhex_value(struct ck *c, struct ast *v)
{
	const char *s = v->u.value.str;
	uint32_t n = v->u.value.len;
	bool ok = n % 2 == 0;
	for (uint32_t i = 0; ok && i < n; i++)
		ok = isxdigit((unsigned char)s[i]);
	if (!ok)
		return ck_fail(c, v, "filter error: bcontains and bstartswith operator support hex "
				     "strings only");
	char *b = arena_alloc(c->a, n / 2 + 1);
	if (!b)
		return ck_fail(c, v, "out of memory");
	for (uint32_t i = 0; i < n; i += 2) {
		char h[3] = { s[i], s[i + 1], 0 };
		b[i / 2] = (char)strtoul(h, NULL, 16);
	}
	v->u.value.str = b;
	v->u.value.len = n / 2;
	memset(&v->u.value.c, 0, sizeof(v->u.value.c));
	v->u.value.c.type = FT_BYTEBUF;
	return 0;
}

static int check_regex(struct ck *c, struct ast *v)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->u.value.str, v->u.value.len, PCRE2_UTF, &ec,
				       &eo, NULL);
	if (!re)
		re = pcre2_compile((PCRE2_SPTR)v->u.value.str, v->u.value.len, 0, &ec, &eo, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(ec, msg, sizeof(msg));
	return ck_fail(c, v, "invalid regex pattern: %s", (const char *)msg);
}

static bool known_evttype(const char *s, size_t len)
{
	uint64_t bits[8] = { 0 };
	return evtab_codes_by_name(s, len, bits);
}

/* libsinsp's check_warnings_regex_value() */
static void warn_regex(struct ck *c, const struct ast *v)
{
	static const char *special = ".+*?^$()[]{}|\\";
	const char *s = v->u.value.str;
	size_t len = v->u.value.len;
	for (size_t i = 0; i < len; i++) {
		if ((i == 0 && s[i] == '^') || (i == len - 1 && s[i] == '$'))
			continue;
		if (((i == 0 && len > 1) || (len >= 2 && i == len - 2)) && s[i] == '.' &&
		    strchr("+*?", s[i + 1]) && s[i + 1]) {
			i++;
			continue;
		}
		if (strchr(special, s[i]) && s[i])
			return;
	}
	char *m = arena_printf(c->a, "regex check with '%s' may be optimized with simpler operators "
				     "such as '=', 'contains', 'startswith', 'endswith'", s);
	if (m)
		ck_warn(c, v, m);
}

/* libsinsp's check_value_and_add_warnings() */
static void value_warnings(struct ck *c, enum cmp_op op, const struct ast *v)
{
	const char *s = v->u.value.str;
	size_t len = v->u.value.len;
	char *ns = arena_alloc(c->a, len + 1);
	if (!ns)
		return;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			ns[n++] = s[i];
	ns[n] = 0;
	if (op == OP_REGEX)
		warn_regex(c, v);
	if (n && check_field_exists(c->env, ns, n)) {
		char *m = arena_printf(c->a, "'%s' may be a valid field misused as a const string value",
				       s);
		if (m)
			ck_warn(c, v, m);
	}
	static const char *const xf[] = { "val", "tolower", "toupper", "b64", "basename", "len",
					  "join", "concat", "getopt" };
	for (size_t i = 0; i < sizeof(xf) / sizeof(xf[0]); i++) {
		size_t tl = strlen(xf[i]);
		if (n >= tl + 2 && !memcmp(ns, xf[i], tl) && ns[tl] == '(' && ns[n - 1] == ')') {
			char *m = arena_printf(c->a, "'%s' may be a valid field transformer misused as a "
						     "const string value", s);
			if (m)
				ck_warn(c, v, m);
		}
	}
}

static int add_value(struct ck *c, const struct ast *chk, struct ast *v, const struct tinfo *t)
{
	enum cmp_op op = chk->u.check.op;
	value_warnings(c, op, v);
	if (op == OP_BCONTAINS || op == OP_BSTARTSWITH) {
		if (unhex_value(c, v))
			return -1;
	} else if (convert_value(c, v, t)) {
		return -1;
	}
	if (t->base == FLD_EVT_TYPE && t->type == FT_CHARBUF &&
	    !known_evttype(v->u.value.str, v->u.value.len))
		return ck_fail(c, v, "unknown event type %s", v->u.value.str);
	if (op == OP_REGEX && check_regex(c, v))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- checks */

static int check_rhs_field(struct ck *c, struct ast *n, const struct tinfo *lt)
{
	struct ast *r = n->u.check.rhs;
	struct tinfo rt;
	if (extract(c, r, &rt))
		return -1;
	enum cmp_op op = n->u.check.op;
	if (op == OP_PMATCH || op == OP_REGEX)
		return ck_fail(c, r, "operator '%s' doesn't support right-hand side fields",
			       cmpop_upper(op));
	if (lt->type == FT_IPNET)
		return ck_fail(c, r, "field type 'IPNET' doesn't support right-hand side fields");
	if (lt->no_rhs)
		return ck_fail(c, r, "field '%s' doesn't support right-hand side fields", lt->name);
	if (rt.no_rhs)
		return ck_fail(c, r, "field '%s' can't be used as a right-hand side field", rt.name);
	if (lt->type != rt.type || lt->is_list != rt.is_list)
		return ck_fail(c, r,
			       "field '%s' has type '%s%s' while the right-hand side field '%s' has "
			       "incompatible type '%s%s'",
			       lt->name, tinfo_type_name(lt), lt->is_list ? " (list)" : "", rt.name,
			       tinfo_type_name(&rt), rt.is_list ? " (list)" : "");
	return 0;
}

static int check_check(struct ck *c, struct ast *n)
{
	struct tinfo lt;
	if (extract(c, n->u.check.lhs, &lt))
		return -1;
	char err[256];
	if (!comparable(n->u.check.op, n->u.check.mod, &lt, err, sizeof(err)))
		return ck_fail(c, n, "filter error: %s", err);
	if (n->u.check.op == OP_EXISTS)
		return 0;
	struct ast *r = n->u.check.rhs;
	if (!r)
		return ck_fail(c, n, "filter error: missing right-hand side");
	if (r->kind == AST_FIELD || r->kind == AST_XFORM)
		return check_rhs_field(c, n, &lt);
	if (r->kind == AST_VALUE)
		return add_value(c, n, r, &lt);
	if (r->kind == AST_LIST) {
		for (uint32_t i = 0; i < r->u.nary.n; i++)
			if (add_value(c, n, r->u.nary.items[i], &lt))
				return -1;
		return 0;
	}
	return ck_fail(c, r, "filter error: unexpected right-hand side");
}

static int check_node(struct ck *c, struct ast *n, uint32_t depth)
{
	if (depth > 100000)
		return ck_fail(c, n, "filter error: condition nested too deeply");
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			if (check_node(c, n->u.nary.items[i], depth + 1))
				return -1;
		return 0;
	case AST_NOT:
		return check_node(c, n->u.not_.child, depth + 1);
	case AST_CHECK:
		return check_check(c, n);
	case AST_REF:
		return ck_fail(c, n, "filter error: unexpected identifier '%s'", n->u.ref.name);
	case AST_BOOL:
		return 0;
	case AST_FIELD:
	case AST_XFORM:
	case AST_VALUE:
	case AST_LIST:
	case AST__COUNT:
		break;
	}
	return ck_fail(c, n, "sinsp_filter_compiler: unexpected standalone value expression in "
			     "filter AST; value expressions should only appear as children of check "
			     "expressions");
}

int check_condition(struct arena *a, const struct check_env *env, struct ast *root,
		    struct check_result *res)
{
	struct ck c = { a, env, res };
	memset(res, 0, sizeof(*res));
	if (check_node(&c, root, 0)) {
		res->nwarnings = 0;
		return -1;
	}
	return 0;
}

bool check_is_unknown_filter_error(const char *m)
{
	return strstr(m, "nonexistent field") || strstr(m, "invalid formatting token") ||
	       strstr(m, "unknown event type") || strstr(m, "unknown filter:");
}

bool check_lhs_field(struct arena *a, const struct check_env *env, const char *field)
{
	if (!strchr(field, '('))
		return check_field_exists(env, field, strlen(field));
	char *text = arena_printf(a, "%s exists", field);
	if (!text)
		return false;
	struct parse_error pe;
	struct ast *root = parse_condition(a, text, strlen(text), 0, &pe);
	if (!root)
		return false;
	struct check_result r;
	return check_condition(a, env, root, &r) == 0;
}

/* ---------------------------------------------------------------- event-type sets */

struct ev {
	bool is_evt, is_fx, neg, has;
	uint64_t codes[8];
	const char *err;
};

static void set_all(uint64_t b[8])
{
	memset(b, 0, 8 * sizeof(uint64_t));
	for (uint32_t i = 0; i < evtab_ncodes && i < FRC_EVT_CODES; i++)
		b[i / 64] |= 1ull << (i % 64);
}

static void invert(struct ev *e)
{
	if (!e->has)
		return;
	uint64_t all[8];
	set_all(all);
	for (int i = 0; i < 8; i++)
		e->codes[i] = all[i] & ~e->codes[i];
}

static void try_invert(struct ev *e)
{
	if (e->neg)
		invert(e);
}

static void names_to_codes(uint64_t b[8], const struct ast *v)
{
	memset(b, 0, 8 * sizeof(uint64_t));
	if (v->kind == AST_VALUE) {
		evtab_codes_by_name(v->u.value.str, v->u.value.len, b);
		return;
	}
	for (uint32_t i = 0; i < v->u.nary.n; i++) {
		const struct ast *x = v->u.nary.items[i];
		if (x->kind == AST_VALUE)
			evtab_codes_by_name(x->u.value.str, x->u.value.len, b);
	}
}

enum inv { INV_EMPTY, INV_ALL, INV_UNKNOWN };

static enum inv evt_num_invariant(const struct ast *n)
{
	const struct ast *l = n->u.check.lhs, *r = n->u.check.rhs;
	if (l->kind != AST_FIELD || strcmp(l->u.field.name, "evt.num") || l->u.field.arg ||
	    n->u.check.mod != MOD_NONE || !r)
		return INV_UNKNOWN;
	uint64_t v;
	enum cmp_op op = n->u.check.op;
	if (op == OP_IN) {
		if (r->kind != AST_LIST)
			return INV_UNKNOWN;
		for (uint32_t i = 0; i < r->u.nary.n; i++) {
			const struct ast *x = r->u.nary.items[i];
			if (x->kind != AST_VALUE || !scan_u64(x->u.value.str, &v) || v != 0)
				return INV_UNKNOWN;
		}
		return INV_EMPTY;
	}
	if (r->kind != AST_VALUE || !scan_u64(r->u.value.str, &v))
		return INV_UNKNOWN;
	switch (op) {
	case OP_EQ: return v == 0 ? INV_EMPTY : INV_UNKNOWN;
	case OP_NE: return v == 0 ? INV_ALL : INV_UNKNOWN;
	case OP_LT: return v <= 1 ? INV_EMPTY : INV_UNKNOWN;
	case OP_LE: return v == 0 ? INV_EMPTY : INV_UNKNOWN;
	case OP_GT: return v == 0 ? INV_ALL : INV_UNKNOWN;
	case OP_GE: return v <= 1 ? INV_ALL : INV_UNKNOWN;
	default: return INV_UNKNOWN;
	}
}

static void ev_visit(struct ev *e, const struct ast *n);

static void ev_junction(struct ev *e, const struct ast *n, bool conj)
{
	uint64_t t[8];
	if (conj)
		set_all(t);
	else
		memset(t, 0, sizeof(t));
	for (uint32_t i = 0; i < n->u.nary.n && !e->err; i++) {
		ev_visit(e, n->u.nary.items[i]);
		for (int k = 0; k < 8; k++)
			t[k] = conj ? t[k] & e->codes[k] : t[k] | e->codes[k];
	}
	memcpy(e->codes, t, sizeof(t));
	e->is_evt = false;
}

static void ev_visit(struct ev *e, const struct ast *n)
{
	if (e->err)
		return;
	switch (n->kind) {
	case AST_AND:
		ev_junction(e, n, !e->neg);
		return;
	case AST_OR:
		ev_junction(e, n, e->neg);
		return;
	case AST_NOT: {
		memset(e->codes, 0, sizeof(e->codes));
		bool saved = e->neg;
		e->neg = !e->neg;
		ev_visit(e, n->u.not_.child);
		e->neg = saved;
		e->is_evt = false;
		return;
	}
	case AST_CHECK: {
		enum cmp_op op = n->u.check.op;
		if (op == OP_EXISTS) {
			ev_visit(e, n->u.check.lhs);
			e->has = e->is_evt;
			set_all(e->codes);
			e->is_evt = false;
			try_invert(e);
			return;
		}
		e->has = false;
		enum inv iv = evt_num_invariant(n);
		if (iv != INV_UNKNOWN) {
			if (iv == INV_EMPTY)
				memset(e->codes, 0, sizeof(e->codes));
			else
				set_all(e->codes);
			e->has = true;
			e->is_evt = false;
			try_invert(e);
			return;
		}
		bool evtop = n->u.check.mod == MOD_NONE &&
			     (op == OP_EQ || op == OP_NE || op == OP_IN);
		if (evtop) {
			ev_visit(e, n->u.check.lhs);
			if (e->err)
				return;
			if (e->is_evt) {
				e->is_fx = false;
				ev_visit(e, n->u.check.rhs);
				if (e->err)
					return;
				if (e->is_fx) {
					e->err = "right-hand field comparisons on `evt.type`/"
						 "`syscall.type` checks are not supported by event "
						 "code search";
					return;
				}
				if (op == OP_NE)
					invert(e);
				e->is_evt = false;
				return;
			}
		}
		set_all(e->codes);
		e->is_evt = false;
		try_invert(e);
		return;
	}
	case AST_REF:
		e->has = false;
		set_all(e->codes);
		e->is_evt = false;
		try_invert(e);
		return;
	case AST_VALUE:
	case AST_LIST:
		e->has = true;
		names_to_codes(e->codes, n);
		e->is_evt = false;
		try_invert(e);
		return;
	case AST_FIELD:
		e->has = false;
		e->is_fx = true;
		e->is_evt = (!strcmp(n->u.field.name, "evt.type") ||
			     !strcmp(n->u.field.name, "syscall.type")) &&
			    !n->u.field.arg;
		set_all(e->codes);
		try_invert(e);
		return;
	case AST_XFORM:
		for (uint32_t i = 0; i < n->u.xform.nargs; i++) {
			const struct ast *x = n->u.xform.args[i];
			if (x->kind == AST_LIST) {	/* transformer list: visit its children */
				for (uint32_t j = 0; j < x->u.nary.n; j++)
					ev_visit(e, x->u.nary.items[j]);
			} else {
				ev_visit(e, x);
			}
			if (e->is_evt) {
				e->err = "event code search does not support `evt.type` checks with "
					 "transformers";
				return;
			}
		}
		e->is_fx = true;
		return;
	case AST_BOOL:
	case AST__COUNT:
		break;
	}
	e->has = false;
	set_all(e->codes);
	e->is_evt = false;
	try_invert(e);
}

int check_evttypes(const struct ast *root, struct frc_evtset *out, const char **err)
{
	struct ev e;
	memset(&e, 0, sizeof(e));
	e.is_fx = true;
	memset(out, 0, sizeof(*out));
	ev_visit(&e, root);
	if (e.err) {
		*err = e.err;
		return -1;
	}
	uint64_t all[8];
	set_all(all);
	memcpy(out->bits, e.codes, sizeof(out->bits));
	out->all = !memcmp(all, e.codes, sizeof(all));
	return 0;
}

uint32_t check_evtset_count(const struct frc_evtset *s)
{
	if (s->all)
		return evtab_ncodes;
	uint32_t n = 0;
	for (int i = 0; i < FRC_EVT_CODES / 64; i++)
		n += (uint32_t)__builtin_popcountll(s->bits[i]);
	return n;
}

/* ---------------------------------------------------------------- outputs */

static bool name_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool name_char(char ch)
{
	return name_start(ch) || (ch >= '0' && ch <= '9') || ch == '_';
}

/* the field-name regex: identifier ("." identifier)+ ; returns its length or 0 */
static size_t lex_field_name(const char *s, size_t n)
{
	size_t i = 0, segs = 0;
	for (;;) {
		if (i >= n || !name_start(s[i]))
			break;
		size_t st = i;
		while (i < n && name_char(s[i]))
			i++;
		segs++;
		if (i < n && s[i] == '.' && i + 1 < n && name_start(s[i + 1])) {
			i++;
			continue;
		}
		(void)st;
		break;
	}
	return segs >= 2 ? i : 0;
}

/*
 * One %token: libsinsp parses the longest prefix of the rest that is a field (with an
 * optional [arg]) or a transformer expression that compiles. We parse with the condition
 * parser on "<prefix> exists" for transformers; plain fields are resolved directly.
 * Returns the token length, or 0 if no prefix works.
 */
static size_t output_token(struct ck *c, const char *s, size_t n)
{
	size_t fl = lex_field_name(s, n);
	if (fl) {
		struct tinfo t;
		/* a bracket argument right after the longest name */
		if (fl < n && s[fl] == '[') {
			size_t j = fl + 1, tl = 0;
			const char *arg = NULL;
			uint32_t arg_len = 0;
			if (j < n && (s[j] == '"' || s[j] == '\'')) {
				char q = s[j++];
				size_t st = j;
				while (j < n && s[j] != q)
					j++;
				if (j + 1 < n && s[j + 1] == ']') {
					arg = s + st;
					arg_len = (uint32_t)(j - st);
					tl = j + 2;
				}
			} else {
				size_t st = j;
				while (j < n && !strchr("[]\"' \t\n\r\f\v", s[j]))
					j++;
				if (j > st && j < n && s[j] == ']') {
					arg = s + st;
					arg_len = (uint32_t)(j - st);
					tl = j + 1;
				}
			}
			char *name = arena_strndup(c->a, s, fl);
			if (arg && name && !resolve_field(c, NULL, name, arg, arg_len, &t))
				return tl;
		}
		/* then every shorter prefix that is itself a field name */
		for (size_t len = fl; len > 0; len--) {
			if (lex_field_name(s, len) != len)
				continue;
			char *name = arena_strndup(c->a, s, len);
			if (name && !resolve_field(c, NULL, name, NULL, 0, &t))
				return len;
		}
		return 0;
	}
	/* transformer: find the longest prefix ending in ')' (or ']') that compiles */
	static const char *const xf[] = { "tolower(", "toupper(", "b64(", "basename(", "len(",
					  "join(", "concat(", "getopt(" };
	bool isxf = false;
	for (size_t i = 0; i < sizeof(xf) / sizeof(xf[0]) && !isxf; i++)
		isxf = n >= strlen(xf[i]) && !memcmp(s, xf[i], strlen(xf[i]));
	if (!isxf)
		return 0;
	for (size_t len = n; len > 0; len--) {
		if (s[len - 1] != ')' && s[len - 1] != ']')
			continue;
		char *text = arena_printf(c->a, "%.*s exists", (int)len, s);
		if (!text)
			return 0;
		struct parse_error pe;
		struct ast *root = parse_condition(c->a, text, strlen(text), 0, &pe);
		if (!root || root->kind != AST_CHECK || root->u.check.lhs->kind != AST_XFORM ||
		    root->u.check.lhs->span.end != len)
			continue;
		struct check_result r;
		struct ck sub = { c->a, c->env, &r };
		memset(&r, 0, sizeof(r));
		struct tinfo t;
		if (!extract(&sub, root->u.check.lhs, &t))
			return len;
	}
	return 0;
}

int check_output(struct arena *a, const struct check_env *env, const char *fmt, const char **err,
		 const char ***tokens, uint32_t *ntokens, size_t *err_off)
{
	struct check_result res = { 0 };
	struct ck c = { a, env, &res };
	size_t len = strlen(fmt);
	const char **tok = NULL;
	uint32_t ntok = 0, captok = 0;
	if (tokens) {
		*tokens = NULL;
		*ntokens = 0;
	}
	if (!len) {
		*err = "empty formatting token";
		return -1;
	}
	const char *s = fmt;
	if (err_off)
		*err_off = 0;
	if (*s == '*') {
		s++;
		len--;
	}
	for (size_t j = 0; j < len; j++) {
		if (s[j] != '%')
			continue;
		if (err_off)
			*err_off = (size_t)(s - fmt) + j;
		if (j == len - 1) {
			*err = "invalid formatting syntax: formatting cannot end with a %";
			return -1;
		}
		if (isdigit((unsigned char)s[j + 1])) {
			while (isdigit((unsigned char)s[j + 1])) {
				if (j + 1 == len - 1) {
					*err = "invalid formatting syntax: formatting cannot end with a "
					       "number";
					return -1;
				}
				j++;
			}
		}
		size_t tl = output_token(&c, s + j + 1, len - j - 1);
		if (!tl) {
			*err = "unknown filter: unexpected token after '";
			return -1;
		}
		if (tokens) {
			if (ntok == captok) {
				uint32_t ncap = captok ? captok * 2 : 8;
				const char **nt = arena_alloc(a, ncap * sizeof(*nt));
				if (!nt) {
					*err = "out of memory";
					return -1;
				}
				if (ntok)
					memcpy(nt, tok, ntok * sizeof(*nt));
				tok = nt;
				captok = ncap;
			}
			tok[ntok] = arena_strndup(a, s + j + 1, tl);
			if (tok[ntok])
				ntok++;
		}
		j += tl;
	}
	if (tokens) {
		*tokens = tok;
		*ntokens = ntok;
	}
	return 0;
}
