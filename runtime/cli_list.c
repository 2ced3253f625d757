/* SPDX-License-Identifier: Apache-2.0
 *
 * `frc list fields|events`: what `falco --list` and `falco --list-events` print, from frc's
 * own tables (compiler/fields.def, runtime/evtab.def), as text, markdown or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compiler/types.h"
#include "evtab.h"
#include "jsonw.h"

enum list_fmt { LF_TEXT, LF_MARKDOWN, LF_JSON };

static void list_usage(FILE *f)
{
	fprintf(f, "usage: frc list fields [-N] [--format text|markdown|json]\n"
		   "       frc list events [--format text|markdown|json]\n"
		   "\n"
		   "  fields   the filter/output fields frc supports (falco --list)\n"
		   "  events   the event types and their parameters (falco --list-events)\n"
		   "  -N       field names only\n");
}

/* the field class of a field: its name up to the first dot */
static size_t class_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

static const char *class_desc(const char *cls, size_t len)
{
	static const struct { const char *c, *d; } descs[] = {
		{ "evt", "All event types" },
		{ "syscall", "System call events" },
		{ "proc", "Process information" },
		{ "thread", "Thread information" },
		{ "user", "Information about the user executing the specific event" },
		{ "group", "Information about the user group" },
		{ "fd", "File descriptors: files, sockets, pipes and other fd types" },
		{ "container", "Container information (built-in: frc provides the container plugin's fields)" },
		{ "k8s", "Kubernetes information (built-in, from container labels)" },
	};
	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (strlen(descs[i].c) == len && !strncmp(descs[i].c, cls, len))
			return descs[i].d;
	return "";
}

static void flag_words(uint32_t fl, char *buf, size_t n)
{
	buf[0] = 0;
	if (fl & FF_ARG_REQ)
		snprintf(buf + strlen(buf), n - strlen(buf), "%sARG_REQUIRED", *buf ? "|" : "");
	if (fl & FF_ARG_OPT)
		snprintf(buf + strlen(buf), n - strlen(buf), "%sARG_ALLOWED", *buf ? "|" : "");
	if (fl & FF_FILTER_ONLY)
		snprintf(buf + strlen(buf), n - strlen(buf), "%sFILTER_ONLY", *buf ? "|" : "");
	if (fl & FF_NO_XFORM)
		snprintf(buf + strlen(buf), n - strlen(buf), "%sNO_TRANSFORMER", *buf ? "|" : "");
	if (fl & FF_LIST)
		snprintf(buf + strlen(buf), n - strlen(buf), "%sIS_LIST", *buf ? "|" : "");
}

static int list_fields(enum list_fmt fmt, bool names_only)
{
	struct jw_buf b;

	jw_init(&b);
	if (fmt == LF_JSON)
		jw_puts(&b, names_only ? "{\"fieldnames\":[" : "{\"fieldclasses\":[");
	bool first_class = true;
	for (int i = 0; i < FLD__COUNT;) {
		const char *cls = field_table[i].name;
		size_t cl = class_len(cls);
		int j = i;
		while (j < FLD__COUNT && class_len(field_table[j].name) == cl &&
		       !strncmp(field_table[j].name, cls, cl))
			j++;
		if (fmt == LF_JSON && !names_only) {
			jw_puts(&b, first_class ? "" : ",");
			jw_puts(&b, "{\"name\":");
			jw_str(&b, cls, cl);
			jw_puts(&b, ",\"desc\":");
			jw_cstr(&b, class_desc(cls, cl));
			jw_puts(&b, ",\"event_sources\":[\"syscall\"],\"fields\":[");
		} else if (!names_only && fmt == LF_TEXT) {
			printf("-------------------------------------------------------------------------------\n"
			       "Field Class:                  %.*s (%s)\n"
			       "Event Sources:                syscall\n\n",
			       (int)cl, cls, class_desc(cls, cl));
		} else if (!names_only) {
			printf("## Field Class: %.*s\n\n%s\n\nName | Type | Description\n"
			       ":----|:-----|:-----------\n",
			       (int)cl, cls, class_desc(cls, cl));
		}
		for (int k = i; k < j; k++) {
			const struct field_info *fi = &field_table[k];
			char fw[96];
			flag_words(fi->flags, fw, sizeof(fw));
			if (names_only) {
				if (fmt == LF_JSON) {
					jw_puts(&b, k ? "," : "");
					jw_cstr(&b, fi->name);
				} else {
					printf("%s\n", fi->name);
				}
				continue;
			}
			const char *name_suffix = (fi->flags & FF_ARG_DOTTED) ? ".NAME" :
						  (fi->flags & FF_ARG_REQ) ? "[ARG]" :
						  (fi->flags & FF_ARG_OPT) ? "[ARG]" : "";
			switch (fmt) {
			case LF_JSON:
				jw_puts(&b, k > i ? "," : "");
				jw_puts(&b, "{\"name\":");
				jw_cstr(&b, fi->name);
				jw_puts(&b, ",\"type\":");
				jw_cstr(&b, ft_type_name(fi->type));
				jw_puts(&b, ",\"desc\":");
				jw_cstr(&b, fi->desc);
				jw_printf(&b, ",\"flags\":\"%s\"}", fw);
				break;
			case LF_TEXT: {
				char nm[80];
				snprintf(nm, sizeof(nm), "%s%s", fi->name, name_suffix);
				printf("%-29s %-8s %s%s%s%s\n", nm, ft_type_name(fi->type), fi->desc,
				       *fw ? " [" : "", fw, *fw ? "]" : "");
				break;
			}
			case LF_MARKDOWN:
				printf("`%s%s` | %s | %s\n", fi->name, name_suffix,
				       ft_type_name(fi->type), fi->desc);
				break;
			}
		}
		if (fmt == LF_JSON && !names_only)
			jw_puts(&b, "]}");
		else if (!names_only)
			printf("\n");
		first_class = false;
		i = j;
	}
	if (fmt == LF_JSON) {
		jw_puts(&b, "]}\n");
		fwrite(b.p, 1, b.len, stdout);
	}
	jw_free(&b);
	return 0;
}

