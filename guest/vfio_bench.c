// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_bench [--smoke | --reps N] EDU IVSHMEM_64M IVSHMEM_1G: what BAR
 * mmap() through DMABUFs costs, measured the same way on the base kernel
 * and on the patched one (make bench boots both).
 *
 * Output: TAP whose tests are the fault counts of touching each BAR (through
 * the device fd and through a DMABUF), which must be what the BAR's size
 * and alignment allow; every other measurement is a diagnostic, "# measured:"
 * (it cannot fail), and a line per result,
 *   # BENCH <metric> <x> <min> <median> <unit>
 * over the repetitions (exact counts have min == median).  What only the
 * patched kernel has (mmap() of a DMABUF, REVOKE) is skipped (touch) or
 * "# not measured:" on the base kernel.
 *
 * --smoke (make check): one repetition of everything and smaller counts.
 * The fault counts are asserted in both modes: every 4 KiB page of a BAR
 * touched takes one fault per page, PMD or PUD sized block, as its size and
 * alignment allow, through the device fd and through a DMABUF alike.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "vfio_util.h"

#define PROG "vfio_bench"

static bool smoke;
static int reps = 5;
static int page;
static int tests, failed;
static bool patched;

#define PMD_SIZE	(2ull << 20)
#define PUD_SIZE	(1ull << 30)

static void ok(bool pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", pass ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed += !pass;
}

/* A measurement, which cannot fail: a TAP diagnostic, not a test */
static void measured(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void measured(const char *fmt, ...)
{
	va_list ap;

	printf("# measured: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void unmeasured(const char *what, const char *why)
{
	printf("# not measured: %s: %s\n", what, why);
}

static void skip(const char *what, const char *why)
{
	printf("ok %d %s # SKIP %s\n", ++tests, what, why);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print the min and median of @n samples */
static void result(const char *metric, uint64_t x, uint64_t *v, int n,
		   const char *unit)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("# BENCH %s %llu %llu %llu %s\n", metric, (unsigned long long)x,
	       (unsigned long long)v[0], (unsigned long long)v[n / 2], unit);
}

struct dev {
	const char *name, *bdf;
	int fd, iommufd, bar;
	uint64_t size, offset;
};

static void open_dev(struct dev *d)
{
	struct vfio_region_info r = { .argsz = sizeof(r) };
	int i;

	d->fd = vfio_open_bdf(PROG, d->bdf, &d->iommufd);
	d->size = 0;
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		r.index = i;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &r))
			continue;
		if ((r.flags & VFIO_REGION_INFO_FLAG_MMAP) && r.size > d->size) {
			d->bar = i;
			d->size = r.size;
			d->offset = r.offset;
		}
	}
	if (!d->size) {
		fprintf(stderr, "%s: %s has no mmap()able BAR\n", PROG, d->bdf);
		exit(1);
	}
}

static void close_dev(struct dev *d)
{
	close(d->fd);
	close(d->iommufd);
}

