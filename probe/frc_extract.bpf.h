/* SPDX-License-Identifier: GPL-2.0-only
 *
 * Reading kernel state for event parameters: a task's files, sockets, credentials, pid
 * namespaces, tty, cgroups and paths, all with CO-RE reads (core_fixes.bpf.h for the layouts
 * that moved). Composite parameters (socket tuples and addresses, cgroup lists, paths) are
 * written straight into the event through the builder.
 */
#ifndef FRC_EXTRACT_BPF_H
#define FRC_EXTRACT_BPF_H

#include "core_fixes.bpf.h"
#include "frc_builder.bpf.h"
#include "frc_flags.bpf.h"

#define FRC_AF_UNIX 1
#define FRC_AF_INET 2
#define FRC_AF_INET6 10
#define FRC_S_IFMT 00170000
#define FRC_S_IFSOCK 0140000
#define FRC_S_IFREG 0100000
#define FRC_S_IFDIR 0040000
#define FRC_S_IFLNK 0120000
#define FRC_OVERLAYFS_MAGIC 0x794c7630
#define FRC_SB_RDONLY 1
#define FRC_S_IMMUTABLE 8	/* inode->i_flags */
#define FRC_CAP_DAC_OVERRIDE 1
#define FRC_CAP_FOWNER 3

/* ---------------------------------------------------------------- syscall arguments */

/* argument @i of the syscall being exited (x86_64 or, for a 32-bit task, ia32 registers) */
static __always_inline unsigned long sc_arg(struct pt_regs *regs, int i, __u8 compat)
{
	if (compat) {
		switch (i) {
		case 0: return (__u32)BPF_CORE_READ(regs, bx);
		case 1: return (__u32)BPF_CORE_READ(regs, cx);
		case 2: return (__u32)BPF_CORE_READ(regs, dx);
		case 3: return (__u32)BPF_CORE_READ(regs, si);
		case 4: return (__u32)BPF_CORE_READ(regs, di);
		default: return (__u32)BPF_CORE_READ(regs, bp);
		}
	}
	switch (i) {
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	case 2: return BPF_CORE_READ(regs, dx);
	case 3: return BPF_CORE_READ(regs, r10);
	case 4: return BPF_CORE_READ(regs, r8);
	default: return BPF_CORE_READ(regs, r9);
	}
}

/* a dirfd argument as the event carries it (AT_FDCWD becomes PPM_AT_FDCWD) */
static __always_inline __s64 dirfd_arg(unsigned long v)
{
	__s32 fd = (__s32)v;

	return fd == -100 ? FRC_AT_FDCWD : fd;
}

/* ---------------------------------------------------------------- files */

