/* SPDX-License-Identifier: Apache-2.0
 *
 * /proc scan: threads from status/stat/cmdline/environ/cgroup and friends, fds from the fd
 * directory with sockets resolved through the tcp/udp/raw/unix/netlink tables of the
 * process's network namespace (parsed once per namespace and kept in a small hash table
 * by socket inode), following what libscap reads (userspace/libscap/linux/scap_procs.c,
 * scap_fds.c). Everything read is bounded; a process that vanishes mid-scan is skipped.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <stdarg.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc_scan.h"

#define ARGS_MAX 4096
#define ENV_MAX 4096
#define CGROUPS_MAX 4096
#define PATH_BUF 4096

/* ---------------------------------------------------------------- small readers */

/* a path into @buf; an over-long one is cut (and then simply not found) */
__attribute__((format(printf, 3, 4)))
static void pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static ssize_t read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* a text file as a NUL-terminated string; returns its length or -1 */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	ssize_t n = read_all(path, buf, size - 1);

	if (n < 0) {
		buf[0] = 0;
		return -1;
	}
	buf[n] = 0;
	return n;
}

static ssize_t read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0) {
		buf[0] = 0;
		return -1;
	}
	buf[n] = 0;
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---------------------------------------------------------------- threads */

struct thread_buf {
	struct scap_thread_rec t;
	char comm[32], exe[PATH_BUF], exepath[PATH_BUF], cwd[PATH_BUF], root[PATH_BUF];
	char args[ARGS_MAX], env[ENV_MAX], cgroups[CGROUPS_MAX];
};

/* a /proc/PID/status "Key:\tA\tB..." line: the @n-th number (0-based) in base @base */
static bool status_num(const char *line, int n, int base, uint64_t *v)
{
	const char *p = strchr(line, ':');
	char *end;

	if (!p)
		return false;
	p++;
	for (int i = 0;; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return false;
		if (i == n) {
			*v = strtoull(p, &end, base);
			return end != p;
		}
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
}

/* the last number of an "NSpid:" style line (the innermost namespace) and how many */
static int status_last(const char *line, uint64_t *first, uint64_t *last)
{
	int n = 0;
	uint64_t v;

	while (status_num(line, n, 10, &v)) {
		if (n == 0)
			*first = v;
		*last = v;
		n++;
	}
	return n;
}

static void parse_status(const char *dir, struct scap_thread_rec *t)
{
	char path[PATH_BUF], buf[8192];
	uint64_t v, a, b;
	char *line, *save = NULL;

	pathf(path, sizeof(path), "%s/status", dir);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Tgid:", 5) && status_num(line, 0, 10, &v))
			t->pid = (int64_t)v;
		else if (!strncmp(line, "PPid:", 5) && status_num(line, 0, 10, &v))
			t->ptid = (int64_t)v;
		else if (!strncmp(line, "Uid:", 4) && status_num(line, 1, 10, &v))
			t->uid = (uint32_t)v;	/* the effective uid, as libscap keeps */
		else if (!strncmp(line, "Gid:", 4) && status_num(line, 1, 10, &v))
			t->gid = (uint32_t)v;
		else if (!strncmp(line, "CapInh:", 7) && status_num(line, 0, 16, &v))
			t->cap_inheritable = v;
		else if (!strncmp(line, "CapPrm:", 7) && status_num(line, 0, 16, &v))
			t->cap_permitted = v;
		else if (!strncmp(line, "CapEff:", 7) && status_num(line, 0, 16, &v))
			t->cap_effective = v;
		else if (!strncmp(line, "VmSize:", 7) && status_num(line, 0, 10, &v))
			t->vmsize_kb = (uint32_t)v;
		else if (!strncmp(line, "VmRSS:", 6) && status_num(line, 0, 10, &v))
			t->vmrss_kb = (uint32_t)v;
		else if (!strncmp(line, "VmSwap:", 7) && status_num(line, 0, 10, &v))
			t->vmswap_kb = (uint32_t)v;
		else if (!strncmp(line, "NSpid:", 6) && status_last(line, &a, &b) > 1)
			t->vtid = (int64_t)b;
		else if (!strncmp(line, "NStgid:", 7) && status_last(line, &a, &b) > 1)
			t->vpid = (int64_t)b;
		else if (!strncmp(line, "NSpgid:", 7) && status_last(line, &a, &b) >= 1) {
			t->pgid = (int64_t)a;
			t->vpgid = (int64_t)b;
		}
	}
}