static const char *ptype_name(enum evt_ptype t)
{
	static const char *const n[] = {
		"NONE", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
		"CHARBUF", "BYTEBUF", "ERRNO", "SOCKADDR", "SOCKTUPLE", "FD", "PID", "FDLIST",
		"FSPATH", "SYSCALLID", "SIGTYPE", "RELTIME", "ABSTIME", "PORT", "L4PROTO",
		"SOCKFAMILY", "BOOL", "IPV4ADDR", "DYNAMIC", "FLAGS8", "FLAGS16", "FLAGS32", "UID",
		"GID", "DOUBLE", "SIGSET", "CHARBUFARRAY", "CHARBUF_PAIR_ARRAY", "IPV4NET",
		"IPV6ADDR", "IPV6NET", "IPADDR", "IPNET", "MODE", "FSRELPATH", "ENUMFLAGS8",
		"ENUMFLAGS16", "ENUMFLAGS32", "FD32", "PID32",
	};
	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "UNKNOWN";
}

static bool is_flag_type(enum evt_ptype t)
{
	return t == PT_FLAGS8 || t == PT_FLAGS16 || t == PT_FLAGS32 || t == PT_ENUMFLAGS8 ||
	       t == PT_ENUMFLAGS16 || t == PT_ENUMFLAGS32;
}

/* category of an event as falco --list-events groups them, or -1 to skip */
static int event_category(const struct evt_schema *s)
{
	if (!s || !s->name || (s->flags & (EVF_OLD_VERSION | EVF_UNUSED)) ||
	    !strcmp(s->name, "NA") || !strcmp(s->name, "syscall"))
		return -1;
	if (s->category & EVC_SYSCALL)
		return 0;
	if (s->category & EVC_TRACEPOINT)
		return 1;
	if (s->category & EVC_PLUGIN)
		return 2;
	if (s->category & EVC_METAEVENT)
		return 3;
	return -1;
}