static __always_inline struct file *fd_file(struct task_struct *t, __s64 fd)
{
	struct fdtable *fdt;
	struct file **arr;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return NULL;
	arr = BPF_CORE_READ(fdt, fd);
	if (!arr)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* the kernel dev_t in the encoding of stat(2)'s st_dev (what the events carry) */
static __always_inline __u32 encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & ((1u << 20) - 1);

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* 0: not on overlayfs, 1: upper layer, 2: lower layer */
static __always_inline int file_overlay_layer(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct dentry *upper = NULL;
	char *vfs_inode;
	unsigned long isz;

	if (BPF_CORE_READ(d, d_sb, s_magic) != FRC_OVERLAYFS_MAGIC)
		return 0;
	/* struct ovl_inode embeds the vfs inode and keeps the upper dentry right after it */
	vfs_inode = (char *)BPF_CORE_READ(d, d_inode);
	isz = bpf_core_type_size(struct inode);
	if (!vfs_inode || !isz)
		return 2;
	bpf_probe_read_kernel(&upper, sizeof(upper), vfs_inode + isz);
	if (upper && BPF_CORE_READ(upper, d_inode, i_ino))
		return 1;
	return 2;
}

static __always_inline void file_dev_ino(struct file *f, __u32 *dev, __u64 *ino)
{
	struct inode *i = BPF_CORE_READ(f, f_inode);

	*dev = encode_dev(BPF_CORE_READ(i, i_sb, s_dev));
	*ino = BPF_CORE_READ(i, i_ino);
}

static __always_inline struct socket *file_socket(struct file *f)
{
	umode_t mode;

	if (!f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & FRC_S_IFMT) != FRC_S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(f, private_data);
}

/* ---------------------------------------------------------------- tasks */

static __always_inline struct pid *task_pid_of(struct task_struct *t, enum pid_type type)
{
	if (type == PIDTYPE_PID)
		return BPF_CORE_READ(t, thread_pid);
	return BPF_CORE_READ(t, signal, pids[type]);
}

/* the id of @type (pid, tgid, pgid, sid) seen from the host pid namespace */
static __always_inline __s64 task_id_nr(struct task_struct *t, enum pid_type type)
{
	struct pid *p;

	if (type == PIDTYPE_PID)
		return BPF_CORE_READ(t, pid);
	if (type == PIDTYPE_TGID)
		return BPF_CORE_READ(t, tgid);
	p = task_pid_of(t, type);
	if (!p)
		return 0;
	return BPF_CORE_READ(p, numbers[0].nr);
}

/* the id of @type seen from the task's own pid namespace */
static __always_inline __s64 task_id_vnr(struct task_struct *t, enum pid_type type)
{
	struct pid *p, *own;
	unsigned int level;

	if (type == PIDTYPE_TGID)
		p = BPF_CORE_READ(t, group_leader, thread_pid);
	else
		p = task_pid_of(t, type);
	own = BPF_CORE_READ(t, thread_pid);
	if (!p || !own)
		return 0;
	level = BPF_CORE_READ(own, level);
	if (BPF_CORE_READ(p, level) < level)
		return 0;
	if (BPF_CORE_READ(p, numbers[level & 31].ns) != BPF_CORE_READ(own, numbers[level & 31].ns))
		return 0;
	return BPF_CORE_READ(p, numbers[level & 31].nr);
}

static __always_inline struct pid_namespace *task_pidns(struct task_struct *t)
{
	struct pid *own = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(own, level);

	return BPF_CORE_READ(own, numbers[level & 31].ns);
}

static __always_inline __u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	struct tty_driver *drv;
	__u32 major, minor_start, index;

	if (!tty)
		return 0;
	drv = BPF_CORE_READ(tty, driver);
	if (!drv)
		return 0;
	index = BPF_CORE_READ(tty, index);
	major = BPF_CORE_READ(drv, major);
	minor_start = BPF_CORE_READ(drv, minor_start);
	return encode_dev((major << 20) + minor_start + index);
}

static __always_inline __u32 task_loginuid(struct task_struct *t)
{
	if (bpf_core_field_exists(t->loginuid))
		return BPF_CORE_READ(t, loginuid.val);
	return 0xffffffff;
}

static __always_inline __u64 task_fdlimit(struct task_struct *t)
{
	return BPF_CORE_READ(t, signal, rlim[7].rlim_cur);	/* RLIMIT_NOFILE */
}

/* mm sizes in KiB */
static __always_inline void task_vm(struct task_struct *t, __u32 *size, __u32 *rss, __u32 *swap)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct mm_struct___v62 *m62 = (void *)mm;
	struct mm_struct___pre62 *mold = (void *)mm;
	__s64 file = 0, anon = 0, shmem = 0, swp = 0;

	*size = *rss = *swap = 0;
	if (!mm)
		return;
	*size = BPF_CORE_READ(mm, total_vm) << 2;
	if (bpf_core_field_exists(m62->rss_stat[0].count)) {
		file = BPF_CORE_READ(m62, rss_stat[0].count);
		anon = BPF_CORE_READ(m62, rss_stat[1].count);
		swp = BPF_CORE_READ(m62, rss_stat[2].count);
		shmem = BPF_CORE_READ(m62, rss_stat[3].count);
	} else {
		file = BPF_CORE_READ(mold, rss_stat.count[0].counter);
		anon = BPF_CORE_READ(mold, rss_stat.count[1].counter);
		swp = BPF_CORE_READ(mold, rss_stat.count[2].counter);
		shmem = BPF_CORE_READ(mold, rss_stat.count[3].counter);
	}
	if (file < 0)
		file = 0;
	if (anon < 0)
		anon = 0;
	if (shmem < 0)
		shmem = 0;
	if (swp < 0)
		swp = 0;
	*rss = (__u32)((file + anon + shmem) << 2);
	*swap = (__u32)(swp << 2);
}