static void parse_stat(const char *dir, struct scap_thread_rec *t)
{
	char path[PATH_BUF], buf[2048];
	long long pgid, sid;
	unsigned tty;
	unsigned long long minflt, majflt;
	const char *p;

	pathf(path, sizeof(path), "%s/stat", dir);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	p = strrchr(buf, ')');	/* comm may contain anything: parse after its ')' */
	if (!p || !p[1])
		return;
	if (sscanf(p + 2, "%*s %*d %lld %lld %u %*d %*u %llu %*u %llu", &pgid, &sid, &tty,
		   &minflt, &majflt) != 5)
		return;
	if (t->pgid == -1)
		t->pgid = pgid;
	if (t->vpgid == -1)
		t->vpgid = pgid;
	t->sid = sid;
	t->tty = tty;
	t->pfminor = minflt;
	t->pfmajor = majflt;
}

/* "subsys=path" entries (NUL-terminated each) from /proc/PID/cgroup: every controller of a
 * v1 hierarchy, and for the v2 line the controllers enabled in the unified hierarchy */
static uint32_t read_cgroups(const char *dir, char *out, size_t size)
{
	char path[PATH_BUF], buf[8192], v2ctl[512] = "";
	char *line, *save = NULL;
	size_t off = 0;
	bool v2_read = false;

	pathf(path, sizeof(path), "%s/cgroup", dir);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2, *subsys, *cg, *tok, *s2 = NULL;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = 0;
		subsys = c1 + 1;
		cg = c2 + 1;
		if (!*subsys) {
			/* cgroup v2: the controllers the root of the unified hierarchy offers */
			if (strcmp(line, "0:") && strncmp(line, "0", 1))
				continue;
			if (!v2_read) {
				read_text("/sys/fs/cgroup/cgroup.controllers", v2ctl, sizeof(v2ctl));
				v2_read = true;
			}
			for (tok = strtok_r(v2ctl, " \n", &s2); tok; tok = strtok_r(NULL, " \n", &s2)) {
				int n = snprintf(out + off, size - off, "%s=%s", tok, cg);

				if (n < 0 || (size_t)n + 1 > size - off)
					return (uint32_t)off;
				off += (size_t)n + 1;
			}
			continue;
		}
		for (tok = strtok_r(subsys, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
			int n = snprintf(out + off, size - off, "%s=%s", tok, cg);

			if (n < 0 || (size_t)n + 1 > size - off)
				return (uint32_t)off;
			off += (size_t)n + 1;
		}
	}
	return (uint32_t)off;
}

