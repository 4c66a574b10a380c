// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_profile BDF: where the time and the memory of a BAR mmap()+munmap()
 * through the device fd go, function by function (make bench-profile boots
 * it on the base kernel and on the patched one, built with ftrace).
 *
 * A traced call costs more than most of the functions it measures, so a
 * trace of everything shows the call tree but not the times. The times
 * come from timing each function alone. make bench-profile runs this under
 * QEMU's -icount shift=0, where the guest's clock counts instructions (one
 * per ns): every "ns" here is then an instruction, and a run is the same
 * every time.
 *
 * 1. The loop untraced (current_tracer nop): the time of an iteration, the
 *    minimum over REPS rounds of ITERS iterations.
 * 2. The call tree: the function_graph tracer on everything called from
 *    __x64_sys_mmap(), __x64_sys_munmap() and task_work_run() (the last
 *    fput() of a file runs on the way back to user space), for this process
 *    only, pinned to CPU 0, interrupts left out: TRACED iterations, each
 *    line of the trace printed as "# FG <line>".
 * 3. Every function of that tree timed alone: the only function ftrace
 *    hooks (set_ftrace_filter), SOLO iterations, its calls and the median
 *    and minimum of their durations, "# TIME <function> <calls per 1000
 *    iterations> <median ns> <min ns>", and the median of each of its calls
 *    in an iteration, "# SITE <function> <i> <median ns>".
 *    Such a time still holds the part of the tracer's own cost that falls
 *    between its two clock reads: path_noexec(), a function of two loads,
 *    is timed the same way as the measure of it ("# TIME" too).
 * 4. The slab objects a live mapping holds, per cache: NLIVE mappings kept
 *    at once, /proc/slabinfo before and after, "# SLAB <cache> <objects per
 *    1000 mappings>" for every cache that grew by at least half an object
 *    per mapping.
 *
 * TAP: one test per step; a step fails if its facility is missing (tracefs,
 * the function_graph tracer, /proc/slabinfo) or recorded nothing.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <time.h>

#include "vfio_util.h"

#define PROG	"vfio_profile"
#define TRACING	"/sys/kernel/tracing"
#define ITERS	2000
#define REPS	5
#define TRACED	20
#define SOLO	100
#define NFUNCS	512
#define NLIVE	10000
#define NCACHES	256

static int tests, failed;
static char funcs[NFUNCS][64];
static int nfuncs;
static void *bar_addr;
static uint64_t bar_size, bar_offset;
static int dev_fd;

static void ok(int pass, const char *what)
{
	printf("%sok %d %s\n", pass ? "" : "not ", ++tests, what);
	failed += !pass;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Write @val to the tracefs file @file, replacing what it held or, with
 * @append, adding to it: 0, or -1 with a message
 */
static int trace_put(const char *file, const char *val, int append)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), TRACING "/%s", file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	if (ret)
		printf("# %s <- '%s': %s\n", path, val, strerror(errno));
	close(fd);
	return ret;
}

static int trace_write(const char *file, const char *val)
{
	return trace_put(file, val, 0);
}

/* The functions whose calls are traced, with all they call */
static const char * const roots[] = {
	"__x64_sys_mmap", "__x64_sys_munmap", "task_work_run",
};

/* Print up to 10 traceable functions whose names contain @part */
static void traceable_like(const char *part)
{
	char line[256];
	FILE *f = fopen(TRACING "/available_filter_functions", "r");
	int n = 0;

	while (f && n < 10 && fgets(line, sizeof(line), f))
		if (strstr(line, part)) {
			printf("# traceable: %s", line);
			n++;
		}
	if (f)
		fclose(f);
	if (!n)
		printf("# no traceable function contains '%s'\n", part);
}

static int set_roots(void)
{
	unsigned int i;

	if (trace_write("set_graph_function", ""))
		return -1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (trace_put("set_graph_function", roots[i], 1)) {
			traceable_like(roots[i] + 6);
			return -1;
		}
	return 0;
}

/* The largest mmap()able BAR of the device */
static int find_bar(void)
{
	struct vfio_region_info r = { .argsz = sizeof(r) };
	int i;

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		r.index = i;
		if (ioctl(dev_fd, VFIO_DEVICE_GET_REGION_INFO, &r))
			continue;
		if ((r.flags & VFIO_REGION_INFO_FLAG_MMAP) && r.size > bar_size) {
			bar_size = r.size;
			bar_offset = r.offset;
		}
	}
	return bar_size ? 0 : -1;
}

/*
 * Every mapping at the same address, 1 GiB aligned, with nothing else in
 * its 1 GiB: munmap() then has no page table of a neighbour to walk, which
 * would cost as much as the rest of it and depend on where mmap() put the
 * mapping, not on the kernel.
 */