static __always_inline __u64 task_cap(struct task_struct *t, int which)
{
	const struct cred *c = BPF_CORE_READ(t, cred);

	if (!c)
		return 0;
	if (which == 0)
		return core_cap((void *)&c->cap_inheritable);
	if (which == 1)
		return core_cap((void *)&c->cap_permitted);
	return core_cap((void *)&c->cap_effective);
}

static __always_inline int groups_contain(const struct cred *c, __u32 gid)
{
	struct group_info *gi = BPF_CORE_READ(c, group_info);
	int n, i;

	if (!gi)
		return 0;
	n = BPF_CORE_READ(gi, ngroups);
	for (i = 0; i < 32; i++) {
		if (i >= n)
			break;
		if (BPF_CORE_READ(gi, gid[i].val) == gid)
			return 1;
	}
	return 0;
}

/* can the task (its fs credentials) write the executable it runs? */
static __always_inline int exe_writable(struct task_struct *t, struct inode *inode)
{
	const struct cred *c = BPF_CORE_READ(t, cred);
	umode_t mode = BPF_CORE_READ(inode, i_mode);
	__u32 iuid, igid, fsuid, fsgid;
	__u64 caps;

	if (!c || !inode)
		return 0;
	if ((BPF_CORE_READ(inode, i_sb, s_flags) & FRC_SB_RDONLY) &&
	    ((mode & FRC_S_IFMT) == FRC_S_IFREG || (mode & FRC_S_IFMT) == FRC_S_IFDIR ||
	     (mode & FRC_S_IFMT) == FRC_S_IFLNK))
		return 0;
	if (BPF_CORE_READ(inode, i_flags) & FRC_S_IMMUTABLE)
		return 0;
	iuid = BPF_CORE_READ(inode, i_uid.val);
	igid = BPF_CORE_READ(inode, i_gid.val);
	fsuid = BPF_CORE_READ(c, fsuid.val);
	fsgid = BPF_CORE_READ(c, fsgid.val);
	if (iuid == 0xffffffff || igid == 0xffffffff)
		return 0;
	if (iuid == fsuid)
		return 1;	/* the owner may always make it writable */
	if (igid == fsgid || groups_contain(c, igid))
		mode >>= 3;
	if (mode & 2)
		return 1;
	caps = core_cap((void *)&c->cap_effective);
	if (caps & ((1ull << FRC_CAP_DAC_OVERRIDE) | (1ull << FRC_CAP_FOWNER)))
		return 1;
	return 0;
}

/* is @f a memfd (an anonymous shmem file, named "memfd:...")? */
static __always_inline int file_is_memfd(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	char name[7] = {};

	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return 0;
	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name)) != 7)
		return 0;
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

/* ---------------------------------------------------------------- paths */

/* the state of one path walk, shared with the bpf_loop() callback */
struct frc_path_walk {
	struct dentry *d;
	struct mount *mnt;
	struct mount *mparent;
	struct dentry *mroot;
	__u32 cur;	/* start of the path built so far in the scratch's second half */
};

#define FRC_PATH_END (2 * FRC_EVT_MAX - 1)	/* where the path's NUL goes */

/* one step of the walk: prepend "/name" of the current dentry, or cross a mount point */
static long path_step(__u32 i, void *arg)
{
	struct frc_path_walk *w = arg;
	struct frc_scratch *s = scratch_get();
	struct dentry *d = w->d, *parent;
	struct mount *mnt = w->mnt;
	struct qstr q;
	__u32 len, cur;

	if (!s)
		return 1;
	parent = BPF_CORE_READ(d, d_parent);
	if (d == w->mroot) {
		if (mnt == w->mparent)
			return 1;	/* the root of the mount tree */
		/* continue from the mount point in the parent mount */
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = w->mparent;
		w->mnt = mnt;
		w->mparent = BPF_CORE_READ(mnt, mnt_parent);
		w->mroot = BPF_CORE_READ(mnt, mnt.mnt_root);
		return 0;
	}
	if (d == parent)
		return 1;		/* a detached tree: stop where we are */
	if (bpf_core_read(&q, sizeof(q), &d->d_name))
		return 1;
	len = q.len;
	cur = w->cur;
	if (len == 0 || len >= FRC_MAX_COMPONENT || cur < FRC_PATH_END - FRC_MAX_PATH + len + 1)
		return 1;		/* longer than a path may be: keep what we have */
	cur -= len;
	bpf_probe_read_kernel(&s->data[FRC_EVT_MAX + FRC_OFF(cur)],
			      FRC_BOUND(len, FRC_MAX_COMPONENT - 1), q.name);
	cur -= 1;
	s->data[FRC_EVT_MAX + FRC_OFF(cur)] = '/';
	w->cur = cur;
	w->d = parent;
	return 0;
}