static bool exe_writable(const struct stat *st, uint32_t uid, uint32_t gid)
{
	if (uid == 0 || st->st_uid == uid)
		return true;	/* root may write anything writable; the owner may chmod */
	if (st->st_gid == gid)
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

/* fill @tb from @dir (/proc/PID or /proc/PID/task/TID); false for kernel threads, zombies
 * and threads gone meanwhile */
static bool read_thread(const char *procfs, const char *dir, int64_t tid, struct thread_buf *tb)
{
	struct scap_thread_rec *t = &tb->t;
	char path[PATH_BUF];
	ssize_t n, exe_n;
	struct rlimit rl;
	struct stat st;
	size_t l0;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = tid;
	t->pgid = t->vpgid = -1;
	pathf(path, sizeof(path), "%s/cmdline", dir);
	n = read_all(path, tb->args, sizeof(tb->args) - 1);
	pathf(path, sizeof(path), "%s/exe", dir);
	exe_n = read_link(path, tb->exepath, sizeof(tb->exepath));
	if (n <= 0 && exe_n <= 0)
		return false;	/* a kernel thread or a zombie */
	if (n < 0)
		n = 0;
	tb->args[n] = 0;
	/* exe = argv[0], args = the rest */
	snprintf(tb->exe, sizeof(tb->exe), "%s", tb->args);
	l0 = strnlen(tb->args, (size_t)n) + 1;
	if ((size_t)n > l0) {
		memmove(tb->args, tb->args + l0, (size_t)n - l0);
		t->args_len = (uint32_t)((size_t)n - l0);
		if (tb->args[t->args_len - 1] != 0)
			tb->args[t->args_len++] = 0;
	} else {
		t->args_len = 0;
		tb->args[0] = 0;
	}
	pathf(path, sizeof(path), "%s/comm", dir);
	if (read_text(path, tb->comm, sizeof(tb->comm)) > 0)
		tb->comm[strcspn(tb->comm, "\n")] = 0;
	pathf(path, sizeof(path), "%s/environ", dir);
	n = read_all(path, tb->env, sizeof(tb->env) - 1);
	if (n < 0)
		n = 0;
	if (n > 0 && tb->env[n - 1] != 0)
		tb->env[n++] = 0;
	t->env_len = (uint32_t)n;
	pathf(path, sizeof(path), "%s/cwd", dir);
	read_link(path, tb->cwd, sizeof(tb->cwd));
	pathf(path, sizeof(path), "%s/root", dir);
	read_link(path, tb->root, sizeof(tb->root));
	parse_status(dir, t);
	parse_stat(dir, t);
	if (!t->vtid)
		t->vtid = t->tid;
	if (!t->vpid)
		t->vpid = t->pid;
	t->fdlimit = syscall(SYS_prlimit64, (pid_t)tid, RLIMIT_NOFILE, NULL, &rl) == 0 ?
		     (int64_t)rl.rlim_cur : -1;
	t->cgroups_len = read_cgroups(dir, tb->cgroups, sizeof(tb->cgroups));
	pathf(path, sizeof(path), "%s/root/proc/1/cmdline", dir);
	if (stat(path, &st) == 0)
		t->pidns_init_start_ts = (uint64_t)st.st_ctim.tv_sec * 1000000000ull +
					 (uint64_t)st.st_ctim.tv_nsec;
	pathf(path, sizeof(path), "%s/loginuid", dir);
	{
		char lb[32];

		t->loginuid = read_text(path, lb, sizeof(lb)) > 0 ? (uint32_t)strtoul(lb, NULL, 10) :
			      UINT32_MAX;
	}
	t->flags = t->tid == t->pid ? 0 : (1u << 13) | (1u << 0);	/* CLONE_THREAD|CLONE_FILES */
	pathf(path, sizeof(path), "%s/exe", dir);
	if (stat(path, &st) == 0) {
		t->exe_ino = st.st_ino;
		t->exe_ino_ctime = (uint64_t)st.st_ctim.tv_sec * 1000000000ull +
				   (uint64_t)st.st_ctim.tv_nsec;
		t->exe_ino_mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
				   (uint64_t)st.st_mtim.tv_nsec;
		t->exe_writable = exe_writable(&st, t->uid, t->gid);
	}
	t->exe_from_memfd = !strncmp(tb->exepath, "/memfd:", 7);
	(void)procfs;
	t->comm = tb->comm;
	t->exe = tb->exe;
	t->exepath = tb->exepath;
	t->cwd = tb->cwd;
	t->root = tb->root;
	t->args = tb->args;
	t->env = tb->env;
	t->cgroups = tb->cgroups;
	return true;
}

/* ---------------------------------------------------------------- sockets */

struct sock_rec {
	uint64_t ino;
	int8_t type;
	uint8_t l4proto;
	uint16_t sport, dport;
	uint8_t sip[16], dip[16];
	uint64_t unix_src;
	char name[112];
};

struct sock_table {
	uint64_t netns;
	struct sock_rec *slot;	/* open addressing by inode, ino 0 = empty */
	size_t cap, n;
	struct sock_table *next;
};

struct scan_ctx {
	const char *procfs;
	const struct proc_scan_ops *ops;
	void *ctx;
	struct proc_scan_stats *stats;
	struct sock_table *tables;
	struct thread_buf tb;
};

static bool sock_put(struct sock_table *t, const struct sock_rec *r)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		struct sock_rec *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return false;
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->slot[k].ino)
				continue;
			i = (size_t)(t->slot[k].ino * 0x9e3779b97f4a7c15ull) & (ncap - 1);
			while (ns[i].ino)
				i = (i + 1) & (ncap - 1);
			ns[i] = t->slot[k];
		}
		free(t->slot);
		t->slot = ns;
		t->cap = ncap;
	}
	i = (size_t)(r->ino * 0x9e3779b97f4a7c15ull) & (t->cap - 1);
	while (t->slot[i].ino && t->slot[i].ino != r->ino)
		i = (i + 1) & (t->cap - 1);
	if (!t->slot[i].ino)
		t->n++;
	t->slot[i] = *r;
	return true;
}

