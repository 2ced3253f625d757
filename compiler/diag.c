/* SPDX-License-Identifier: Apache-2.0
 *
 * Diagnostic records, Falco context chains, snippets and the text/JSON printers
 * (see diag.h).
 */
#include "diag.h"

#include <string.h>

#include "arena.h"

struct code_info {
	const char *name, *shorttext, *desc;
	enum diag_sev sev;
};

static const struct code_info codes[DIAG__COUNT] = {
#define DIAG_CODE(id, nm, sv, sh, ds) [DIAG_##id] = { nm, sh, ds, sv },
#include "diag_codes.def"
#undef DIAG_CODE
};

const char *diag_code_name(enum diag_code c)
{
	return (unsigned)c < DIAG__COUNT ? codes[c].name : "LOAD_UNKNOWN";
}

const char *diag_code_short(enum diag_code c)
{
	return (unsigned)c < DIAG__COUNT ? codes[c].shorttext : "";
}

const char *diag_code_desc(enum diag_code c)
{
	return (unsigned)c < DIAG__COUNT ? codes[c].desc : "";
}

enum diag_sev diag_code_sev(enum diag_code c)
{
	return (unsigned)c < DIAG__COUNT ? codes[c].sev : DIAG_SEV_ERROR;
}

static const char *const item_names[DI__COUNT] = {
	[DI_VALUE_FOR] = "value for",
	[DI_EXCEPTIONS] = "exceptions",
	[DI_EXCEPTION] = "exception",
	[DI_EXCEPTION_VALUES] = "exception values",
	[DI_EXCEPTION_VALUE] = "exception value",
	[DI_RULES_CONTENT] = "rules content",
	[DI_RULES_CONTENT_ITEM] = "rules content item",
	[DI_REQUIRED_ENGINE_VERSION] = "required_engine_version",
	[DI_REQUIRED_PLUGIN_VERSIONS] = "required plugin versions",
	[DI_REQUIRED_PLUGIN_VERSIONS_ENTRY] = "required plugin versions entry",
	[DI_REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE] = "required plugin versions alternative",
	[DI_LIST] = "list",
	[DI_LIST_ITEM] = "list item",
	[DI_MACRO] = "macro",
	[DI_MACRO_CONDITION] = "macro condition",
	[DI_RULE] = "rule",
	[DI_RULE_CONDITION] = "rule condition",
	[DI_CONDITION_EXPRESSION] = "condition expression",
	[DI_RULE_OUTPUT] = "rule output",
	[DI_RULE_OUTPUT_EXPRESSION] = "rule output expression",
	[DI_RULE_PRIORITY] = "rule priority",
	[DI_OVERRIDE] = "overrides",
	[DI_EXTENSION_ITEM] = "extension item",
};

const char *diag_item_name(enum diag_item t)
{
	return (unsigned)t < DI__COUNT ? item_names[t] : "";
}

struct diag_loc *diag_loc_new(struct arena *a, const struct diag_loc *parent, enum diag_item type,
			      const char *item_name, const char *name, uint32_t line, uint32_t col,
			      uint32_t offset)
{
	struct diag_loc *l = arena_alloc(a, sizeof(*l));
	if (!l)
		return NULL;
	l->parent = parent;
	l->type = type;
	l->item_name = item_name ? item_name : "";
	l->name = name ? name : "";
	l->line = line;
	l->col = col;
	l->offset = offset;
	return l;
}

struct diag *diag_add(struct arena *a, struct diag_list *l, enum diag_code code, const char *msg,
		      const struct diag_loc *ctx)
{
	if (l->n >= DIAG_MAX_PER_LIST) {
		l->dropped++;
		return NULL;
	}
	struct diag *d = arena_alloc(a, sizeof(*d));
	if (!d)
		return NULL;
	d->code = code;
	d->msg = arena_strdup(a, msg ? msg : "");
	if (!d->msg)
		d->msg = "";
	d->ctx = ctx;
	d->caret_len = 1;
	d->seq = l->n;
	if (l->tail)
		l->tail->next = d;
	else
		l->head = d;
	l->tail = d;
	l->n++;
	return d;
}

void diag_add_note(struct arena *a, struct diag *d, const char *file, uint32_t line, uint32_t col,
		   const char *msg)
{
	struct diag_note *n = arena_alloc(a, sizeof(*n));
	if (!n)
		return;
	n->file = file ? arena_strdup(a, file) : NULL;
	n->line = line;
	n->col = col;
	n->msg = arena_strdup(a, msg);
	if (!n->msg)
		return;
	struct diag_note **pp = &d->notes;
	while (*pp)
		pp = &(*pp)->next;
	*pp = n;
}