/**
 * ev_path_impl() - store the absolute path of @path (a struct path in kernel memory) as one
 * parameter, the way d_path() builds it: components are collected leaf first into the
 * second half of the scratch area, crossing mount points up to the root of the mount tree.
 * A file outside any directory tree (a memfd, a pipe) gives its dentry name.
 */
static __always_inline void ev_path_impl(struct frc_scratch *s, const struct path *path)
{
	struct frc_path_walk w = {};
	struct vfsmount *vmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt;
	__u32 len, p;

	w.d = BPF_CORE_READ(path, dentry);
	if (!w.d || !vmnt) {
		ev_empty(s);
		return;
	}
	mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);
	w.mnt = mnt;
	w.mparent = BPF_CORE_READ(mnt, mnt_parent);
	w.mroot = BPF_CORE_READ(vmnt, mnt_root);
	w.cur = FRC_PATH_END;
	s->data[FRC_PATH_END] = 0;
	bpf_loop(FRC_PATH_COMPONENTS, path_step, &w, 0);
	if (w.cur == FRC_PATH_END) {
		struct dentry *leaf = BPF_CORE_READ(path, dentry);

		if (BPF_CORE_READ(leaf, d_parent) == leaf && leaf != BPF_CORE_READ(vmnt, mnt_root)) {
			ev_str_kernel(s, BPF_CORE_READ(leaf, d_name.name), FRC_MAX_COMPONENT);
			return;
		}
		w.cur -= 1;
		s->data[FRC_EVT_MAX + FRC_OFF(w.cur)] = '/';
	}
	len = FRC_PATH_END - w.cur + 1;
	p = s->pos;
	if (p > FRC_EVT_MAX - 2 * FRC_MAX_PATH || len > FRC_MAX_PATH) {
		ev_trunc(s);
		return;
	}
	bpf_probe_read_kernel(&s->data[FRC_OFF(p)], FRC_BOUND(len, 2 * FRC_MAX_PATH - 1),
			      &s->data[FRC_EVT_MAX + FRC_OFF(w.cur)]);
	ev_plen(s, len);
}

/* separately verified: the walk's loop would be re-verified at every call site otherwise */
__noinline int frc_path(struct frc_scratch *s, __u64 path)
{
	if (!s)
		return 0;
	ev_path_impl(s, (const struct path *)path);
	return 0;
}

static __always_inline void ev_path(struct frc_scratch *s, const struct path *path)
{
	frc_path(s, (__u64)path);
}

static __always_inline void ev_file_path(struct frc_scratch *s, struct file *f)
{
	if (!f) {
		ev_empty(s);
		return;
	}
	ev_path(s, &f->f_path);
}

/* ---------------------------------------------------------------- cgroups */

/* "subsys=/path" of one controller, appended to the cgroups param at @start; returns the new
 * end. A separately verified (global) function: its loops would multiply the verifier's work
 * at each of the five call sites otherwise. */