static const struct sock_rec *sock_get(const struct sock_table *t, uint64_t ino)
{
	size_t i;

	if (!t->cap || !ino)
		return NULL;
	i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & (t->cap - 1);
	while (t->slot[i].ino) {
		if (t->slot[i].ino == ino)
			return &t->slot[i];
		i = (i + 1) & (t->cap - 1);
	}
	return NULL;
}

/* "HEXADDR:HEXPORT" of /proc/net/{tcp,udp,raw}[6]: @words u32 words of the address */
static bool parse_inet_addr(const char **pp, int words, uint8_t *addr, uint16_t *port)
{
	const char *p = *pp;
	char w[9];
	char *end;

	while (*p == ' ')
		p++;
	for (int i = 0; i < words; i++) {
		uint32_t v;

		memcpy(w, p, 8);
		w[8] = 0;
		v = (uint32_t)strtoul(w, &end, 16);
		if (end != w + 8)
			return false;
		memcpy(addr + 4 * i, &v, 4);	/* the kernel prints the in-memory word */
		p += 8;
	}
	if (*p != ':')
		return false;
	*port = (uint16_t)strtoul(p + 1, &end, 16);
	*pp = end;
	return true;
}

static void load_inet(struct sock_table *t, const char *netdir, const char *file, bool v6,
		      uint8_t l4)
{
	char path[PATH_BUF];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	pathf(path, sizeof(path), "%s/%s", netdir, file);
	f = fopen(path, "re");
	if (!f)
		return;
	if (getline(&line, &cap, f) < 0) {	/* header */
		fclose(f);
		free(line);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct sock_rec r = { 0 };
		const char *p = strchr(line, ':');
		unsigned long long ino;
		bool zero = true;

		if (!p)
			continue;
		p++;
		if (!parse_inet_addr(&p, v6 ? 4 : 1, r.sip, &r.sport) ||
		    !parse_inet_addr(&p, v6 ? 4 : 1, r.dip, &r.dport))
			continue;
		/* st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode */
		if (sscanf(p, " %*x %*x:%*x %*x:%*x %*x %*u %*u %llu", &ino) != 1 || !ino)
			continue;
		for (int i = 0; i < (v6 ? 16 : 4); i++)
			if (r.dip[i])
				zero = false;
		r.ino = ino;
		r.l4proto = l4;
		if (zero) {	/* no peer: a server (or unconnected) socket */
			r.type = v6 ? SCAP_FD_IPV6_SERVSOCK : SCAP_FD_IPV4_SERVSOCK;
			r.dport = 0;
		} else {
			r.type = v6 ? SCAP_FD_IPV6_SOCK : SCAP_FD_IPV4_SOCK;
		}
		sock_put(t, &r);
	}
	free(line);
	fclose(f);
}

static void load_unix(struct sock_table *t, const char *netdir)
{
	char path[PATH_BUF];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	pathf(path, sizeof(path), "%s/unix", netdir);
	f = fopen(path, "re");
	if (!f)
		return;
	if (getline(&line, &cap, f) < 0) {
		fclose(f);
		free(line);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct sock_rec r = { 0 };
		unsigned long long num, ino;
		int off = 0;

		/* Num RefCount Protocol Flags Type St Inode [Path] */
		if (sscanf(line, "%llx: %*x %*x %*x %*x %*x %llu%n", &num, &ino, &off) != 2 || !ino)
			continue;
		r.ino = ino;
		r.type = SCAP_FD_UNIX_SOCK;
		r.unix_src = num;
		{
			const char *p = line + off;

			while (*p == ' ')
				p++;
			snprintf(r.name, sizeof(r.name), "%.*s", (int)strcspn(p, "\n"), p);
		}
		sock_put(t, &r);
	}
	free(line);
	fclose(f);
}