void diag_offset_to_linecol(const char *content, size_t len, size_t offset, uint32_t *line,
			    uint32_t *col)
{
	uint32_t ln = 0;
	size_t start = 0;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (content[i] == '\n') {
			ln++;
			start = i + 1;
		}
	}
	uint32_t c = 0;
	for (size_t i = start; i < offset; i++)
		c += ((unsigned char)content[i] & 0xc0) != 0x80;
	*line = ln;
	*col = c;
}

#define SRCLINE_HALF 100

void diag_set_pos_lc(struct diag *d, const char *file, const char *content, size_t content_len,
		     size_t offset, size_t len, uint32_t line, uint32_t col, size_t line_start)
{
	if (!content)
		return;
	if (offset > content_len)
		offset = content_len;
	if (line_start > offset)
		line_start = offset;
	size_t ws = offset - line_start > SRCLINE_HALF ? offset - SRCLINE_HALF : line_start;
	while (ws < offset && ((unsigned char)content[ws] & 0xc0) == 0x80)
		ws++;
	size_t we = offset;
	while (we < content_len && content[we] != '\n' && we - offset < SRCLINE_HALF)
		we++;
	if (we > ws && content[we - 1] == '\r')
		we--;
	d->file = file;
	d->line = line + 1;
	d->col = col + 1;
	d->srcline = content + ws;
	d->srcline_len = (uint32_t)(we - ws);
	d->caret_off = (uint32_t)(offset - ws);
	if (len < 1)
		len = 1;
	if (offset + len > we)
		len = we > offset ? we - offset : 1;
	d->caret_len = (uint32_t)len;
}

void diag_set_pos(struct diag *d, const char *file, const char *content, size_t content_len,
		  size_t offset, size_t len)
{
	uint32_t line, col;
	if (!content)
		return;
	if (offset > content_len)
		offset = content_len;
	diag_offset_to_linecol(content, content_len, offset, &line, &col);
	size_t ls = offset;
	while (ls > 0 && content[ls - 1] != '\n')
		ls--;
	diag_set_pos_lc(d, file, content, content_len, offset, len, line, col, ls);
}

#define SNIPPET_HALF 80