#define BAR_HINT	((void *)0x7e0000000000ul)

static void map_unmap(void)
{
	bar_addr = mmap(BAR_HINT, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			dev_fd, bar_offset);
	if (bar_addr == MAP_FAILED)
		die(PROG, "mmap");
	munmap(bar_addr, bar_size);
}

/* ns per iteration of @n iterations of the loop */
static uint64_t loop(int n)
{
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < n; i++)
		map_unmap();
	return (now_ns() - t0) / n;
}

static int untraced(void)
{
	uint64_t best = UINT64_MAX, t;
	int r;

	if (trace_write("current_tracer", "nop"))
		return -1;
	loop(ITERS / 10);
	if (bar_addr != BAR_HINT) {
		printf("# the BAR was mapped at %p, not at %p\n", bar_addr, BAR_HINT);
		return -1;
	}
	for (r = 0; r < REPS; r++) {
		t = loop(ITERS);
		if (t < best)
			best = t;
	}
	printf("# BENCH untraced_ns %d %llu %llu ns/iteration\n", ITERS,
	       (unsigned long long)best, (unsigned long long)best);
	return 0;
}

static int traced(void)
{
	char pid[32];
	uint64_t t;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (trace_write("tracing_on", "0") ||
	    trace_write("current_tracer", "nop") ||
	    trace_write("buffer_size_kb", "32768") ||
	    set_roots() ||
	    trace_write("set_ftrace_pid", pid) ||
	    trace_write("max_graph_depth", "0") ||
	    trace_write("options/funcgraph-irqs", "0") ||
	    trace_write("options/funcgraph-tail", "1") ||
	    trace_write("options/funcgraph-proc", "0") ||
	    trace_write("options/funcgraph-cpu", "1") ||
	    trace_write("options/funcgraph-overhead", "0") ||
	    trace_write("options/sleep-time", "1") ||
	    trace_write("current_tracer", "function_graph"))
		return -1;
	/* Warm the paths with the tracer on, then trace a clean set */
	trace_write("tracing_on", "1");
	loop(TRACED);
	trace_write("tracing_on", "0");
	if (trace_write("trace", ""))
		return -1;
	trace_write("tracing_on", "1");
	t = loop(TRACED);
	trace_write("tracing_on", "0");
	printf("# BENCH traced_ns %d %llu %llu ns/iteration\n", TRACED,
	       (unsigned long long)t, (unsigned long long)t);
	return 0;
}

/* Note the function of a line of the trace, once */
static void add_func(const char *line)
{
	const char *p = strchr(line, '|');
	char name[64];
	int i, len = 0;

	if (!p)
		return;
	for (p++; *p == ' '; p++)
		;
	while (len < 63 && (isalnum((unsigned char)p[len]) || p[len] == '_' ||
			    p[len] == '.'))
		len++;
	if (!len || p[len] != '(')
		return;
	memcpy(name, p, len);
	name[len] = 0;
	for (i = 0; i < nfuncs; i++)
		if (!strcmp(funcs[i], name))
			return;
	if (nfuncs < NFUNCS)
		strcpy(funcs[nfuncs++], name);
}