static void load_netlink(struct sock_table *t, const char *netdir)
{
	char path[PATH_BUF];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	pathf(path, sizeof(path), "%s/netlink", netdir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		struct sock_rec r = { 0 };
		unsigned long long ino;

		if (line[0] == 's')
			continue;	/* header */
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*x %*d %*d %*x %*d %*d %*d %*d %*d %llu", &ino) != 1 || !ino)
			continue;
		r.ino = ino;
		r.type = SCAP_FD_NETLINK;
		sock_put(t, &r);
	}
	free(line);
	fclose(f);
}

static struct sock_table *sockets_of(struct scan_ctx *c, const char *pdir)
{
	char path[PATH_BUF], netdir[PATH_BUF];
	struct sock_table *t;
	struct stat st;

	pathf(path, sizeof(path), "%s/ns/net", pdir);
	if (stat(path, &st) != 0)
		st.st_ino = 0;
	for (t = c->tables; t; t = t->next)
		if (t->netns == st.st_ino)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->netns = st.st_ino;
	pathf(netdir, sizeof(netdir), "%s/net", pdir);
	load_inet(t, netdir, "tcp", false, SCAP_L4_TCP);
	load_inet(t, netdir, "udp", false, SCAP_L4_UDP);
	load_inet(t, netdir, "raw", false, SCAP_L4_RAW);
	load_inet(t, netdir, "tcp6", true, SCAP_L4_TCP);
	load_inet(t, netdir, "udp6", true, SCAP_L4_UDP);
	load_inet(t, netdir, "raw6", true, SCAP_L4_RAW);
	load_unix(t, netdir);
	load_netlink(t, netdir);
	t->next = c->tables;
	c->tables = t;
	return t;
}

static void free_tables(struct scan_ctx *c)
{
	while (c->tables) {
		struct sock_table *n = c->tables->next;

		free(c->tables->slot);
		free(c->tables);
		c->tables = n;
	}
}

/* ---------------------------------------------------------------- fds */

static uint32_t kflags_to_ppm(unsigned long f)
{
	uint32_t r;

	switch (f & 3) {
	case 1: r = 1u << 1; break;		/* O_WRONLY */
	case 2: r = 3; break;			/* O_RDWR */
	default: r = 1u << 0; break;		/* O_RDONLY */
	}
	if (f & 0100) r |= 1u << 2;		/* O_CREAT */
	if (f & 02000) r |= 1u << 3;		/* O_APPEND */
	if (f & 010000) r |= 1u << 4;		/* O_DSYNC */
	if (f & 0200) r |= 1u << 5;		/* O_EXCL */
	if (f & 04000) r |= 1u << 6;		/* O_NONBLOCK */
	if (f & 04010000) r |= 1u << 7;		/* O_SYNC */
	if (f & 01000) r |= 1u << 8;		/* O_TRUNC */
	if (f & 040000) r |= 1u << 9;		/* O_DIRECT */
	if (f & 0200000) r |= 1u << 10;		/* O_DIRECTORY */
	if (f & 0100000) r |= 1u << 11;		/* O_LARGEFILE */
	if (f & 02000000) r |= 1u << 12;	/* O_CLOEXEC */
	return r;
}

static uint32_t fdinfo_flags(const char *pdir, int64_t fd)
{
	char path[PATH_BUF], buf[512];
	const char *p;

	pathf(path, sizeof(path), "%s/fdinfo/%" PRId64, pdir, fd);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "flags:");
	return p ? kflags_to_ppm(strtoul(p + 6, NULL, 8)) : 0;
}

static int8_t anon_type(const char *name)
{
	static const struct {
		const char *n;
		int8_t t;
	} map[] = {
		{ "[eventfd]", SCAP_FD_EVENT }, { "[eventpoll]", SCAP_FD_EVENTPOLL },
		{ "inotify", SCAP_FD_INOTIFY }, { "[signalfd]", SCAP_FD_SIGNALFD },
		{ "[timerfd]", SCAP_FD_TIMERFD }, { "[io_uring]", SCAP_FD_IOURING },
		{ "[userfaultfd]", SCAP_FD_USERFAULTFD }, { "[pidfd]", SCAP_FD_PIDFD },
		{ "bpf-map", SCAP_FD_BPF }, { "bpf-prog", SCAP_FD_BPF },
		{ "bpf_link", SCAP_FD_BPF }, { "bpf_iter", SCAP_FD_BPF },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].n))
			return map[i].t;
	return SCAP_FD_UNSUPPORTED;
}

