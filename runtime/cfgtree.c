/* SPDX-License-Identifier: Apache-2.0
 *
 * Mutable YAML tree for configuration files (see cfgtree.h). Parsing uses libyaml's event
 * API so that every node keeps its position; path semantics follow Falco's yaml_helper
 * (`-o` keys), conversions follow yaml-cpp (what Falco reads its configuration with).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "cfgtree.h"
#include "jsonw.h"

/* The message of the last failure; configuration loading is single-threaded. */
static char cn_errbuf[1024];

const char *cn_error(void)
{
	return cn_errbuf;
}

static void cn_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cn_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cn_errbuf, sizeof(cn_errbuf), fmt, ap);
	va_end(ap);
}

struct cnode *cn_new(enum cn_kind kind)
{
	struct cnode *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = kind;
	return n;
}

struct cnode *cn_new_scalar(const char *s, size_t len)
{
	struct cnode *n = cn_new(CN_SCALAR);

	if (!n)
		return NULL;
	n->str = malloc(len + 1);
	if (!n->str) {
		free(n);
		return NULL;
	}
	memcpy(n->str, s, len);
	n->str[len] = 0;
	n->len = len;
	return n;
}

static void cn_clear(struct cnode *n)
{
	for (uint32_t i = 0; i < n->n; i++) {
		cn_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->str);
	n->items = NULL;
	n->keys = NULL;
	n->str = NULL;
	n->n = n->cap = 0;
	n->len = 0;
}

void cn_free(struct cnode *n)
{
	if (!n)
		return;
	cn_clear(n);
	free(n);
}

struct cnode *cn_clone(const struct cnode *n)
{
	struct cnode *c;

	if (!n)
		return NULL;
	c = n->kind == CN_SCALAR ? cn_new_scalar(n->str, n->len) : cn_new(n->kind);
	if (!c)
		return NULL;
	c->quoted = n->quoted;
	c->file = n->file;
	c->line = n->line;
	c->col = n->col;
	for (uint32_t i = 0; i < n->n; i++) {
		struct cnode *ch = cn_clone(n->items[i]);
		int rc = n->kind == CN_MAP ? cn_map_set(c, n->keys[i], ch) : cn_seq_push(c, ch);
		if (rc) {
			cn_free(c);
			return NULL;
		}
	}
	return c;
}

static int cn_reserve(struct cnode *n)
{
	if (n->n < n->cap)
		return 0;
	uint32_t ncap = n->cap ? n->cap * 2 : 4;
	struct cnode **ni = realloc(n->items, ncap * sizeof(*ni));
	if (!ni)
		return -1;
	n->items = ni;
	if (n->kind == CN_MAP) {
		char **nk = realloc(n->keys, ncap * sizeof(*nk));
		if (!nk)
			return -1;
		n->keys = nk;
	}
	n->cap = ncap;
	return 0;
}

struct cnode *cn_map_get(const struct cnode *n, const char *key)
{
	if (!n || n->kind != CN_MAP)
		return NULL;
	for (uint32_t i = 0; i < n->n; i++)
		if (!strcmp(n->keys[i], key))
			return n->items[i];
	return NULL;
}

int cn_map_set(struct cnode *n, const char *key, struct cnode *v)
{
	if (!v)
		return -1;
	if (n->kind != CN_MAP) {
		cn_free(v);
		return -1;
	}
	for (uint32_t i = 0; i < n->n; i++) {
		if (!strcmp(n->keys[i], key)) {
			cn_free(n->items[i]);
			n->items[i] = v;
			return 0;
		}
	}
	char *k = strdup(key);
	if (!k || cn_reserve(n)) {
		free(k);
		cn_free(v);
		return -1;
	}
	n->keys[n->n] = k;
	n->items[n->n++] = v;
	return 0;
}

int cn_seq_push(struct cnode *n, struct cnode *v)
{
	if (!v)
		return -1;
	if (n->kind != CN_SEQ || cn_reserve(n)) {
		cn_free(v);
		return -1;
	}
	n->items[n->n++] = v;
	return 0;
}