__noinline int frc_cgroup_one(struct frc_scratch *s, __u32 start, int id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css;
	__u32 o = start, *off = &o;
	const char *name;
	struct kernfs_node *kn;
	const char *parts[FRC_CGROUP_COMPONENTS] = {};
	int n = 0, i, w, wrote = 0;

	if (!s || id < 0 || id >= 16)
		return start;
	css = BPF_CORE_READ(t, cgroups, subsys[id]);
	if (!css)
		return start;
	name = BPF_CORE_READ(css, ss, name);
	if (!name)
		return start;
	w = ev_raw_str_kernel(s, off, name, 64);
	if (w <= 1)
		return start;
	/* overwrite the NUL with '=' */
	*off -= 1;
	if (ev_raw_u8(s, off, '=') < 0)
		return start;
	kn = BPF_CORE_READ(css, cgroup, kn);
	for (i = 0; i < FRC_CGROUP_COMPONENTS; i++) {
		if (!kn)
			break;
		parts[i] = BPF_CORE_READ(kn, name);
		n = i + 1;
		kn = core_kn_parent(kn);
	}
	/* parts[n-1] is the root (an empty name) unless the path was deeper than we walk */
	for (i = FRC_CGROUP_COMPONENTS - 1; i >= 0; i--) {
		if (i >= n || !parts[i] || (i == n - 1 && !kn))
			continue;
		if (ev_raw_u8(s, off, '/') < 0)
			return start;
		if (ev_raw_str_kernel(s, off, parts[i], FRC_MAX_COMPONENT) < 0)
			return start;
		*off -= 1;	/* drop the NUL: a separator or the final NUL follows */
		wrote = 1;
	}
	if (!wrote && ev_raw_u8(s, off, '/') < 0)
		return start;
	if (ev_raw_u8(s, off, 0) < 0)
		return start;
	return o;
}

/* the cgroups param: "cpuset=/...\0cpu=/...\0..." for the controllers Falco reports (of the
 * current task: @t is only documentation) */
