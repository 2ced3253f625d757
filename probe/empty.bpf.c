// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor of the probe benchmark (bench/probe_overhead.c): an empty program on the same
 * raw syscall-exit tracepoint as frc_sys_exit. Every syscall of every task pays its cost
 * once a program is attached there; frc's dispatcher should add little on top of it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_empty_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
