/* SPDX-License-Identifier: Apache-2.0
 *
 * Figures of this process and of the host for the resource metrics, read from /proc (and
 * $HOST_ROOT/proc for host-wide ones, as Falco's libs do when running in a container).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/times.h>
#include <unistd.h>

#include "metrics_priv.h"

static const char *host_root(void)
{
	const char *r = getenv("HOST_ROOT");

	return r ? r : "";
}

/* value (kB) of "Key:" in a /proc status-like file, or -1 */
static long long proc_kv(const char *path, const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static bool read_first_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (ok)
		*v = x;
	return ok;
}

static double process_cpu_ratio(void)
{
	char buf[1024], path[300], *p;
	double uptime = 0, start;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long starttime = 0;
	struct tms tm;
	FILE *f;
	int field;

	if (hz <= 0)
		hz = 100;
	snprintf(path, sizeof(path), "%s/proc/uptime", host_root());
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lf", &uptime) != 1) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	/* field 22 is starttime; fields after the ")" of the command name start at 3 */
	p = strrchr(buf, ')');
	for (field = 2; p && *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (p)
		starttime = strtoull(p, NULL, 10);
	start = (double)starttime / (double)hz;
	if (times(&tm) == (clock_t)-1 || uptime - start <= 0)
		return 0;
	return ((double)(tm.tms_utime + tm.tms_stime) / (double)hz) / (uptime - start);
}

static double host_cpu_ratio(uint64_t *procs_running)
{
	char line[512], path[300];
	unsigned long long u = 0, n = 0, s = 0, idle = 0, io = 0, irq = 0, sirq = 0, sum;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/stat", host_root());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "cpu ", 4))
			sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io,
			       &irq, &sirq);
		else if (!strncmp(line, "procs_running ", 14))
			*procs_running = strtoull(line + 14, NULL, 10);
	}
	fclose(f);
	sum = u + n + s + idle + io + irq + sirq;
	return sum ? 1.0 - (double)idle / (double)sum : 0;
}

uint64_t metrics_boot_ts_ns(void)
{
	char line[256], path[300];
	uint64_t bt = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/stat", host_root());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "btime ", 6)) {
			bt = strtoull(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return bt * 1000000000u;
}

static uint64_t container_memory(void)
{
	const char *env = getenv("FALCO_CGROUP_MEM_PATH");
	uint64_t v = 0;

	if (env && read_first_u64(env, &v))
		return v;
	if (read_first_u64("/sys/fs/cgroup/memory.current", &v))
		return v;
	if (read_first_u64("/sys/fs/cgroup/memory/memory.usage_in_bytes", &v))
		return v;
	return 0;
}

void metrics_host_usage(struct host_usage *u)
{
	char path[300];
	long long v, tot, fr, bu, ca;

	memset(u, 0, sizeof(*u));
	u->cpu_ratio = process_cpu_ratio();
	v = proc_kv("/proc/self/status", "VmRSS");
	u->rss_kb = v > 0 ? (uint64_t)v : 0;
	v = proc_kv("/proc/self/status", "VmSize");
	u->vsz_kb = v > 0 ? (uint64_t)v : 0;
	v = proc_kv("/proc/self/smaps_rollup", "Pss");
	u->pss_kb = v > 0 ? (uint64_t)v : 0;
	u->container_mem_b = container_memory();
	u->host_cpu_ratio = host_cpu_ratio(&u->procs_running);
	snprintf(path, sizeof(path), "%s/proc/meminfo", host_root());
	tot = proc_kv(path, "MemTotal");
	fr = proc_kv(path, "MemFree");
	bu = proc_kv(path, "Buffers");
	ca = proc_kv(path, "Cached");
	if (tot > 0 && fr >= 0 && bu >= 0 && ca >= 0 && tot >= fr + bu + ca)
		u->host_mem_used_kb = (uint64_t)(tot - fr - bu - ca);
	snprintf(path, sizeof(path), "%s/proc/sys/fs/file-nr", host_root());
	read_first_u64(path, &u->open_fds);
}