/* ---------------------------------------------------------------- ${ENV} expansion */

/*
 * Falco's rule (yaml_helper pre_process_env_vars): scan for '$'; "${NAME}" is replaced by the
 * variable's value (empty when unset); "$${" drops one '$' (an escaped reference); any other
 * '$' ends the expansion of that scalar. Expanded text is not rescanned.
 */
static int expand_env(struct cnode *n)
{
	char *v = n->str;
	char *p = strchr(v, '$');

	if (!p)
		return 0;
	struct jw_buf out;
	jw_init(&out);
	size_t pos = 0, start = (size_t)(p - v);
	while (1) {
		const char *sub = v + start;
		if (!strncmp(sub, "${", 2)) {
			const char *end = strchr(sub, '}');
			if (!end)
				break;
			jw_put(&out, v + pos, start - pos);
			size_t nl = (size_t)(end - sub) - 2;
			char name[256];
			if (nl < sizeof(name)) {
				memcpy(name, sub + 2, nl);
				name[nl] = 0;
				const char *ev = getenv(name);
				if (ev)
					jw_puts(&out, ev);
			}
			pos = start = (size_t)(end - v) + 1;
		} else if (!strncmp(sub, "$${", 3)) {
			if (!strchr(sub, '}'))
				break;
			jw_put(&out, v + pos, start - pos);
			jw_putc(&out, '$');
			pos = start + 2;
			start = pos;
			/* the "{...}" text is kept literally */
			const char *end = strchr(v + start, '}');
			start = (size_t)(end - v) + 1;
		} else {
			break;
		}
		p = strchr(v + start, '$');
		if (!p)
			break;
		start = (size_t)(p - v);
	}
	jw_puts(&out, v + pos);
	if (out.oom) {
		jw_free(&out);
		return -1;
	}
	free(n->str);
	n->str = out.p;
	n->len = out.len;
	if (!n->str) {
		n->str = strdup("");
		if (!n->str)
			return -1;
	}
	return 0;
}

static int expand_env_tree(struct cnode *n)
{
	if (n->kind == CN_SCALAR)
		return expand_env(n);
	for (uint32_t i = 0; i < n->n; i++)
		if (expand_env_tree(n->items[i]))
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- libyaml loading */

struct anchor {
	char *name;
	struct cnode *node;
	size_t nodes;		/* nodes in @node: what one alias to it adds */
};

struct loader {
	yaml_parser_t p;
	const char *name;
	const char *text;	/* the input (for the location of encoding errors) */
	size_t len;
	struct anchor *anchors;
	size_t nanchors;
	int depth;
	size_t nodes;		/* nodes built so far, aliases counted in full */
};

#define CN_MAX_DEPTH 256
/* Nodes per file, aliases counted in full: aliases are copied, so without a bound a few
 * lines of nested aliases (a "billion laughs") would take all memory and time. */
#define CN_MAX_NODES 1000000u
#define CN_MAX_NODES_STR "1000000"
/* Keys per mapping: keys are looked up by a linear scan (configuration maps are small), so
 * a bound keeps a hostile file from taking quadratic time. */
#define CN_MAX_KEYS 10000u
#define CN_MAX_KEYS_STR "10000"

static size_t cn_count(const struct cnode *n)
{
	size_t c = 1;

	for (uint32_t i = 0; i < n->n; i++)
		c += cn_count(n->items[i]);
	return c;
}

static void loc_err(struct loader *L, const yaml_mark_t *m, const char *what)
{
	cn_seterr("%s:%zu:%zu: %s", L->name, m->line + 1, m->column + 1, what);
}

static bool plain_null(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static int add_anchor(struct loader *L, const yaml_char_t *name, const struct cnode *n)
{
	if (!name)
		return 0;
	struct anchor *na = realloc(L->anchors, (L->nanchors + 1) * sizeof(*na));
	if (!na)
		return -1;
	L->anchors = na;
	na[L->nanchors].name = strdup((const char *)name);
	na[L->nanchors].node = cn_clone(n);
	na[L->nanchors].nodes = na[L->nanchors].node ? cn_count(na[L->nanchors].node) : 0;
	if (!na[L->nanchors].name || !na[L->nanchors].node) {
		free(na[L->nanchors].name);
		cn_free(na[L->nanchors].node);
		return -1;
	}
	L->nanchors++;
	return 0;
}

static struct cnode *parse_node(struct loader *L, yaml_event_t *ev);

static int next_event(struct loader *L, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&L->p, ev)) {
		size_t line = L->p.problem_mark.line, col = L->p.problem_mark.column;
		if (L->p.error == YAML_READER_ERROR) {
			/* libyaml gives the byte offset of an encoding error, not its mark */
			size_t off = L->p.problem_offset < L->len ? L->p.problem_offset : L->len;
			line = col = 0;
			for (size_t i = 0; i < off; i++) {
				unsigned char b = (unsigned char)L->text[i];
				if (b == '\n') {
					line++;
					col = 0;
				} else if ((b & 0xc0) != 0x80) {
					col++;
				}
			}
		}
		cn_seterr("%s:%zu:%zu: %s", L->name, line + 1, col + 1,
			  L->p.problem ? L->p.problem : "YAML syntax error");
		return -1;
	}
	return 0;
}