/* A free address aligned to @align with room for @len + @align after it */
static uint64_t free_address(uint64_t len, uint64_t align)
{
	char *p = mmap(NULL, len + 2 * align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die(PROG, "mmap reserve");
	munmap(p, len + 2 * align);
	return ((uint64_t)p + align - 1) & ~(align - 1);
}

/* mmap() @len of @fd at @off, at an address aligned to @align and no more */
static void *map_aligned(int fd, uint64_t off, uint64_t len, uint64_t align)
{
	uint64_t a = free_address(len, align);
	void *p;

	if (!(a & (2 * align - 1)) && 2 * align <= PUD_SIZE)
		a += align;	/* aligned to @align, not to twice it */
	p = mmap((void *)a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, off);
	return p == MAP_FAILED ? NULL : p;
}

/* The faults a touch of every page takes: a fault per page or block */
static long expected_faults(uint64_t len, uint64_t align)
{
	if (align >= PUD_SIZE && len >= PUD_SIZE)
		return len / PUD_SIZE;
	if (align >= PMD_SIZE && len >= PMD_SIZE)
		return len / PMD_SIZE;
	return len / page;
}

/* Export the whole BAR of @d as one DMABUF */
static int export_bar(struct dev *d)
{
	struct vfio_region_dma_range r = { 0, d->size };
	int fd = vfio_export_dmabuf(d->fd, d->bar, &r, 1);

	if (fd < 0)
		die(PROG, "DMABUF export");
	return fd;
}

/* Touch every 4 KiB page of @d's BAR mapped through @fd at @off */
static void touch(struct dev *d, const char *how, int fd, uint64_t off,
		  uint64_t align)
{
	uint64_t ns[64], faults[64];
	char metric[64];
	long expected = expected_faults(d->size, align), f0;
	bool same = true;
	int r;

	for (r = 0; r < reps; r++) {
		/* 32-bit reads: edu's registers take no narrower access */
		volatile uint32_t *p = map_aligned(fd, off, d->size, align);
		uint64_t o, t0;

		if (!p)
			die(PROG, "mmap of the BAR");
		/* Warm up what the measurement itself faults in */
		t0 = now_ns();
		f0 = minflt();
		t0 = now_ns();
		for (o = 0; o < d->size; o += page)
			(void)p[o / 4];
		ns[r] = now_ns() - t0;
		faults[r] = minflt() - f0;
		same &= (long)faults[r] == expected;
		munmap((void *)p, d->size);
	}
	snprintf(metric, sizeof(metric), "touch_%s_%s_faults", how, d->name);
	result(metric, d->size >> 20, faults, reps, "faults");
	snprintf(metric, sizeof(metric), "touch_%s_%s_time", how, d->name);
	result(metric, d->size >> 20, ns, reps, "ns");
	ok(same,
	   "touch %s %llu MiB through %s at %llu KiB alignment: %llu faults (expected %ld)",
	   d->name, (unsigned long long)d->size >> 20, how,
	   (unsigned long long)align >> 10, (unsigned long long)faults[0],
	   expected);
}

static void bench_touch(struct dev *d, uint64_t align)
{
	int fd;

	touch(d, "devfd", d->fd, d->offset, align);
	if (!patched) {
		skip("touch through a DMABUF", "base kernel: no DMABUF mmap()");
		return;
	}
	fd = export_bar(d);
	touch(d, "dmabuf", fd, 0, align);
	close(fd);
}

/* mmap()+munmap() of the whole BAR through the device fd, each timed */
static void bench_mmap_munmap(struct dev *d)
{
	int iters = smoke ? 100 : 10000, r, i;
	uint64_t ns[64], map_ns[64], unmap_ns[64], t0, t1, t2;

	for (r = 0; r < reps; r++) {
		map_ns[r] = unmap_ns[r] = 0;
		for (i = 0; i < iters; i++) {
			void *p;

			t0 = now_ns();
			p = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, d->fd, d->offset);
			t1 = now_ns();
			if (p == MAP_FAILED)
				die(PROG, "mmap");
			/* The DMABUF is released on the way out of munmap() */
			munmap(p, d->size);
			t2 = now_ns();
			map_ns[r] += t1 - t0;
			unmap_ns[r] += t2 - t1;
		}
		ns[r] = (map_ns[r] + unmap_ns[r]) / iters;
		map_ns[r] /= iters;
		unmap_ns[r] /= iters;
	}
	result("mmap_munmap", iters, ns, reps, "ns/iteration");
	result("mmap", iters, map_ns, reps, "ns/iteration");
	result("munmap", iters, unmap_ns, reps, "ns/iteration");
	measured("mmap()+munmap() of %s BAR%d, %d iterations x %d", d->name,
	   d->bar, iters, reps);
}