static void print_event(struct jw_buf *b, enum list_fmt fmt, uint16_t code,
			const struct evt_schema *s, bool *first)
{
	char dir = evtab_is_enter(code) ? '>' : '<';

	if (fmt == LF_JSON) {
		jw_puts(b, *first ? "" : ",");
		*first = false;
		jw_puts(b, "{\"name\":");
		jw_cstr(b, s->name);
		jw_printf(b, ",\"dir\":\"%c\",\"available\":true,\"params\":[", dir);
	} else if (fmt == LF_MARKDOWN) {
		printf("Yes | `%c` | `%s` | ", dir, s->name);
	} else {
		printf("%c %s(", dir, s->name);
	}
	for (uint16_t k = 0; k < s->nparams; k++) {
		const struct evt_param *p = &s->params[k];
		if (fmt == LF_JSON) {
			jw_puts(b, k ? ",{\"type\":" : "{\"type\":");
			jw_cstr(b, ptype_name(p->type));
			jw_puts(b, ",\"name\":");
			jw_cstr(b, p->name);
			if (is_flag_type(p->type) && p->flags) {
				jw_puts(b, ",\"flags\":[");
				for (size_t i = 0; p->flags[i].name; i++) {
					jw_puts(b, i ? "," : "");
					jw_cstr(b, p->flags[i].name);
				}
				jw_putc(b, ']');
			}
			jw_putc(b, '}');
			continue;
		}
		printf("%s%s **%s**", k ? ", " : "", ptype_name(p->type), p->name);
		if (is_flag_type(p->type) && p->flags) {
			printf(": ");
			for (size_t i = 0; p->flags[i].name; i++)
				printf(fmt == LF_MARKDOWN ? "%s*%s*" : "%s%s", i ? ", " : "",
				       p->flags[i].name);
		}
	}
	if (fmt == LF_JSON)
		jw_puts(b, "]}");
	else
		printf(fmt == LF_MARKDOWN ? "\n" : ")\n");
}

static int list_events(enum list_fmt fmt)
{
	static const char *const cats[] = { "Syscall events", "Tracepoint events",
					    "Plugin events", "Metaevents" };
	struct jw_buf b;

	jw_init(&b);
	if (fmt == LF_JSON)
		jw_puts(&b, "{\"schema_version\":\"frc\"");
	else
		printf("The events below are valid for frc (libs event schema 48dfd53)\n");
	for (int c = 0; c < 4; c++) {
		bool first = true;
		if (fmt == LF_JSON) {
			jw_puts(&b, ",");
			jw_cstr(&b, cats[c]);
			jw_puts(&b, ":[");
		} else {
			printf("## %s\n\n", cats[c]);
			if (fmt == LF_MARKDOWN)
				printf("Default | Dir | Name | Params \n:-------|:----|:-----|:-----\n");
		}
		for (uint16_t code = 0; code < evtab_ncodes; code++) {
			const struct evt_schema *s = evtab_schema(code);
			if (event_category(s) == c)
				print_event(&b, fmt, code, s, &first);
		}
		/* generic syscalls are listed by their ppm_sc names */
		if (c == 0) {
			for (uint16_t sc = 0; sc < PPM_SC_MAX; sc++) {
				const char *nm = evtab_syscall_name(sc);
				uint64_t bits[8] = { 0 };
				if (!nm || !evtab_codes_by_name(nm, strlen(nm), bits) ||
				    !(bits[0] & 3)) /* only names that map to generic events */
					continue;
				struct evt_schema g = *evtab_schema(PPME_GENERIC_E);
				g.name = nm;
				print_event(&b, fmt, PPME_GENERIC_E, &g, &first);
				g = *evtab_schema(PPME_GENERIC_X);
				g.name = nm;
				print_event(&b, fmt, PPME_GENERIC_X, &g, &first);
			}
		}
		if (fmt == LF_JSON)
			jw_putc(&b, ']');
		else
			printf("\n");
	}
	if (fmt == LF_JSON) {
		jw_puts(&b, "}\n");
		fwrite(b.p, 1, b.len, stdout);
	}
	jw_free(&b);
	return 0;
}

int cli_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum list_fmt fmt = LF_TEXT;
	bool names_only = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "Nh", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			names_only = true;
			break;
		case 'f':
			if (!strcmp(optarg, "text")) {
				fmt = LF_TEXT;
			} else if (!strcmp(optarg, "markdown")) {
				fmt = LF_MARKDOWN;
			} else if (!strcmp(optarg, "json")) {
				fmt = LF_JSON;
			} else {
				fprintf(stderr, "frc list: unknown format '%s' (text, markdown, json)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		list_usage(stderr);
		return 2;
	}
	const char *what = argv[optind];
	if (optind + 1 < argc) {
		fprintf(stderr, "frc list: unexpected argument '%s'\n", argv[optind + 1]);
		return 2;
	}
	if (!strcmp(what, "fields"))
		return list_fields(fmt, names_only);
	if (!strcmp(what, "events")) {
		if (names_only) {
			fprintf(stderr, "frc list: -N applies to fields only\n");
			return 2;
		}
		return list_events(fmt);
	}
	fprintf(stderr, "frc list: unknown list '%s' (fields, events)\n", what);
	list_usage(stderr);
	return 2;
}