static void set_pos(struct loader *L, struct cnode *n, const yaml_event_t *ev)
{
	n->file = L->name;
	n->line = (uint32_t)ev->start_mark.line + 1;
	n->col = (uint32_t)ev->start_mark.column + 1;
}

static struct cnode *parse_collection(struct loader *L, yaml_event_t *start, bool map)
{
	struct cnode *n = cn_new(map ? CN_MAP : CN_SEQ);
	yaml_event_t ev;

	if (!n)
		return NULL;
	set_pos(L, n, start);
	if (++L->depth > CN_MAX_DEPTH) {
		loc_err(L, &start->start_mark, "nesting too deep");
		cn_free(n);
		return NULL;
	}
	for (;;) {
		if (next_event(L, &ev))
			goto fail;
		if (ev.type == (map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
			yaml_event_delete(&ev);
			break;
		}
		if (!map) {
			struct cnode *item = parse_node(L, &ev);
			yaml_event_delete(&ev);
			if (!item || cn_seq_push(n, item))
				goto fail;
			continue;
		}
		/* a key: must be a scalar for a configuration file */
		if (ev.type != YAML_SCALAR_EVENT) {
			loc_err(L, &ev.start_mark, "mapping keys must be scalars");
			yaml_event_delete(&ev);
			goto fail;
		}
		if (n->n >= CN_MAX_KEYS) {
			loc_err(L, &ev.start_mark, "more than " CN_MAX_KEYS_STR " keys in one mapping");
			yaml_event_delete(&ev);
			goto fail;
		}
		char *key = strdup((const char *)ev.data.scalar.value);
		yaml_mark_t kmark = ev.start_mark;
		yaml_event_delete(&ev);
		if (!key)
			goto fail;
		if (next_event(L, &ev)) {
			free(key);
			goto fail;
		}
		struct cnode *val = parse_node(L, &ev);
		yaml_event_delete(&ev);
		/* a block map or list under a key starts on the next line: messages about it
		 * point at its key */
		if (val && val->kind != CN_SCALAR) {
			val->line = (uint32_t)kmark.line + 1;
			val->col = (uint32_t)kmark.column + 1;
		}
		if (val && cn_map_get(n, key)) {
			/* a duplicate key: yaml-cpp (Falco) keeps both and every lookup finds the
			 * first, so the later value is never seen */
			cn_free(val);
			free(key);
			continue;
		}
		if (!val || cn_map_set(n, key, val)) {
			free(key);
			goto fail;
		}
		free(key);
	}
	L->depth--;
	return n;
fail:
	L->depth--;
	cn_free(n);
	return NULL;
}

static struct cnode *parse_node(struct loader *L, yaml_event_t *ev)
{
	struct cnode *n = NULL;
	const yaml_char_t *anchor = NULL;