char *diag_snippet(struct arena *a, const char *content, size_t len, size_t pos)
{
	if (!content || len == 0)
		return arena_strdup(a, "<No context available>\n");
	/* positions past the end (a dangling "key:" at EOF) or on a newline move back */
	while (pos > 0 && (pos >= len || content[pos] == '\n'))
		pos--;
	size_t from = pos, to = pos;
	while (from > 0 && content[from] != '\n' && pos - from < SNIPPET_HALF)
		from--;
	while (to < len - 1 && content[to] != '\n' && to - pos < SNIPPET_HALF)
		to++;
	if (from < len && content[from] == '\n')
		from++;
	long lto = (long)to;
	if (content[to] == '\n')
		lto--;
	if (lto < (long)from)
		return arena_strdup(a, "<No context available>\n");
	size_t n = (size_t)lto - from + 1;
	size_t caret = pos >= from ? pos - from : 0;
	char *out = arena_alloc(a, n + caret + 4);
	if (!out)
		return NULL;
	memcpy(out, content + from, n);
	if (pos - from >= SNIPPET_HALF && n >= 3)
		memcpy(out, "...", 3);
	if ((size_t)lto > pos && (size_t)lto - pos + 1 > SNIPPET_HALF && n >= 3)
		memcpy(out + n - 3, "...", 3);
	size_t o = n;
	out[o++] = '\n';
	if (caret <= n) {
		memset(out + o, ' ', caret);
		o += caret;
		out[o++] = '^';
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}

/* ---------------------------------------------------------------- printing */

static void print_srcline(FILE *f, const struct diag *d, bool color)
{
	if (!d->srcline)
		return;
	fputs("    ", f);
	for (uint32_t i = 0; i < d->srcline_len; i++) {
		unsigned char c = (unsigned char)d->srcline[i];
		fputc(c == '\t' || c >= 0x20 ? c : ' ', f);
	}
	fputs("\n    ", f);
	for (uint32_t i = 0; i < d->caret_off && i < d->srcline_len; i++) {
		unsigned char c = (unsigned char)d->srcline[i];
		if ((c & 0xc0) != 0x80)
			fputc(c == '\t' ? '\t' : ' ', f);
	}
	if (color)
		fputs("\033[1;32m", f);
	fputc('^', f);
	for (uint32_t i = 1; i < d->caret_len && d->caret_off + i < d->srcline_len; i++)
		if (((unsigned char)d->srcline[d->caret_off + i] & 0xc0) != 0x80)
			fputc('~', f);
	if (color)
		fputs("\033[0m", f);
	fputc('\n', f);
}

void diag_print_text(FILE *f, const struct diag *d, bool color)
{
	bool err = diag_code_sev(d->code) == DIAG_SEV_ERROR;
	const char *file = d->file;
	if (!file) {
		/* no precise position: the innermost location that names a file */
		const struct diag_loc *l = d->ctx;
		while (l && l->type == DI_CONDITION_EXPRESSION)
			l = l->parent;
		file = l ? l->name : "";
		if (l && l->type != DI_RULES_CONTENT)
			fprintf(f, "%s%s:%u:%u:%s ", color ? "\033[1m" : "", file, l->line + 1,
				l->col + 1, color ? "\033[0m" : "");
		else
			fprintf(f, "%s%s:%s ", color ? "\033[1m" : "", file, color ? "\033[0m" : "");
	} else {
		fprintf(f, "%s%s:%u:%u:%s ", color ? "\033[1m" : "", file, d->line, d->col,
			color ? "\033[0m" : "");
	}
	if (color)
		fputs(err ? "\033[1;31m" : "\033[1;35m", f);
	fputs(err ? "error:" : "warning:", f);
	if (color)
		fputs("\033[0m", f);
	fprintf(f, " %s", d->msg);
	if (d->col_note)
		fprintf(f, " %s", d->col_note);
	fprintf(f, " [%s]\n", diag_code_name(d->code));
	if (d->file)
		print_srcline(f, d, color);
	for (const struct diag_note *n = d->notes; n; n = n->next) {
		if (n->file && n->line)
			fprintf(f, "%s%s:%u:%u:%s ", color ? "\033[1m" : "", n->file, n->line, n->col,
				color ? "\033[0m" : "");
		else if (n->file)
			fprintf(f, "%s:", n->file);
		fprintf(f, "%snote:%s %s\n", color ? "\033[1;36m" : "", color ? "\033[0m" : "", n->msg);
	}
}

void diag_json_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	fputc('"', f);
	while (p < end) {
		unsigned c = *p;
		if (c < 0x80) {
			switch (c) {
			case '"': fputs("\\\"", f); break;
			case '\\': fputs("\\\\", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			default:
				if (c < 0x20)
					fprintf(f, "\\u%04x", c);
				else
					fputc((int)c, f);
			}
			p++;
			continue;
		}
		/* validate one UTF-8 sequence */
		size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 :
			   c >= 0xc2 && c <= 0xdf ? 2 : 0;
		bool ok = n && (size_t)(end - p) >= n;
		for (size_t i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (ok && n == 3) {
			ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] > 0x9f);
		} else if (ok && n == 4) {
			ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] > 0x8f);
		}
		if (!ok) {
			fputs("\xef\xbf\xbd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	diag_json_string(f, s ? s : "", s ? strlen(s) : 0);
}

void diag_print_json(FILE *f, const struct diag *d)
{
	const struct diag_loc *chain[64];
	size_t n = 0;
	for (const struct diag_loc *l = d->ctx; l && n < 64; l = l->parent)
		chain[n++] = l;
	fputs("{\"code\":", f);
	json_str(f, diag_code_name(d->code));
	fputs(",\"codedesc\":", f);
	json_str(f, diag_code_desc(d->code));
	fputs(",\"context\":{\"locations\":[", f);
	for (size_t i = n; i-- > 0;) {
		const struct diag_loc *l = chain[i];
		fputs("{\"item_name\":", f);
		json_str(f, l->item_name);
		fputs(",\"item_type\":", f);
		json_str(f, diag_item_name(l->type));
		fputs(",\"position\":{\"column\":", f);
		fprintf(f, "%u,\"line\":%u,\"name\":", l->col, l->line);
		json_str(f, l->name);
		fprintf(f, ",\"offset\":%u}}%s", l->offset, i ? "," : "");
	}
	fputs("],\"snippet\":", f);
	json_str(f, d->snippet ? d->snippet : "");
	fputc('}', f);
	if (d->deprecated_field) {
		fputs(",\"deprecated_field\":", f);
		json_str(f, d->deprecated_field);
	}
	fputs(",\"message\":", f);
	json_str(f, d->msg);
	fputc('}', f);
}

void diag_print_falco(FILE *f, const struct diag *d)
{
	const struct diag_loc *chain[64];
	size_t n = 0;
	for (const struct diag_loc *l = d->ctx; l && n < 64; l = l->parent)
		chain[n++] = l;
	for (size_t i = n; i-- > 0;) {
		const struct diag_loc *l = chain[i];
		fprintf(f, "%s%s", i == n - 1 ? "In " : "    ", diag_item_name(l->type));
		if (l->item_name[0])
			fprintf(f, " '%s'", l->item_name);
		fprintf(f, ": (%s:%u:%u)\n", l->name, l->line, l->col);
	}
	fprintf(f, "------\n%s------\n", d->snippet ? d->snippet : "");
	fprintf(f, "%s (%s): %s\n", diag_code_name(d->code), diag_code_short(d->code), d->msg);
}