static __always_inline void ev_cgroups(struct frc_scratch *s, struct task_struct *t)
{
	__u32 off = 0;

	if (s->pos > FRC_EVT_MAX - 5 * (64 + FRC_CGROUP_COMPONENTS * FRC_MAX_COMPONENT)) {
		ev_trunc(s);
		return;
	}
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		off = frc_cgroup_one(s, off, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		off = frc_cgroup_one(s, off, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		off = frc_cgroup_one(s, off, bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		off = frc_cgroup_one(s, off, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		off = frc_cgroup_one(s, off, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	ev_plen(s, off);
}

/* ---------------------------------------------------------------- sockets */

/* a user sockaddr as a SOCKADDR param */
static __always_inline void ev_sockaddr_user(struct frc_scratch *s, const void *uaddr, __u32 alen)
{
	struct sockaddr_in6 sa = {};
	__u32 off = 0;
	__u16 fam;

	if (!uaddr || alen < 2) {
		ev_empty(s);
		return;
	}
	if (bpf_probe_read_user(&sa, sizeof(sa) < alen ? sizeof(sa) : (alen & 31), uaddr)) {
		ev_empty(s);
		return;
	}
	fam = sa.sin6_family;
	if (fam == FRC_AF_INET) {
		struct sockaddr_in *in = (void *)&sa;

		ev_raw_u8(s, &off, FRC_AF_INET);
		ev_raw_u32(s, &off, in->sin_addr.s_addr);
		ev_raw_u16(s, &off, bpf_ntohs(in->sin_port));
	} else if (fam == FRC_AF_INET6) {
		ev_raw_u8(s, &off, FRC_AF_INET6);
		ev_raw_u32(s, &off, sa.sin6_addr.in6_u.u6_addr32[0]);
		ev_raw_u32(s, &off, sa.sin6_addr.in6_u.u6_addr32[1]);
		ev_raw_u32(s, &off, sa.sin6_addr.in6_u.u6_addr32[2]);
		ev_raw_u32(s, &off, sa.sin6_addr.in6_u.u6_addr32[3]);
		ev_raw_u16(s, &off, bpf_ntohs(sa.sin6_port));
	} else if (fam == FRC_AF_UNIX) {
		const char *path = (const char *)uaddr + 2;
		char first = 0;
		__u32 p;
		long n;

		bpf_probe_read_user(&first, 1, path);
		if (!first)
			path++;	/* abstract socket: skip the leading NUL */
		ev_raw_u8(s, &off, FRC_AF_UNIX);
		p = s->pos + off;
		if (p > FRC_EVT_MAX - 128) {
			ev_trunc(s);
			return;
		}
		n = bpf_probe_read_user_str(&s->data[FRC_OFF(p)], 109, path);
		if (n <= 0) {
			s->data[FRC_OFF(p)] = 0;
			n = 1;
		}
		off += n;
	} else {
		ev_empty(s);
		return;
	}
	ev_plen(s, off);
}

/* the SOCKTUPLE param of socket @fd: local→remote when @outbound, else remote→local; @uaddr is
 * the destination the caller passed (used when the socket is not connected) */
static __always_inline void ev_socktuple(struct frc_scratch *s, struct task_struct *t, __s64 fd,
					 int outbound, const void *uaddr)
{
	struct socket *sock = file_socket(fd_file(t, fd));
	struct sock *sk;
	__u32 off = 0;
	__u16 fam, lport, rport;

	if (!sock || !(sk = BPF_CORE_READ(sock, sk))) {
		ev_empty(s);
		return;
	}
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == FRC_AF_INET) {
		struct inet_sock *inet = (void *)sk;
		__u32 laddr = BPF_CORE_READ(inet, inet_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		lport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (!rport && uaddr) {
			struct sockaddr_in in = {};

			bpf_probe_read_user(&in, sizeof(in), uaddr);
			if (in.sin_family == FRC_AF_INET) {
				raddr = in.sin_addr.s_addr;
				rport = bpf_ntohs(in.sin_port);
			}
		}
		ev_raw_u8(s, &off, FRC_AF_INET);
		if (outbound) {
			ev_raw_u32(s, &off, laddr);
			ev_raw_u16(s, &off, lport);
			ev_raw_u32(s, &off, raddr);
			ev_raw_u16(s, &off, rport);
		} else {
			ev_raw_u32(s, &off, raddr);
			ev_raw_u16(s, &off, rport);
			ev_raw_u32(s, &off, laddr);
			ev_raw_u16(s, &off, lport);
		}
	} else if (fam == FRC_AF_INET6) {
		struct inet_sock *inet = (void *)sk;
		struct ipv6_pinfo *pi = BPF_CORE_READ(inet, pinet6);
		struct in6_addr la = {}, ra = {};

		if (pi)
			la = BPF_CORE_READ(pi, saddr);
		ra = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		lport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (!rport && uaddr) {
			struct sockaddr_in6 in6 = {};

			bpf_probe_read_user(&in6, sizeof(in6), uaddr);
			if (in6.sin6_family == FRC_AF_INET6) {
				ra = in6.sin6_addr;
				rport = bpf_ntohs(in6.sin6_port);
			}
		}
		ev_raw_u8(s, &off, FRC_AF_INET6);
		if (outbound) {
			ev_raw_16k(s, &off, &la);
			ev_raw_u16(s, &off, lport);
			ev_raw_16k(s, &off, &ra);
			ev_raw_u16(s, &off, rport);
		} else {
			ev_raw_16k(s, &off, &ra);
			ev_raw_u16(s, &off, rport);
			ev_raw_16k(s, &off, &la);
			ev_raw_u16(s, &off, lport);
		}
	} else if (fam == FRC_AF_UNIX) {
		struct unix_sock *us = (void *)sk;
		struct unix_sock *peer = (void *)BPF_CORE_READ(us, peer);
		const char *path = NULL;
		char tmp[2] = {};
		__u32 p;
		long n;

		ev_raw_u8(s, &off, FRC_AF_UNIX);
		if (outbound) {
			ev_raw_u64(s, &off, (__u64)peer);
			ev_raw_u64(s, &off, (__u64)us);
		} else {
			ev_raw_u64(s, &off, (__u64)us);
			ev_raw_u64(s, &off, (__u64)peer);
		}
		p = s->pos + off;
		if (p > FRC_EVT_MAX - 128) {
			ev_trunc(s);
			return;
		}
		if (outbound && !peer && uaddr) {
			path = (const char *)uaddr + 2;
			bpf_probe_read_user(tmp, 1, path);
			if (!tmp[0])
				path++;
			n = bpf_probe_read_user_str(&s->data[FRC_OFF(p)], 109, path);
		} else {
			struct unix_sock *u = outbound ? peer : us;
			struct unix_address *ua = BPF_CORE_READ(u, addr);

			n = 0;
			if (ua) {
				path = (const char *)&ua->name[0].sun_path;
				bpf_probe_read_kernel(tmp, 1, path);
				if (!tmp[0])
					path++;
				n = bpf_probe_read_kernel_str(&s->data[FRC_OFF(p)], 109, path);
			}
		}
		if (n <= 0) {
			s->data[FRC_OFF(p)] = 0;
			n = 1;
		}
		off += n;
	} else {
		ev_empty(s);
		return;
	}
	ev_plen(s, off);
}

#endif