	if (ev->type != YAML_ALIAS_EVENT && ++L->nodes > CN_MAX_NODES) {
		loc_err(L, &ev->start_mark, "too many YAML nodes, aliases included "
			"(limit " CN_MAX_NODES_STR ")");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		if (plain_null(ev)) {
			n = cn_new(CN_NULL);
		} else {
			n = cn_new_scalar((const char *)ev->data.scalar.value, ev->data.scalar.length);
			if (n)
				n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		}
		if (n)
			set_pos(L, n, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		n = parse_collection(L, ev, false);
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		n = parse_collection(L, ev, true);
		break;
	case YAML_ALIAS_EVENT:
		for (size_t i = L->nanchors; i-- > 0;) {
			if (strcmp(L->anchors[i].name, (const char *)ev->data.alias.anchor))
				continue;
			L->nodes += L->anchors[i].nodes;
			if (L->nodes > CN_MAX_NODES) {
				loc_err(L, &ev->start_mark, "too many YAML nodes, aliases included "
					"(limit " CN_MAX_NODES_STR ")");
				return NULL;
			}
			return cn_clone(L->anchors[i].node);
		}
		loc_err(L, &ev->start_mark, "unknown alias");
		return NULL;
	default:
		loc_err(L, &ev->start_mark, "unexpected YAML event");
		return NULL;
	}
	if (n && add_anchor(L, anchor, n)) {
		cn_free(n);
		return NULL;
	}
	if (!n && !cn_errbuf[0])
		cn_seterr("%s: out of memory", L->name);
	return n;
}

static struct cnode *load(struct loader *L, bool expand)
{
	yaml_event_t ev;
	struct cnode *root = NULL;
	bool done = false;

	cn_errbuf[0] = 0;
	while (!done) {
		if (next_event(L, &ev))
			goto out;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			done = true;
			break;
		default:
			root = parse_node(L, &ev);
			if (!root) {
				yaml_event_delete(&ev);
				goto out;
			}
		}
		yaml_event_delete(&ev);
	}
	if (!root) {
		root = cn_new(CN_NULL);
		if (root)
			root->file = L->name;
	}
	if (root && expand && expand_env_tree(root)) {
		cn_free(root);
		root = NULL;
		cn_seterr("%s: out of memory", L->name);
	}
out:
	for (size_t i = 0; i < L->nanchors; i++) {
		free(L->anchors[i].name);
		cn_free(L->anchors[i].node);
	}
	free(L->anchors);
	yaml_parser_delete(&L->p);
	return root;
}

struct cnode *cn_load_string(const char *text, size_t len, const char *name, bool expand_env)
{
	struct loader L = { .name = name, .text = text, .len = len };