/* mmap()+munmap() of an exported DMABUF of the whole BAR: no DMABUF made */
static void bench_dmabuf_mmap_munmap(struct dev *d)
{
	int iters = smoke ? 100 : 10000, r, i, fd;
	uint64_t ns[64], t0;

	if (!patched) {
		unmeasured("mmap()+munmap() of a DMABUF", "base kernel: no DMABUF mmap()");
		return;
	}
	fd = export_bar(d);
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			void *p = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);

			if (p == MAP_FAILED)
				die(PROG, "mmap of the DMABUF");
			munmap(p, d->size);
		}
		ns[r] = (now_ns() - t0) / iters;
	}
	close(fd);
	result("dmabuf_mmap_munmap", iters, ns, reps, "ns/iteration");
	measured("mmap()+munmap() of a DMABUF of %s BAR%d, %d iterations x %d",
	   d->name, d->bar, iters, reps);
}

/*
 * Export and close of a one-page DMABUF: what creating and releasing a
 * DMABUF costs, on the base kernel too, which can export but not map one.
 */
static void bench_export_close(struct dev *d)
{
	int iters = smoke ? 100 : 10000, r, i, fd;
	struct vfio_region_dma_range range = { 0, page };
	uint64_t ns[64], t0;

	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			fd = vfio_export_dmabuf(d->fd, d->bar, &range, 1);
			if (fd < 0)
				die(PROG, "DMABUF export");
			close(fd);
		}
		ns[r] = (now_ns() - t0) / iters;
	}
	result("export_close", iters, ns, reps, "ns/iteration");
	measured("DMABUF export+close of a page of %s BAR%d, %d iterations x %d",
	   d->name, d->bar, iters, reps);
}

/* Slab objects and bytes in use, from /proc/slabinfo */
static void slab_usage(uint64_t *objs, uint64_t *bytes)
{
	char line[512], name[64];
	unsigned long active, num, size;
	FILE *f = fopen("/proc/slabinfo", "r");

	*objs = *bytes = 0;
	if (!f)
		die(PROG, "/proc/slabinfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num,
			   &size) == 4) {
			*objs += active;
			*bytes += (uint64_t)active * size;
		}
	fclose(f);
}

