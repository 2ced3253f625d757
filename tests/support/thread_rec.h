/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only: a thread added to an engine's state tables as a /proc scan would add it,
 * with the capability sets and paths the extractor tests expect (capability sets that
 * change from one thread to the next, and repeat). Header only: every test links
 * every C file of tests/support, and tests with their own frc_field must not pull in
 * state code.
 */
#ifndef FRC_TESTS_THREAD_REC_H
#define FRC_TESTS_THREAD_REC_H

#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "scap.h"
#include "state.h"

/*
 * tr_add_thread() - adds thread @tid (process @pid, parent @ptid) named @comm (empty:
 * no executable kept) with the argument list @args and environment @env (NUL-separated,
 * @args_len/@env_len bytes), cgroups text @cgroups (or NULL) and uid @uid. Returns the
 * thread, or NULL when the state refused it.
 */
static inline struct frc_thread *tr_add_thread(struct frc_engine *eng, int64_t tid, int64_t pid,
						int64_t ptid, const char *comm, const char *args,
						uint32_t args_len, const char *env,
						uint32_t env_len, const char *cgroups, uint32_t uid)
{
	struct scap_thread_rec tr;

	memset(&tr, 0, sizeof(tr));
	tr.tid = tid;
	tr.pid = pid;
	tr.ptid = ptid;
	tr.comm = comm;
	tr.exe = comm[0] ? comm : "";
	tr.exepath = comm[0] ? "/usr/bin/x" : "";
	tr.cwd = "/w/";
	tr.args = args;
	tr.args_len = args_len;
	tr.env = env;
	tr.env_len = env_len;
	tr.cgroups = cgroups;
	tr.cgroups_len = cgroups ? (uint32_t)strlen(cgroups) + 1 : 0;
	tr.uid = uid;
	tr.loginuid = uid;
	tr.cap_effective = tid % 3 == 0 ? ~0ull : tid % 3 == 1 ? 1ull << 21 | 1ull << 7 : 0;
	tr.cap_permitted = tid % 2 ? ~0ull >> 23 : 1ull << 40;
	tr.cap_inheritable = (uint64_t)tid << 30;
	tr.vtid = tid;
	tr.vpid = pid;
	return state_add_thread(engine_state(eng), &tr);
}

#endif
