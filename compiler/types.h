/* SPDX-License-Identifier: Apache-2.0
 *
 * Value types, field flags and the field enumeration generated from fields.def.
 * Shared by the compiler (checking) and the runtime (extraction): this header has no
 * dependencies beyond <stdint.h>.
 */
#ifndef FRC_COMPILER_TYPES_H
#define FRC_COMPILER_TYPES_H

#include <stdint.h>

/**
 * enum ft_type - value type of a field or a constant (libsinsp PT_* subset).
 * @FT_DYN: type decided by the argument (evt.rawarg.NAME takes the param's type).
 */
enum ft_type {
	FT_NONE,
	FT_CHARBUF,
	FT_FSPATH,
	FT_BYTEBUF,
	FT_INT64,
	FT_UINT64,
	FT_UINT32,
	FT_PORT,
	FT_BOOL,
	FT_IPADDR,
	FT_IPNET,
	FT_RELTIME,
	FT_ABSTIME,
	FT_DYN,
	FT__COUNT
};

/* field flags (FLAGS column of fields.def) */
enum {
	FF_ARG_REQ     = 1u << 0, /* an argument is required */
	FF_ARG_OPT     = 1u << 1, /* an argument is allowed */
	FF_ARG_INDEX   = 1u << 2, /* the argument is a non-negative integer */
	FF_ARG_DOTTED  = 1u << 3, /* argument may also be written name.ARG (evt.arg.flags) */
	FF_ANCESTOR    = 1u << 4, /* without argument: comparison holds for any ancestor */
	FF_EITHER_END  = 1u << 5, /* either endpoint of the socket (fd.ip, fd.port, fd.net) */
	FF_FILTER_ONLY = 1u << 6, /* not usable in outputs */
	FF_NO_XFORM    = 1u << 7, /* transformers not allowed */
	FF_LIST        = 1u << 8, /* list-valued (fd.types) */
	FF_FD          = 1u << 9, /* needs the event's fd info */
	FF_EVTTYPE     = 1u << 10, /* evt.type: drives the event-type index */
};

/**
 * enum field_id - one constant per line of fields.def, FLD_<ID>, in table order.
 */
enum field_id {
#define FIELD(id, name, type, flags, desc) FLD_##id,
#include "fields.def"
#undef FIELD
	FLD__COUNT
};

/**
 * struct field_info - one row of the field table.
 */
struct field_info {
	const char *name;
	enum ft_type type;
	uint32_t flags;
	const char *desc;
};

/* The table, indexed by enum field_id (defined in compiler/fields.c). */
extern const struct field_info field_table[FLD__COUNT];

/* Name of a type as libsinsp prints it (CHARBUF, UINT64, ...). */
const char *ft_type_name(enum ft_type t);

#endif
