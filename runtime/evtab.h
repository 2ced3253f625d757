/* SPDX-License-Identifier: Apache-2.0
 *
 * The event schema table: ppm event codes (as in .scap captures and as the probe emits
 * them), their names, flags and parameter schemas, plus the ppm_sc syscall names used by
 * generic events. Used by the scap reader, the event decoder, the extractors, the probe
 * and by the compiler (evt.type validation and event-type sets).
 */
#ifndef FRC_RUNTIME_EVTAB_H
#define FRC_RUNTIME_EVTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EF_* event flags */
enum {
	EVF_CREATES_FD = 1u << 0,
	EVF_DESTROYS_FD = 1u << 1,
	EVF_USES_FD = 1u << 2,
	EVF_READS_FROM_FD = 1u << 3,
	EVF_WRITES_TO_FD = 1u << 4,
	EVF_MODIFIES_STATE = 1u << 5,
	EVF_UNUSED = 1u << 6,
	EVF_OLD_VERSION = 1u << 7,
	EVF_LARGE_PAYLOAD = 1u << 8,	/* u32 parameter lengths */
	EVF_SKIPPARSERESET = 1u << 9,
	EVF_CONVERTER_MANAGED = 1u << 10,
};

/* ppm_param_type, as stored in captures (scap-format.md §9.4) */
enum evt_ptype {
	PT_NONE = 0, PT_INT8, PT_INT16, PT_INT32, PT_INT64, PT_UINT8, PT_UINT16, PT_UINT32,
	PT_UINT64, PT_CHARBUF, PT_BYTEBUF, PT_ERRNO, PT_SOCKADDR, PT_SOCKTUPLE, PT_FD, PT_PID,
	PT_FDLIST, PT_FSPATH, PT_SYSCALLID, PT_SIGTYPE, PT_RELTIME, PT_ABSTIME, PT_PORT,
	PT_L4PROTO, PT_SOCKFAMILY, PT_BOOL, PT_IPV4ADDR, PT_DYN, PT_FLAGS8, PT_FLAGS16,
	PT_FLAGS32, PT_UID, PT_GID, PT_DOUBLE, PT_SIGSET, PT_CHARBUFARRAY,
	PT_CHARBUF_PAIR_ARRAY, PT_IPV4NET, PT_IPV6ADDR, PT_IPV6NET, PT_IPADDR, PT_IPNET,
	PT_MODE, PT_FSRELPATH, PT_ENUMFLAGS8, PT_ENUMFLAGS16, PT_ENUMFLAGS32
};

struct evt_flagname {
	const char *name;
	uint32_t value;
};

/**
 * struct evt_param - one parameter of an event schema.
 * @fmt: print format (PF_DEC, PF_HEX, PF_OCT, ...: see evtab.c)
 * @flags: name table for FLAGS/ENUMFLAGS/MODE params, terminated by {NULL, 0}, or NULL
 * @aux: for FSRELPATH, the index of the dirfd param it is relative to
 */
struct evt_param {
	const char *name;
	enum evt_ptype type;
	uint8_t fmt;
	uint8_t aux;
	const struct evt_flagname *flags;
};

struct evt_schema {
	const char *name;	/* evt.type, e.g. "openat"; NULL for unused codes */
	uint32_t flags;		/* EVF_* */
	uint16_t nparams;
	const struct evt_param *params;
};

/* Highest event code + 1 known to the table. */
extern const uint16_t evtab_ncodes;

/* Schema of @code, or NULL if the code is unknown. */
const struct evt_schema *evtab_schema(uint16_t code);

/**
 * evtab_codes_by_name() - event codes whose evt.type is @name: every code of the event of
 * that name (enter and exit, all versions), or the generic codes when @name is only a
 * ppm_sc syscall name. Sets the bits in @bits (512 bits).
 * Return: true if @name is an event or syscall name.
 */
bool evtab_codes_by_name(const char *name, size_t len, uint64_t bits[8]);

/* Name of ppm_sc syscall code @sc (param ID of generic events), or NULL. */
const char *evtab_syscall_name(uint16_t sc);

#endif