	if (!yaml_parser_initialize(&L.p)) {
		cn_seterr("%s: cannot initialise the YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&L.p, (const unsigned char *)text, len);
	return load(&L, expand_env);
}

/* Configuration files are small: a bigger one is an error rather than a long parse. */
#define CN_MAX_FILE_SIZE (64u << 20)

struct cnode *cn_load_file(const char *path, bool expand_env)
{
	FILE *f = fopen(path, "rb");
	struct cnode *root;
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		cn_seterr("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		cn_seterr("%s: %s", path, strerror(EISDIR));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 65536;
			char *nt = len >= CN_MAX_FILE_SIZE ? NULL : realloc(text, ncap);
			if (!nt) {
				cn_seterr(len >= CN_MAX_FILE_SIZE ? "%s: file larger than the limit "
					  "(64 MiB)" : "%s: out of memory", path);
				free(text);
				fclose(f);
				return NULL;
			}
			text = nt;
			cap = ncap;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		cn_seterr("%s: %s", path, strerror(errno));
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(f);
	root = cn_load_string(text, len, path, expand_env);
	free(text);
	return root;
}

/* ---------------------------------------------------------------- paths */

struct cnode *cn_lookup(const struct cnode *root, const char *path)
{
	const struct cnode *n = root;
	const char *p = path;
	char key[256];

	while (n && *p) {
		size_t k = strcspn(p, ".[");
		if (k) {
			if (k >= sizeof(key))
				return NULL;
			memcpy(key, p, k);
			key[k] = 0;
			n = cn_map_get(n, key);
			p += k;
		}
		while (n && *p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);
			if (*end != ']' || idx < 0 || n->kind != CN_SEQ || (uint32_t)idx >= n->n)
				return NULL;
			n = n->items[idx];
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return NULL;
	}
	return (struct cnode *)n;
}

/*
 * One step of a write path, with yaml-cpp's non-const operator[] semantics: a null/absent
 * node becomes a map, a sequence indexed by a name becomes a map keyed "0", "1", ... plus
 * the new key; indexing a scalar is an error.
 */
static struct cnode *step_key(struct cnode *n, const char *key)
{
	struct cnode *c;

	if (n->kind == CN_NULL) {
		n->kind = CN_MAP;
	} else if (n->kind == CN_SEQ) {
		struct cnode tmp = *n;
		memset(n, 0, sizeof(*n));
		n->kind = CN_MAP;
		n->file = tmp.file;
		n->line = tmp.line;
		n->col = tmp.col;
		for (uint32_t i = 0; i < tmp.n; i++) {
			char k[16];
			snprintf(k, sizeof(k), "%u", i);
			if (cn_map_set(n, k, tmp.items[i])) {
				for (uint32_t j = i + 1; j < tmp.n; j++)
					cn_free(tmp.items[j]);
				free(tmp.items);
				return NULL;
			}
		}
		free(tmp.items);
	} else if (n->kind == CN_SCALAR) {
		cn_seterr("cannot index the scalar value '%s' with '%s'", n->str, key);
		return NULL;
	}
	c = cn_map_get(n, key);
	if (c)
		return c;
	if (cn_map_set(n, key, cn_new(CN_NULL)))
		return NULL;
	return cn_map_get(n, key);
}

static struct cnode *step_index(struct cnode *n, const char *idx, size_t len)
{
	if (len == 0) {
		if (n->kind == CN_NULL)
			n->kind = CN_SEQ;
		if (n->kind != CN_SEQ) {
			cn_seterr("cannot append to a value that is not a sequence");
			return NULL;
		}
		if (cn_seq_push(n, cn_new(CN_NULL)))
			return NULL;
		return n->items[n->n - 1];
	}
	char buf[32];
	if (len >= sizeof(buf)) {
		cn_seterr("expected a numeric index, found '%.*s'", (int)len, idx);
		return NULL;
	}
	memcpy(buf, idx, len);
	buf[len] = 0;
	/* Falco reads the index with std::stoi: leading blanks and a sign, then digits; what
	 * follows them is ignored; no digits or out of int range is an error */
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (end == buf || errno || v < INT_MIN || v > INT_MAX) {
		cn_seterr("expected a numeric index, found '%s'", buf);
		return NULL;
	}
	char key[16];
	snprintf(key, sizeof(key), "%ld", v);
	if (n->kind == CN_NULL)
		n->kind = CN_SEQ;
	if (n->kind == CN_MAP) /* yaml-cpp looks the index up as a key */
		return step_key(n, key);
	if (n->kind != CN_SEQ) {
		cn_seterr("cannot index the scalar value '%s' with [%s]", n->str, buf);
		return NULL;
	}
	if (v >= 0 && (uint32_t)v < n->n)
		return n->items[v];
	if (v >= 0 && (uint32_t)v == n->n) {
		if (cn_seq_push(n, cn_new(CN_NULL)))
			return NULL;
		return n->items[v];
	}
	/* past the end or negative: yaml-cpp turns the sequence into a map keyed "0", "1", ...
	 * and adds the index as a key (Falco then reads no list there) */
	return step_key(n, key);
}

static int set_path(struct cnode *root, const char *key, struct cnode *value)
{
	struct cnode *cur = root;
	char nk[1024];
	size_t nl = 0, klen = strlen(key);

	if (!klen) {
		cn_seterr("empty key");
		return -1;
	}
	for (size_t i = 0; i < klen; i++) {
		char c = key[i];
		if (c == '\\') {
			if (i + 1 >= klen) {
				cn_seterr("Parsing error: trailing backslash at pos %zu", i);
				return -1;
			}
			char nx = key[i + 1];
			if (nx != '.' && nx != '[' && nx != ']' && nx != '\\') {
				cn_seterr("Parsing error: invalid escape sequence '\\%c' at pos %zu", nx,
					  i);
				return -1;
			}
			if (nl + 1 >= sizeof(nk)) {
				cn_seterr("key too long");
				return -1;
			}
			nk[nl++] = nx;
			i++;
			if (i == klen - 1) {
				nk[nl] = 0;
				if (!(cur = step_key(cur, nk)))
					return -1;
				nl = 0;
			}
			continue;
		}
		bool shift = c == '.' || c == '[' || i == klen - 1;
		if (c != '.' && c != '[') {
			if (i > 0 && nl == 0 && key[i - 1] != '.') {
				cn_seterr("Parsing error: expected '.' character at pos %zu", i - 1);
				return -1;
			}
			if (nl + 1 >= sizeof(nk)) {
				cn_seterr("key too long");
				return -1;
			}
			nk[nl++] = c;
		}
		if (shift) {
			if (nl == 0) {
				cn_seterr("Parsing error: unexpected character at pos %zu", i);
				return -1;
			}
			nk[nl] = 0;
			if (!(cur = step_key(cur, nk)))
				return -1;
			nl = 0;
		}
		if (c == '[') {
			const char *close = strchr(key + i, ']');
			if (!close) {
				cn_seterr("Parsing error: missing ']' after pos %zu", i);
				return -1;
			}
			size_t il = (size_t)(close - key) - i - 1;
			if (!(cur = step_index(cur, key + i + 1, il)))
				return -1;
			i = (size_t)(close - key);
			/* further [n] directly after */
			while (i + 1 < klen && key[i + 1] == '[') {
				close = strchr(key + i + 1, ']');
				if (!close) {
					cn_seterr("Parsing error: missing ']' after pos %zu", i + 1);
					return -1;
				}
				il = (size_t)(close - key) - i - 2;
				if (!(cur = step_index(cur, key + i + 2, il)))
					return -1;
				i = (size_t)(close - key);
			}
			if (i < klen - 1 && key[i + 1] == '.')
				i++;
		}
	}
	/* replace cur's content with value, keeping cur's identity in its parent */
	struct cnode *keep = value;
	cn_clear(cur);
	*cur = *keep;
	free(keep);
	return 0;
}

int cn_set_path(struct cnode *root, const char *key, struct cnode *value)
{
	if (!value) {
		cn_seterr("Config error at key \"%s\": out of memory", key);
		return -1;
	}
	if (root->kind == CN_NULL)
		root->kind = CN_MAP;
	if (root->kind != CN_MAP) {
		cn_free(value);
		cn_seterr("Config error at key \"%s\": the configuration is not a map", key);
		return -1;
	}
	cn_errbuf[0] = 0;
	if (set_path(root, key, value)) {
		char why[sizeof(cn_errbuf)];
		snprintf(why, sizeof(why), "%s", cn_errbuf[0] ? cn_errbuf : "out of memory");
		cn_seterr("Config error at key \"%s\": %s", key, why);
		cn_free(value);
		return -1;
	}
	return 0;
}

void cn_merge_top(struct cnode *dst, struct cnode *src, enum cn_merge how)
{
	if (!src)
		return;
	if (src->kind != CN_MAP || dst->kind != CN_MAP) {
		cn_free(src);
		return;
	}
	for (uint32_t i = 0; i < src->n; i++) {
		const char *key = src->keys[i];
		struct cnode *v = src->items[i];
		struct cnode *old = cn_map_get(dst, key);
		src->items[i] = NULL;
		switch (how) {
		case CN_MERGE_APPEND:
			if (v->kind == CN_SEQ) {
				if (!old || old->kind == CN_NULL) {
					cn_map_set(dst, key, v);
					break;
				}
				if (old->kind != CN_SEQ) {
					/* yaml-cpp push_back on a non-sequence: replace */
					cn_map_set(dst, key, v);
					break;
				}
				for (uint32_t j = 0; j < v->n; j++) {
					cn_seq_push(old, v->items[j]);
					v->items[j] = NULL;
				}
				v->n = 0;
				cn_free(v);
				break;
			}
			cn_map_set(dst, key, v);
			break;
		case CN_MERGE_OVERRIDE:
			cn_map_set(dst, key, v);
			break;
		case CN_MERGE_ADDONLY:
			if (!old)
				cn_map_set(dst, key, v);
			else
				cn_free(v);
			break;
		}
	}
	cn_free(src);
}

/* ---------------------------------------------------------------- conversions */

const char *cn_as_str(const struct cnode *n)
{
	return n && n->kind == CN_SCALAR ? n->str : NULL;
}

bool cn_as_bool(const struct cnode *n, bool *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
					   "on", "On", "ON" };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE",
					  "off", "Off", "OFF" };
	const char *s = cn_as_str(n);

	if (!s)
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_int(const char *s, bool is_signed, uint64_t *mag, bool *neg)
{
	int base = 10;

	*neg = false;
	if (*s == '-') {
		if (!is_signed)
			return false;
		*neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		s += 2;
	}
	if (!*s)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (*end || errno || *s == '-' || *s == '+' || *s == ' ')
		return false;
	*mag = v;
	return true;
}

bool cn_as_i64(const struct cnode *n, int64_t *out)
{
	const char *s = cn_as_str(n);
	uint64_t m;
	bool neg;

	if (!s || !parse_int(s, true, &m, &neg))
		return false;
	if (neg) {
		if (m > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - m);
	} else {
		if (m > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)m;
	}
	return true;
}

bool cn_as_u64(const struct cnode *n, uint64_t *out)
{
	const char *s = cn_as_str(n);
	bool neg;

	return s && parse_int(s, false, out, &neg);
}

bool cn_as_double(const struct cnode *n, double *out)
{
	const char *s = cn_as_str(n);

	if (!s || !*s)
		return false;
	if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") || !strcmp(s, "+.inf")) {
		*out = INFINITY;
		return true;
	}
	if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf") || !strcmp(s, "-.INF")) {
		*out = -INFINITY;
		return true;
	}
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		*out = NAN;
		return true;
	}
	if (!strncasecmp(s, "inf", 3) || !strncasecmp(s, "nan", 3) || !strncasecmp(s, "0x", 2) ||
	    *s == ' ')
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno)
		return false;
	*out = v;
	return true;
}

/* ---------------------------------------------------------------- dump */

static bool json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0;
}

static void dump(struct jw_buf *b, const struct cnode *n)
{
	switch (n->kind) {
	case CN_NULL:
		jw_puts(b, "null");
		break;
	case CN_SCALAR:
		if (!n->quoted && (json_number(n->str) || !strcmp(n->str, "true") ||
				   !strcmp(n->str, "false")))
			jw_puts(b, n->str);
		else
			jw_str(b, n->str, n->len);
		break;
	case CN_MAP:
		jw_putc(b, '{');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				jw_putc(b, ',');
			jw_cstr(b, n->keys[i]);
			jw_putc(b, ':');
			dump(b, n->items[i]);
		}
		jw_putc(b, '}');
		break;
	case CN_SEQ:
		jw_putc(b, '[');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				jw_putc(b, ',');
			dump(b, n->items[i]);
		}
		jw_putc(b, ']');
		break;
	}
}

void cn_dump_json(FILE *f, const struct cnode *n)
{
	struct jw_buf b;

	jw_init(&b);
	dump(&b, n);
	if (b.p)
		fwrite(b.p, 1, b.len, f);
	jw_free(&b);
}