/* Print the trace as "# FG" lines: the number of lines printed */
static long dump_trace(void)
{
	char line[1024];
	long n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f) {
		printf("# " TRACING "/trace: %s\n", strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		printf("# FG %s", line);
		add_func(line);
		n++;
	}
	fclose(f);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A function called k times in every iteration is called from up to k
 * places, each with a cost of its own (fput() of the last reference or
 * not): the i-th call of an iteration is the same call every time. Print
 * "# SITE <fn> <i> <median ns>" for each i, over the iterations, if
 * every iteration made the same number of calls.
 */
static void sites(const char *fn, const double *us, long calls)
{
	static double v[SOLO];
	long k = calls / SOLO, i, it;

	if (!k || k > 64 || calls % SOLO)
		return;
	for (i = 0; i < k; i++) {
		for (it = 0; it < SOLO; it++)
			v[it] = us[it * k + i];
		qsort(v, SOLO, sizeof(v[0]), cmp_double);
		printf("# SITE %s %ld %.0f\n", fn, i, v[SOLO / 2] * 1000);
	}
}

/*
 * Time @fn alone: the only function hooked, SOLO iterations traced. Prints
 * "# TIME <fn> <calls per iteration, x1000> <median ns> <min ns>" of its
 * calls: 0, or -1 if it could not be traced.
 */
static int time_alone(const char *fn)
{
	static double us[SOLO * 64];
	char line[512];
	long calls = 0;
	FILE *f;

	/*
	 * The tracer stays on from traced() to the end: started again, 7.3
	 * under TCG jumps to a trampoline that is no longer executable.
	 */
	if (trace_write("tracing_on", "0") ||
	    trace_write("set_graph_function", "") ||
	    trace_write("set_ftrace_filter", fn))
		return -1;
	trace_write("tracing_on", "1");
	loop(SOLO / 10);
	trace_write("tracing_on", "0");
	trace_write("trace", "");
	trace_write("tracing_on", "1");
	loop(SOLO);
	trace_write("tracing_on", "0");
	f = fopen(TRACING "/trace", "r");
	if (!f)
		return -1;
	while (calls < SOLO * 64 && fgets(line, sizeof(line), f)) {
		char *bar = strchr(line, '|'), *cpu = strchr(line, ')');

		if (line[0] == '#' || !bar || !cpu || cpu > bar || !strstr(bar, fn))
			continue;
		/* " 0)   1.234 us    |  fn();": the duration before the bar */
		*bar = 0;
		if (sscanf(cpu + 1, " %lf us", &us[calls]) == 1)
			calls++;
	}
	fclose(f);
	sites(fn, us, calls);
	qsort(us, calls, sizeof(us[0]), cmp_double);
	printf("# TIME %s %ld %.0f %.0f\n", fn, calls * 1000 / SOLO,
	       calls ? us[calls / 2] * 1000 : 0, calls ? us[0] * 1000 : 0);
	return 0;
}

/* Time each function of the call tree alone: the number timed */
static int time_each(void)
{
	int i, n = 0;

	n += !time_alone("path_noexec");
	for (i = 0; i < nfuncs; i++)
		n += !time_alone(funcs[i]);
	trace_write("tracing_on", "0");
	return n;
}

struct cache {
	char name[64];
	long objs;
};

/* Active objects per cache from /proc/slabinfo: the number of caches */
static int slabinfo(struct cache *c)
{
	char line[512];
	unsigned long active;
	FILE *f = fopen("/proc/slabinfo", "r");
	int n = 0;

	if (!f)
		return 0;
	while (n < NCACHES && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu", c[n].name, &active) == 2 &&
		    c[n].name[0] != '#')
			c[n++].objs = active;
	fclose(f);
	return n;
}

static int slab_per_mapping(void)
{
	static struct cache before[NCACHES], after[NCACHES];
	static void *maps[NLIVE];
	int nb, na, i, j, shown = 0;

	sleep(1);	/* deferred frees of the loops above */
	nb = slabinfo(before);
	for (i = 0; i < NLIVE; i++) {
		maps[i] = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			       MAP_SHARED, dev_fd, bar_offset);
		if (maps[i] == MAP_FAILED)
			die(PROG, "mmap");
	}
	na = slabinfo(after);
	for (i = 0; i < NLIVE; i++)
		munmap(maps[i], getpagesize());
	for (j = 0; j < na; j++) {
		long d = after[j].objs;

		for (i = 0; i < nb; i++)
			if (!strcmp(before[i].name, after[j].name))
				d -= before[i].objs;
		d = d * 1000 / NLIVE;
		if (d >= 500) {
			printf("# SLAB %s %ld\n", after[j].name, d);
			shown++;
		}
	}
	return nb && na && shown ? 0 : -1;
}

int main(int argc, char **argv)
{
	cpu_set_t cpu;
	int iommufd;
	long lines;
	int timed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", PROG);
		return 2;
	}
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu))
		die(PROG, "sched_setaffinity");
	if (access(TRACING "/trace", F_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	dev_fd = vfio_open_bdf(PROG, argv[1], &iommufd);
	if (find_bar()) {
		fprintf(stderr, "%s: %s has no mmap()able BAR\n", PROG, argv[1]);
		return 1;
	}

	printf("TAP version 13\n1..5\n");
	printf("# %s: BAR of %llu bytes at offset 0x%llx\n", argv[1],
	       (unsigned long long)bar_size, (unsigned long long)bar_offset);
	ok(!untraced(), "mmap()+munmap() untraced");
	ok(!traced(), "mmap()+munmap() with the function_graph tracer");
	lines = dump_trace();
	printf("# %ld lines of trace\n", lines);
	ok(lines > TRACED, "trace recorded");
	timed = time_each();
	printf("# %d of %d functions timed alone\n", timed, nfuncs + 1);
	ok(timed > nfuncs / 2, "functions timed alone");
	ok(!slab_per_mapping(), "slab objects per live mapping");
	close(dev_fd);
	close(iommufd);
	return failed ? 1 : 0;
}