/* Slab memory in kB, from /proc/meminfo: whole slab pages, all caches */
static uint64_t slab_kb(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die(PROG, "/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Kernel memory per live BAR mapping of the device fd */
static void bench_slab(struct dev *d)
{
	int n = smoke ? 16 : 10000, r, i;
	uint64_t objs[64], bytes[64], pages[64], o0, b0, o1, b1, k0, k1;
	int64_t delta;
	void **maps = calloc(n, sizeof(*maps));

	for (r = 0; r < reps; r++) {
		sleep(1);	/* let deferred frees of the last round finish */
		slab_usage(&o0, &b0);
		k0 = slab_kb();
		for (i = 0; i < n; i++) {
			maps[i] = mmap(NULL, page, PROT_READ | PROT_WRITE,
				       MAP_SHARED, d->fd, d->offset);
			if (maps[i] == MAP_FAILED)
				die(PROG, "mmap");
		}
		slab_usage(&o1, &b1);
		k1 = slab_kb();
		for (i = 0; i < n; i++)
			munmap(maps[i], page);
		/* Per-CPU slabs move the totals a slab at a time: clamp at 0 */
		delta = (int64_t)(o1 - o0);
		objs[r] = delta > 0 ? (delta + n / 2) / n : 0;
		delta = (int64_t)(b1 - b0);
		bytes[r] = delta > 0 ? (delta + n / 2) / n : 0;
		delta = (int64_t)(k1 - k0) * 1024;
		pages[r] = delta > 0 ? (delta + n / 2) / n : 0;
	}
	result("slab_objects_per_mapping", n, objs, reps, "objects");
	result("slab_bytes_per_mapping", n, bytes, reps, "bytes");
	result("slab_page_bytes_per_mapping", n, pages, reps, "bytes");
	measured("slab use of %d live BAR mappings", n);
	free(maps);
}

static int feature_set(int dev, uint32_t feature, void *data, size_t size)
{
	struct {
		struct vfio_device_feature hdr;
		uint64_t data[2];
	} f = {
		.hdr.argsz = sizeof(f.hdr) + size,
		.hdr.flags = VFIO_DEVICE_FEATURE_SET | feature,
	};

	memcpy(f.data, data, size);
	return ioctl(dev, VFIO_DEVICE_FEATURE, &f);
}

/* REVOKE latency against the number of live mappings of the buffer */
static void bench_revoke(struct dev *d)
{
	static const int counts[] = { 1, 4, 16, 64, 256, 1024 };
	int nc = smoke ? 2 : 6, c, r, i;
	uint64_t ns[64];
	void **maps;

	if (!patched) {
		unmeasured("REVOKE latency", "base kernel: no REVOKE");
		return;
	}
	maps = calloc(1024, sizeof(*maps));
	for (c = 0; c < nc; c++) {
		for (r = 0; r < reps; r++) {
			struct vfio_region_dma_range range = { 0, page };
			struct vfio_device_feature_dma_buf_revoke rv;
			int fd = vfio_export_dmabuf(d->fd, d->bar, &range, 1);
			uint64_t t0;

			if (fd < 0)
				die(PROG, "export");
			for (i = 0; i < counts[c]; i++) {
				maps[i] = mmap(NULL, page, PROT_READ, MAP_SHARED,
					       fd, 0);
				if (maps[i] == MAP_FAILED)
					die(PROG, "mmap of the DMABUF");
				(void)*(volatile uint32_t *)maps[i];
			}
			rv.dmabuf_fd = fd;
			t0 = now_ns();
			if (feature_set(d->fd, VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
					&rv, sizeof(rv)))
				die(PROG, "REVOKE");
			ns[r] = now_ns() - t0;
			for (i = 0; i < counts[c]; i++)
				munmap(maps[i], page);
			close(fd);
		}
		result("revoke_vs_mappings", counts[c], ns, reps, "ns");
	}
	measured("REVOKE with up to %d live mappings", counts[nc - 1]);
	free(maps);
}

/* Close of the device fd against the number of buffers it exported */
static void bench_close(struct dev *d)
{
	static const int counts[] = { 1, 4, 16, 64, 256, 1024 };
	int nc = smoke ? 2 : 6, c, r, i;
	struct rlimit rl;
	uint64_t ns[64];
	int *fds = calloc(1024, sizeof(*fds));

	/* 1024 buffers and the program's own fds: raise the soft limit */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die(PROG, "getrlimit");
	if (rl.rlim_cur < 1024 + 64) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die(PROG, "setrlimit");
	}
	while (nc > 0 && (rlim_t)counts[nc - 1] + 64 > rl.rlim_cur)
		nc--;
	close_dev(d);
	for (c = 0; c < nc; c++) {
		for (r = 0; r < reps; r++) {
			struct vfio_region_dma_range range = { 0, page };
			uint64_t t0;

			open_dev(d);
			for (i = 0; i < counts[c]; i++) {
				fds[i] = vfio_export_dmabuf(d->fd, d->bar,
							    &range, 1);
				if (fds[i] < 0)
					die(PROG, "export");
			}
			t0 = now_ns();
			close(d->fd);
			ns[r] = now_ns() - t0;
			close(d->iommufd);
			for (i = 0; i < counts[c]; i++)
				close(fds[i]);
		}
		result("close_vs_buffers", counts[c], ns, reps, "ns");
	}
	open_dev(d);
	measured("device close with up to %d buffers", counts[nc - 1]);
	free(fds);
}

/*
 * Map @pages of DMABUF @fd one page past a PMD boundary: the last page's
 * PMD block is never inside the mapping, so its fault is a page fault at
 * every size, with no huge fault tried first.
 */
static volatile uint32_t *map_ranges(int fd, int pages)
{
	size_t len = (size_t)pages * page;
	void *p;

	p = mmap((void *)(free_address(len, PMD_SIZE) + page), len, PROT_READ,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		die(PROG, "mmap of the DMABUF");
	return p;
}

/* A fault in the last range of a buffer of K one-page ranges */
static void bench_ranges(struct dev *d)
{
	static const int counts[] = { 1, 4, 16, 64, 256, 1024 };
	int nc = smoke ? 2 : 6, per = smoke ? 4 : 64, c, r, i, fd;
	struct vfio_region_dma_range *ranges;
	uint64_t ns[64], best, t0, t;

	if (!patched) {
		unmeasured("fault cost against ranges", "base kernel: no DMABUF mmap()");
		return;
	}
	if (d->size < 2048ull * page) {
		unmeasured("fault cost against ranges", "BAR smaller than 2048 pages");
		return;
	}
	ranges = calloc(1024, sizeof(*ranges));
	for (c = 0; c < nc; c++) {
		/* Every other page of the BAR, so no two ranges touch */
		for (i = 0; i < counts[c]; i++) {
			ranges[i].offset = 2ull * i * page;
			ranges[i].length = page;
		}
		fd = vfio_export_dmabuf(d->fd, d->bar, ranges, counts[c]);
		if (fd < 0)
			die(PROG, "export of the ranges");
		for (r = 0; r < reps; r++) {
			/* The cheapest of @per faults: timer and TCG noise out */
			best = UINT64_MAX;
			for (i = 0; i < per; i++) {
				volatile uint32_t *p = map_ranges(fd, counts[c]);

				t0 = now_ns();
				(void)p[(size_t)(counts[c] - 1) * page / 4];
				t = now_ns() - t0;
				best = t < best ? t : best;
				munmap((void *)p, (size_t)counts[c] * page);
			}
			ns[r] = best;
		}
		close(fd);
		result("fault_vs_ranges", counts[c], ns, reps, "ns");
	}
	measured("fault in the last of up to %d ranges", counts[nc - 1]);
	free(ranges);
}

int main(int argc, char **argv)
{
	struct dev edu = { .name = "edu" }, shm = { .name = "ivshmem64M" },
		   big = { .name = "ivshmem1G" };
	struct vfio_region_dma_range range;
	void *p;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--smoke")) {
			smoke = true;
			reps = 1;
		} else if (!strcmp(argv[1], "--reps") && argc > 2) {
			reps = atoi(argv[2]);
			argv++, argc--;
		}
		argv++, argc--;
	}
	if (argc != 4 || reps < 1 || reps > 64) {
		fprintf(stderr, "usage: %s [--smoke | --reps N (1-64)] EDU IVSHMEM_64M IVSHMEM_1G\n",
			PROG);
		return 2;
	}
	edu.bdf = argv[1];
	shm.bdf = argv[2];
	big.bdf = argv[3];
	page = getpagesize();
	open_dev(&edu);
	open_dev(&shm);
	open_dev(&big);

	/* The series is there if a DMABUF can be mmap()ed */
	range = (struct vfio_region_dma_range){ 0, page };
	fd = vfio_export_dmabuf(edu.fd, edu.bar, &range, 1);
	if (fd < 0)
		die(PROG, "DMABUF export");
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	patched = p != MAP_FAILED;
	if (patched)
		munmap(p, page);
	close(fd);

	printf("TAP version 13\n1..6\n");
	printf("# BENCH kernel %s 0 0 -\n", patched ? "patched" : "base");
	printf("# %s kernel, %d repetition(s)%s\n",
	       patched ? "patched" : "base", reps, smoke ? ", smoke" : "");

	bench_touch(&edu, page);
	bench_touch(&shm, PMD_SIZE);
	bench_touch(&big, PUD_SIZE);
	bench_mmap_munmap(&edu);
	bench_dmabuf_mmap_munmap(&edu);
	bench_export_close(&edu);
	bench_slab(&edu);
	bench_revoke(&shm);
	bench_close(&shm);
	bench_ranges(&shm);

	close_dev(&edu);
	close_dev(&shm);
	close_dev(&big);
	return failed ? 1 : 0;
}