static void scan_fds(struct scan_ctx *c, const char *pdir, int64_t pid)
{
	char fddir[PATH_BUF], path[PATH_BUF], link[PATH_BUF];
	struct sock_table *socks = NULL;
	struct dirent *de;
	DIR *d;

	pathf(fddir, sizeof(fddir), "%s/fd", pdir);
	d = opendir(fddir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct scap_fd_rec r;
		struct stat st;
		unsigned long long ino;

		if (!all_digits(de->d_name))
			continue;
		memset(&r, 0, sizeof(r));
		r.tid = pid;
		r.fd = strtoll(de->d_name, NULL, 10);
		r.name = "";
		pathf(path, sizeof(path), "%s/%s", fddir, de->d_name);
		if (read_link(path, link, sizeof(link)) <= 0 || stat(path, &st) != 0)
			continue;
		switch (st.st_mode & S_IFMT) {
		case S_IFIFO:
			r.type = SCAP_FD_FIFO;
			r.ino = sscanf(link, "pipe:[%llu]", &ino) == 1 ? ino : st.st_ino;
			r.name = link;
			break;
		case S_IFSOCK: {
			const struct sock_rec *s;

			if (!socks)
				socks = sockets_of(c, pdir);
			if (sscanf(link, "socket:[%llu]", &ino) != 1) {
				r.type = SCAP_FD_UNSUPPORTED;
				r.name = link;
				break;
			}
			s = socks ? sock_get(socks, ino) : NULL;
			if (!s)
				continue;	/* not in the tables (as libscap: skipped) */
			r.type = s->type;
			r.ino = ino;
			r.l4proto = s->l4proto;
			r.sport = s->sport;
			r.dport = s->dport;
			memcpy(r.sip, s->sip, 16);
			memcpy(r.dip, s->dip, 16);
			r.unix_src = s->unix_src;
			r.name = s->name;
			break;
		}
		case S_IFDIR:
			r.type = SCAP_FD_DIRECTORY;
			r.ino = st.st_ino;
			r.dev = (uint32_t)st.st_dev;
			r.open_flags = fdinfo_flags(pdir, r.fd);
			r.name = link;
			break;
		case S_IFREG: case S_IFBLK: case S_IFCHR: case S_IFLNK:
			r.ino = st.st_ino;
			if (!strncmp(link, "/memfd:", 7)) {
				r.type = SCAP_FD_MEMFD;
			} else {
				r.type = SCAP_FD_FILE_V2;
				r.dev = (uint32_t)st.st_dev;
				r.open_flags = fdinfo_flags(pdir, r.fd);
			}
			r.name = link;
			break;
		default:
			r.ino = st.st_ino;
			r.type = !strncmp(link, "anon_inode:", 11) ? anon_type(link + 11) :
				 SCAP_FD_UNSUPPORTED;
			break;
		}
		c->ops->fd(c->ctx, &r);
		c->stats->fds++;
	}
	closedir(d);
}

/* ---------------------------------------------------------------- processes */

static void scan_process(struct scan_ctx *c, int64_t pid, int64_t only_tid)
{
	char pdir[PATH_BUF], tdir[PATH_BUF], tasks[PATH_BUF];
	struct dirent *de;
	DIR *d;

	pathf(pdir, sizeof(pdir), "%s/%" PRId64, c->procfs, pid);
	if (!read_thread(c->procfs, pdir, pid, &c->tb)) {
		c->stats->skipped++;
		return;
	}
	c->ops->thread(c->ctx, &c->tb.t);
	c->stats->processes++;
	c->stats->threads++;
	pathf(tasks, sizeof(tasks), "%s/task", pdir);
	d = opendir(tasks);
	if (d) {
		while ((de = readdir(d))) {
			int64_t tid;

			if (!all_digits(de->d_name))
				continue;
			tid = strtoll(de->d_name, NULL, 10);
			if (tid == pid || (only_tid > 0 && tid != only_tid))
				continue;
			pathf(tdir, sizeof(tdir), "%s/%s", tasks, de->d_name);
			if (!read_thread(c->procfs, tdir, tid, &c->tb))
				continue;
			c->tb.t.pid = pid;
			c->ops->thread(c->ctx, &c->tb.t);
			c->stats->threads++;
		}
		closedir(d);
	}
	scan_fds(c, pdir, pid);
}

