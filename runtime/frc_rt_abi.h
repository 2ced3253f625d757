/* SPDX-License-Identifier: Apache-2.0
 *
 * The ABI between emitted rule code and the runtime. Emitted C includes this header and
 * nothing else (it is compiled with -nostdinc under libtcc), so it uses no system header:
 * only compiler built-in types. Changing anything here bumps FRC_ABI_VERSION.
 *
 * Field access: emitted code names each distinct (field, argument) pair it uses as a
 * "slot" in its frc_g_fields[] table; frc_field(e, slot) returns the value for the current
 * event, extracted at most once per event (the runtime caches it), or 0 when the field has
 * no value on this event (a comparison on an absent field is false, also !=).
 */
#ifndef FRC_RUNTIME_ABI_H
#define FRC_RUNTIME_ABI_H

#define FRC_ABI_VERSION 1

typedef unsigned char frc_u8;
typedef unsigned short frc_u16;
typedef unsigned int frc_u32;
typedef int frc_i32;
typedef long long frc_i64;
typedef unsigned long long frc_u64;
typedef unsigned long frc_size;

/* the event being evaluated; opaque to emitted code */
struct frc_evt;

/**
 * struct frc_val - one extracted field value.
 * @s, @len: bytes of a CHARBUF/FSPATH/BYTEBUF value; @s[@len] is always a NUL byte
 *           (the value itself may not contain NUL for strings)
 * @n: integer value for numeric, BOOL (0/1), PORT, RELTIME, ABSTIME types
 * @family, @ip: IPADDR value (4 or 6, address in network byte order)
 * @items, @nitems: for multi-valued fields (ancestors without index, either socket end,
 *                  list fields): the individual values; then the scalar members are unused
 */
struct frc_val {
	const frc_u8 *s;
	frc_u32 len;
	frc_u8 family;
	frc_u8 multi;
	frc_u8 pad_[2];
	union {
		frc_i64 i;
		frc_u64 u;
	} n;
	frc_u8 ip[16];
	const struct frc_val *items;
	frc_u32 nitems;
};

/**
 * struct frc_field_ref - one slot of the emitted frc_g_fields[] table.
 * @field: enum field_id (compiler/fields.def order)
 * @arg, @arg_len: bracket or dotted argument text, or 0/0
 * @arg_index: numeric argument, or -1
 */
struct frc_field_ref {
	frc_u32 field;
	frc_u32 arg_len;
	const char *arg;
	frc_i64 arg_index;
};

/* Value of slot @slot for the current event, or 0 if absent. Never allocates. */
const struct frc_val *frc_field(struct frc_evt *e, frc_u32 slot);

#endif
