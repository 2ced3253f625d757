/* SPDX-License-Identifier: Apache-2.0
 *
 * The field table built from fields.def, and type names.
 */
#include "types.h"

const struct field_info field_table[FLD__COUNT] = {
#define FIELD(id, name, type, flags, desc) [FLD_##id] = { name, FT_##type, flags, desc },
#include "fields.def"
#undef FIELD
};

const char *ft_type_name(enum ft_type t)
{
	static const char *const names[FT__COUNT] = {
		[FT_NONE] = "NONE",	    [FT_CHARBUF] = "CHARBUF", [FT_FSPATH] = "FSPATH",
		[FT_BYTEBUF] = "BYTEBUF",   [FT_INT64] = "INT64",     [FT_UINT64] = "UINT64",
		[FT_UINT32] = "UINT32",	    [FT_PORT] = "PORT",	      [FT_BOOL] = "BOOL",
		[FT_IPADDR] = "IPADDR",	    [FT_IPNET] = "IPNET",     [FT_RELTIME] = "RELTIME",
		[FT_ABSTIME] = "ABSTIME",   [FT_DYN] = "DYN",
	};
	return (unsigned)t < FT__COUNT && names[t] ? names[t] : "NONE";
}