int proc_scan_all(const char *procfs, const struct proc_scan_ops *ops, void *ctx,
		  struct proc_scan_stats *stats)
{
	struct proc_scan_stats local;
	struct scan_ctx *c;
	struct dirent *de;
	DIR *d;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	d = opendir(procfs);
	if (!d)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c) {
		closedir(d);
		return -ENOMEM;
	}
	c->procfs = procfs;
	c->ops = ops;
	c->ctx = ctx;
	c->stats = stats;
	while ((de = readdir(d)))
		if (all_digits(de->d_name))
			scan_process(c, strtoll(de->d_name, NULL, 10), 0);
	closedir(d);
	free_tables(c);
	free(c);
	return 0;
}

bool proc_scan_tid(const char *procfs, int64_t tid, bool with_main,
		   const struct proc_scan_ops *ops, void *ctx)
{
	struct proc_scan_stats stats = { 0 };
	char dir[PATH_BUF], buf[256];
	struct scan_ctx *c;
	int64_t pid = -1;
	const char *p;

	/* the process of a thread: Tgid of /proc/TID/status (reachable even for threads) */
	pathf(dir, sizeof(dir), "%s/%" PRId64 "/status", procfs, tid);
	if (read_text(dir, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "Tgid:");
	if (!p)
		return false;
	pid = strtoll(p + 5, NULL, 10);
	c = calloc(1, sizeof(*c));
	if (!c)
		return false;
	c->procfs = procfs;
	c->ops = ops;
	c->ctx = ctx;
	c->stats = &stats;
	if (pid == tid || with_main) {
		scan_process(c, pid, pid == tid ? -1 : tid);
	} else {
		pathf(dir, sizeof(dir), "%s/%" PRId64 "/task/%" PRId64, procfs, pid, tid);
		if (read_thread(procfs, dir, tid, &c->tb)) {
			c->tb.t.pid = pid;
			ops->thread(ctx, &c->tb.t);
			stats.threads++;
		}
	}
	free_tables(c);
	free(c);
	return stats.threads > 0;
}

/* ---------------------------------------------------------------- machine */

void proc_scan_machine(const char *procfs, struct scap_machine *mi)
{
	char path[PATH_BUF], buf[64];
	struct timespec rt, bt;
	struct sysinfo si;

	memset(mi, 0, sizeof(*mi));
	mi->present = true;
	if (gethostname(mi->hostname, sizeof(mi->hostname) - 1) != 0)
		mi->hostname[0] = 0;
	mi->num_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (sysinfo(&si) == 0)
		mi->memory_bytes = (uint64_t)si.totalram * si.mem_unit;
	pathf(path, sizeof(path), "%s/sys/kernel/pid_max", procfs);
	mi->max_pid = read_text(path, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 10) : 32768;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	mi->boot_ts_epoch = (uint64_t)(rt.tv_sec - bt.tv_sec) * 1000000000ull +
			    (uint64_t)rt.tv_nsec - (uint64_t)bt.tv_nsec;
}

int proc_scan_ifaces(void (*fn)(void *ctx, const struct scap_iface *ifc), void *ctx)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) != 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		struct scap_iface r;

		if (!i->ifa_addr)
			continue;
		memset(&r, 0, sizeof(r));
		r.name = i->ifa_name;
		if (i->ifa_addr->sa_family == AF_INET) {
			r.family = 4;
			memcpy(r.addr, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
			if (i->ifa_netmask)
				memcpy(r.netmask,
				       &((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			r.family = 6;
			memcpy(r.addr, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
			if (i->ifa_netmask)
				memcpy(r.netmask,
				       &((struct sockaddr_in6 *)(void *)i->ifa_netmask)->sin6_addr, 16);
		} else {
			continue;
		}
		fn(ctx, &r);
	}
	freeifaddrs(ifa);
	return 0;
}
