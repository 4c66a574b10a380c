// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_dmabuf_fuzz BDF [SEED [OPS]]: a seeded, reproducible fuzzer of the
 * VFIO DMABUF uAPI, checked against a model after every step.
 *
 * Two processes: the primary owns the device; the subordinate holds nothing
 * of the device but the DMABUF fds the primary sends it (SCM_RIGHTS) and
 * does what the primary asks of it over a socket.  A random sequence of
 * export, mmap (of a DMABUF, and of the BAR through the device fd), munmap,
 * access, REVOKE, MEMATTR, send, dup, close, fork, memory decode toggles and
 * (where the device has it) VFIO_DEVICE_RESET runs across both processes.
 * The model knows which buffers are revoked and whether memory decode is
 * on, and every step is checked against it:
 *   - every call returns what the model says (an fd, a mapping, or errno);
 *   - an access through a mapping succeeds exactly when the model says the
 *     mapping is live, and faults (SIGBUS) otherwise;
 *   - a live access reaches exactly the BAR offset the mapping was given:
 *     on a BAR that behaves like memory (ivshmem BAR2) a value written
 *     through it is read back through the device fd's own mapping of the
 *     BAR at that offset; elsewhere both read the same value;
 *   - a revoked buffer never maps again (ENODEV).
 * Each step also probes one random mapping, and every 64 steps all of them.
 *
 * The whole run follows from SEED (the subordinate and forked children
 * only answer), so a failure prints the command that replays it.  TAP on
 * stdout: one test, ok when OPS steps held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "vfio_util.h"

#define PROG	"vfio_dmabuf_fuzz"

#define MAX_BUFS	24
#define MAX_FDS		48
#define MAX_MAPS	48
#define MAX_RANGES	3
#define SWEEP_EVERY	64

enum who { PRIMARY, SUBORDINATE };

struct buf {
	bool used;
	bool revoked;		/* for good */
	unsigned int nr;
	struct vfio_region_dma_range ranges[MAX_RANGES];
	uint64_t size;
};

struct fd {
	bool used;
	enum who who;
	int buf;
	int num;		/* the fd number in its process */
};

struct map {
	bool used;
	enum who who;
	int buf;		/* -1: a BAR mapping of the device fd */
	uint64_t pgoff;		/* pages into the buffer, or into the BAR */
	uint64_t len;
	uint64_t addr;		/* in its process */
};

static struct buf bufs[MAX_BUFS];
static struct fd fds[MAX_FDS];
static struct map maps[MAX_MAPS];

/* The device */
static int dev, bar, page;
static pid_t primary_pid;
static uint64_t bar_size, bar_offset, cfg_offset;
static bool ram, can_reset, decode = true;
static volatile uint32_t *ref;	/* the device fd's mapping of the whole BAR */
/* What the run overwrote in a memory BAR (a dword per page), to restore */
static uint32_t *saved;
static uint8_t *is_saved;

static uint64_t seed, nops, step;
static const char *bdf;
static int sock;		/* to the subordinate */
static pid_t sub_pid;

static const char * const op_names[] = {
	"export", "mmap", "bar-mmap", "munmap", "access", "revoke", "memattr",
	"send", "dup", "close", "fork", "decode", "reset",
};

enum op {
	OP_EXPORT, OP_MMAP, OP_BAR_MMAP, OP_MUNMAP, OP_ACCESS, OP_REVOKE,
	OP_MEMATTR, OP_SEND, OP_DUP, OP_CLOSE, OP_FORK, OP_DECODE, OP_RESET,
	NR_OPS
};

/* Weights of the ops, out of their sum */
static const unsigned int weights[NR_OPS] = {
	[OP_EXPORT] = 8, [OP_MMAP] = 14, [OP_BAR_MMAP] = 3, [OP_MUNMAP] = 9,
	[OP_ACCESS] = 30, [OP_REVOKE] = 4, [OP_MEMATTR] = 4, [OP_SEND] = 6,
	[OP_DUP] = 4, [OP_CLOSE] = 9, [OP_FORK] = 1, [OP_DECODE] = 2,
	[OP_RESET] = 1,
};

static unsigned long op_count[NR_OPS];
static unsigned long live_accesses, dead_accesses, refused;

/* xorshift64*, seeded through splitmix64 */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void rng_seed(uint64_t s)
{
	uint64_t z = s + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	rng_state = (z ^ (z >> 31)) | 1;
}

static void restore_bar(void);

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	printf("# FAIL at step %llu of %llu: ", (unsigned long long)step,
	       (unsigned long long)nops);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# replay: %s %s %llu %llu\n", PROG, bdf,
	       (unsigned long long)seed, (unsigned long long)nops);
	printf("not ok 1 %s seed=%llu ops=%llu\n", PROG,
	       (unsigned long long)seed, (unsigned long long)nops);
	fflush(stdout);
	if (getpid() != primary_pid)
		_exit(1);
	if (sub_pid > 0)
		kill(sub_pid, SIGKILL);
	restore_bar();
	exit(1);
}

/* Accesses that may raise SIGBUS; a process has one thread */
static sigjmp_buf sigbus_env;
static volatile sig_atomic_t in_try;

static void sigbus(int sig)
{
	if (!in_try) {
		/* A forked child or the subordinate: its parent reports it */
		if (getpid() != primary_pid)
			_exit(100);
		/* Not async-signal-safe, but the run is over */
		fail("SIGBUS outside a checked access (the model is wrong)");
	}
	siglongjmp(sigbus_env, 1);
}

static bool try_read(uint64_t addr, uint32_t *val)
{
	volatile bool ok = false;

	if (!sigsetjmp(sigbus_env, 1)) {
		in_try = 1;
		*val = *(volatile uint32_t *)addr;
		ok = true;
	}
	in_try = 0;
	return ok;
}

static bool try_write(uint64_t addr, uint32_t val)
{
	volatile bool ok = false;

	if (!sigsetjmp(sigbus_env, 1)) {
		in_try = 1;
		*(volatile uint32_t *)addr = val;
		ok = true;
	}
	in_try = 0;
	return ok;
}

/* The subordinate's side: requests and replies on the socket */
enum sub_op { S_RECV, S_DUP, S_CLOSE, S_MMAP, S_MUNMAP, S_READ, S_WRITE };

struct req {
	int op;
	int fd;
	int flags;
	uint32_t val;
	uint64_t addr, len, off;
};

struct rsp {
	int64_t ret;		/* >= 0, or -errno */
	uint32_t val;
};

static int recv_req(int s, struct req *req, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { req, sizeof(*req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);

	if (n != sizeof(*req))
		return -1;
	*fd = -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

static int subordinate(int s)
{
	struct req req;
	struct rsp rsp;
	void *p;
	int fd;

	while (!recv_req(s, &req, &fd)) {
		memset(&rsp, 0, sizeof(rsp));
		switch (req.op) {
		case S_RECV:
			rsp.ret = fd >= 0 ? fd : -EBADF;
			break;
		case S_DUP:
			rsp.ret = fcntl(req.fd, F_DUPFD_CLOEXEC, 0);
			if (rsp.ret < 0)
				rsp.ret = -errno;
			break;
		case S_CLOSE:
			rsp.ret = close(req.fd) ? -errno : 0;
			break;
		case S_MMAP:
			p = mmap(NULL, req.len, PROT_READ | PROT_WRITE,
				 req.flags, req.fd, req.off);
			rsp.ret = p == MAP_FAILED ? -errno : (int64_t)p;
			break;
		case S_MUNMAP:
			rsp.ret = munmap((void *)req.addr, req.len) ? -errno : 0;
			break;
		case S_READ:
			rsp.ret = try_read(req.addr, &rsp.val);
			break;
		case S_WRITE:
			rsp.ret = try_write(req.addr, req.val);
			break;
		}
		if (send(s, &rsp, sizeof(rsp), 0) != sizeof(rsp))
			return 1;
	}
	return 0;
}

/* Ask the subordinate; @pass is an fd to hand it, or -1 */
static struct rsp ask(struct req req, int pass)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	struct rsp rsp;

	if (pass >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	if (sendmsg(sock, &msg, 0) != sizeof(req) ||
	    recv(sock, &rsp, sizeof(rsp), 0) != sizeof(rsp))
		fail("the subordinate did not answer (op %d)", req.op);
	return rsp;
}

/* The model */

static bool map_live(const struct map *m)
{
	return decode && (m->buf < 0 || !bufs[m->buf].revoked);
}

/* The BAR offset that page @pg of mapping @m reaches */
static uint64_t map_bar_offset(const struct map *m, uint64_t pg)
{
	uint64_t off = (m->pgoff + pg) * page;
	const struct buf *b;
	unsigned int i;

	if (m->buf < 0)
		return off;
	b = &bufs[m->buf];
	for (i = 0; i < b->nr; i++) {
		if (off < b->ranges[i].length)
			return b->ranges[i].offset + off;
		off -= b->ranges[i].length;
	}
	fail("page %llu is beyond buffer %d", (unsigned long long)pg, m->buf);
	return 0;
}

static void buf_put_if_unused(int b)
{
	int i;

	if (b < 0)
		return;
	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && fds[i].buf == b)
			return;
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].buf == b)
			return;
	bufs[b].used = false;
}

static int pick(bool (*ok)(int i, void *arg), int n, void *arg)
{
	int cand[MAX_FDS > MAX_MAPS ? MAX_FDS : MAX_MAPS], nr = 0, i;

	for (i = 0; i < n; i++)
		if (ok(i, arg))
			cand[nr++] = i;
	return nr ? cand[below(nr)] : -1;
}

static bool fd_any(int i, void *arg)
{
	return fds[i].used;
}

static bool fd_of(int i, void *who)
{
	return fds[i].used && fds[i].who == *(enum who *)who;
}

static bool map_any(int i, void *arg)
{
	return maps[i].used;
}

static int free_slot(bool *used, size_t stride, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!*(bool *)((char *)used + i * stride))
			return i;
	return -1;
}

#define FREE_SLOT(arr, n)	free_slot(&(arr)[0].used, sizeof((arr)[0]), n)

/* Check one access through mapping @mi against the model */
static void check_access(int mi, uint64_t pg)
{
	struct map *m = &maps[mi];
	uint64_t addr = m->addr + pg * page, off = map_bar_offset(m, pg);
	bool live = map_live(m), ok;
	uint32_t val = 0, want = 0;
	struct rsp rsp;

	if (ram) {
		if (live && !is_saved[off / page]) {
			saved[off / page] = ref[off / 4];
			is_saved[off / page] = 1;
		}
		want = (uint32_t)rnd() | 1;
		if (m->who == PRIMARY) {
			ok = try_write(addr, want);
		} else {
			rsp = ask((struct req){ .op = S_WRITE, .addr = addr,
						.val = want }, -1);
			ok = rsp.ret == 1;
		}
		if (ok != live)
			fail("%s write through map %d (buffer %d, page %llu): %s, the model says %s",
			     m->who == PRIMARY ? "primary" : "subordinate", mi,
			     m->buf, (unsigned long long)pg,
			     ok ? "done" : "SIGBUS", live ? "live" : "revoked");
		if (live && ref[off / 4] != want)
			fail("map %d page %llu: wrote 0x%08x, BAR offset 0x%llx holds 0x%08x",
			     mi, (unsigned long long)pg, want,
			     (unsigned long long)off, ref[off / 4]);
	}
	if (m->who == PRIMARY) {
		ok = try_read(addr, &val);
	} else {
		rsp = ask((struct req){ .op = S_READ, .addr = addr }, -1);
		ok = rsp.ret == 1;
		val = rsp.val;
	}
	if (ok != live)
		fail("%s read through map %d (buffer %d, page %llu): %s, the model says %s",
		     m->who == PRIMARY ? "primary" : "subordinate", mi, m->buf,
		     (unsigned long long)pg, ok ? "done" : "SIGBUS",
		     live ? "live" : "revoked");
	if (!live) {
		dead_accesses++;
		return;
	}
	live_accesses++;
	if (!ram)
		want = ref[off / 4];
	if (val != want)
		fail("map %d page %llu read 0x%08x, BAR offset 0x%llx holds 0x%08x",
		     mi, (unsigned long long)pg, val, (unsigned long long)off,
		     want);
}

static void probe_map(int mi)
{
	check_access(mi, below(maps[mi].len / page));
}

static void sweep(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used)
			probe_map(i);
}

/* The ops: each checks what the call returned against the model */

static int64_t do_export(void)
{
	uint64_t pages = bar_size / page;
	int b = FREE_SLOT(bufs, MAX_BUFS), f = FREE_SLOT(fds, MAX_FDS);
	struct buf *nb;
	unsigned int i;
	int fd;

	if (b < 0 || f < 0)
		return -1;
	nb = &bufs[b];
	memset(nb, 0, sizeof(*nb));
	nb->nr = 1 + below(MAX_RANGES);
	for (i = 0; i < nb->nr; i++) {
		uint64_t len = below(16) ? 1 + below(pages < 8 ? pages : 8) :
					   pages;
		uint64_t start = below(pages - len + 1);

		nb->ranges[i].offset = start * page;
		nb->ranges[i].length = len * page;
		nb->size += len * page;
	}
	fd = vfio_export_dmabuf(dev, bar, nb->ranges, nb->nr);
	if (fd < 0)
		fail("export of %u ranges: %s", nb->nr, strerror(errno));
	nb->used = true;
	fds[f] = (struct fd){ .used = true, .who = PRIMARY, .buf = b,
			      .num = fd };
	return 0;
}

static int64_t do_mmap(void)
{
	enum who who = below(2) ? PRIMARY : SUBORDINATE;
	int fi = pick(fd_of, MAX_FDS, &who), mi = FREE_SLOT(maps, MAX_MAPS);
	uint64_t pages, pgoff, len;
	struct buf *b;
	int flags = MAP_SHARED, want;
	int64_t ret;

	if (fi < 0 || mi < 0)
		return -1;
	b = &bufs[fds[fi].buf];
	pages = b->size / page;
	pgoff = below(pages);
	len = 1 + below(pages - pgoff);
	if (!below(16))
		len = pages - pgoff + 1;	/* one page too many */
	if (!below(32))
		flags = MAP_PRIVATE;

	if (flags != MAP_SHARED || pgoff + len > pages)
		want = EINVAL;
	else if (b->revoked)
		want = ENODEV;
	else
		want = 0;

	if (who == PRIMARY) {
		void *p = mmap(NULL, len * page, PROT_READ | PROT_WRITE, flags,
			       fds[fi].num, pgoff * page);

		ret = p == MAP_FAILED ? -errno : (int64_t)p;
	} else {
		ret = ask((struct req){ .op = S_MMAP, .fd = fds[fi].num,
					.flags = flags, .len = len * page,
					.off = pgoff * page }, -1).ret;
	}
	if (want && ret != -want)
		fail("mmap of buffer %d (%s, pages %llu+%llu of %llu, %s): expected %s, got %s",
		     fds[fi].buf, b->revoked ? "revoked" : "usable",
		     (unsigned long long)pgoff, (unsigned long long)len,
		     (unsigned long long)pages,
		     flags == MAP_SHARED ? "shared" : "private",
		     strerror(want), ret < 0 ? strerror(-ret) : "a mapping");
	if (!want && ret < 0)
		fail("mmap of buffer %d: %s", fds[fi].buf, strerror(-ret));
	if (want) {
		refused++;
		return 0;
	}
	maps[mi] = (struct map){ .used = true, .who = who, .buf = fds[fi].buf,
				 .pgoff = pgoff, .len = len * page,
				 .addr = ret };
	probe_map(mi);
	return 0;
}

static int64_t do_bar_mmap(void)
{
	int mi = FREE_SLOT(maps, MAX_MAPS);
	uint64_t pages = bar_size / page, pgoff, len;
	void *p;

	if (mi < 0)
		return -1;
	pgoff = below(pages);
	len = 1 + below(pages - pgoff < 64 ? pages - pgoff : 64);
	p = mmap(NULL, len * page, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 bar_offset + pgoff * page);
	if (p == MAP_FAILED)
		fail("BAR mmap of pages %llu+%llu: %s",
		     (unsigned long long)pgoff, (unsigned long long)len,
		     strerror(errno));
	maps[mi] = (struct map){ .used = true, .who = PRIMARY, .buf = -1,
				 .pgoff = pgoff, .len = len * page,
				 .addr = (uint64_t)p };
	probe_map(mi);
	return 0;
}

static int64_t do_munmap(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL), b;
	int64_t ret;

	if (mi < 0)
		return -1;
	if (maps[mi].who == PRIMARY)
		ret = munmap((void *)maps[mi].addr, maps[mi].len) ? -errno : 0;
	else
		ret = ask((struct req){ .op = S_MUNMAP, .addr = maps[mi].addr,
					.len = maps[mi].len }, -1).ret;
	if (ret)
		fail("munmap of map %d: %s", mi, strerror(-ret));
	b = maps[mi].buf;
	maps[mi].used = false;
	buf_put_if_unused(b);
	return 0;
}

static int64_t do_access(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL);

	if (mi < 0)
		return -1;
	probe_map(mi);
	return 0;
}

static int feature(uint32_t flags, void *data, size_t size)
{
	struct {
		struct vfio_device_feature hdr;
		uint64_t data[2];
	} f = { .hdr.argsz = sizeof(f.hdr) + size, .hdr.flags = flags };

	memcpy(f.data, data, size);
	return ioctl(dev, VFIO_DEVICE_FEATURE, &f) ? -errno : 0;
}

static int64_t do_revoke(void)
{
	enum who who = PRIMARY;
	int fi = pick(fd_of, MAX_FDS, &who), ret, want, i;
	struct vfio_device_feature_dma_buf_revoke r;
	struct buf *b;

	if (fi < 0)
		return -1;
	b = &bufs[fds[fi].buf];
	r.dmabuf_fd = fds[fi].num;
	ret = feature(VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, &r, sizeof(r));
	want = b->revoked ? -EBADFD : 0;
	if (ret != want)
		fail("REVOKE of buffer %d: expected %d, got %d", fds[fi].buf,
		     want, ret);
	b->revoked = true;
	/* Every mapping of it, in both processes, is dead now */
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].buf == fds[fi].buf)
			probe_map(i);
	return 0;
}

static int64_t do_memattr(void)
{
	enum who who = PRIMARY;
	int fi = pick(fd_of, MAX_FDS, &who), ret, want;
	struct vfio_device_feature_dma_buf_memattr a;

	if (fi < 0)
		return -1;
	a.dmabuf_fd = fds[fi].num;
	a.memattr = below(3);	/* NC, WC, or one this kernel does not know */
	if (bufs[fds[fi].buf].revoked)
		want = -EBADFD;
	else if (a.memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC)
		want = 0;
	else if (a.memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC)
#ifdef __x86_64__
		want = -EOPNOTSUPP;	/* x86: see the uapi */
#else
		want = 0;
#endif
	else
		want = -ENOENT;
	ret = feature(VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &a, sizeof(a));
	if (ret != want)
		fail("MEMATTR %u of buffer %d: expected %d, got %d", a.memattr,
		     fds[fi].buf, want, ret);
	return 0;
}

/* Hand a buffer to the subordinate */
static int64_t do_send(void)
{
	enum who who = PRIMARY;
	int fi = pick(fd_of, MAX_FDS, &who), nf = FREE_SLOT(fds, MAX_FDS);
	int64_t ret;

	if (fi < 0 || nf < 0)
		return -1;
	ret = ask((struct req){ .op = S_RECV }, fds[fi].num).ret;
	if (ret < 0)
		fail("the subordinate got no fd: %s", strerror(-ret));
	fds[nf] = (struct fd){ .used = true, .who = SUBORDINATE,
			       .buf = fds[fi].buf, .num = ret };
	return 0;
}

static int64_t do_dup(void)
{
	int fi = pick(fd_any, MAX_FDS, NULL), nf = FREE_SLOT(fds, MAX_FDS);
	int64_t ret;

	if (fi < 0 || nf < 0)
		return -1;
	if (fds[fi].who == PRIMARY)
		ret = fcntl(fds[fi].num, F_DUPFD_CLOEXEC, 0);
	else
		ret = ask((struct req){ .op = S_DUP, .fd = fds[fi].num },
			  -1).ret;
	if (ret < 0)
		fail("dup of fd %d: %s", fi, strerror(fds[fi].who == PRIMARY ?
						      errno : -ret));
	fds[nf] = fds[fi];
	fds[nf].num = ret;
	return 0;
}

static int64_t do_close(void)
{
	int fi = pick(fd_any, MAX_FDS, NULL), b;
	int64_t ret;

	if (fi < 0)
		return -1;
	if (fds[fi].who == PRIMARY)
		ret = close(fds[fi].num) ? -errno : 0;
	else
		ret = ask((struct req){ .op = S_CLOSE, .fd = fds[fi].num },
			  -1).ret;
	if (ret)
		fail("close of fd %d: %s", fi, strerror(-ret));
	b = fds[fi].buf;
	fds[fi].used = false;
	buf_put_if_unused(b);
	return 0;
}

/*
 * A child of the primary inherits its mappings and fds: it checks every
 * inherited mapping and maps one of its buffers again, then exits with the
 * number of differences from the model.
 */
static int64_t do_fork(void)
{
	enum who who = PRIMARY;
	int status = 0, i, bad = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (!pid) {
		int fi = pick(fd_of, MAX_FDS, &who);

		for (i = 0; i < MAX_MAPS; i++) {
			uint32_t val;

			if (!maps[i].used || maps[i].who != PRIMARY)
				continue;
			if (try_read(maps[i].addr, &val) != map_live(&maps[i]))
				bad++;
		}
		if (fi >= 0) {
			void *p = mmap(NULL, page, PROT_READ, MAP_SHARED,
				       fds[fi].num, 0);
			bool revoked = bufs[fds[fi].buf].revoked;

			if ((p == MAP_FAILED) != revoked ||
			    (revoked && errno != ENODEV))
				bad++;
		}
		_exit(bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("forked child: %d inherited mappings or buffers differ from the model (status 0x%x)",
		     WIFEXITED(status) ? WEXITSTATUS(status) : -1, status);
	return 0;
}

static int64_t do_decode(void)
{
	uint16_t cmd;

	if (pread(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		fail("config read: %s", strerror(errno));
	cmd ^= PCI_COMMAND_MEMORY;
	if (pwrite(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		fail("config write: %s", strerror(errno));
	decode = cmd & PCI_COMMAND_MEMORY;
	return 0;
}

static int64_t do_reset(void)
{
	if (!can_reset)
		return -1;
	if (ioctl(dev, VFIO_DEVICE_RESET))
		fail("VFIO_DEVICE_RESET: %s", strerror(errno));
	/* Buffers revoked for good stay so; the others work again */
	sweep();
	return 0;
}

static int64_t (*const ops[NR_OPS])(void) = {
	[OP_EXPORT] = do_export, [OP_MMAP] = do_mmap,
	[OP_BAR_MMAP] = do_bar_mmap, [OP_MUNMAP] = do_munmap,
	[OP_ACCESS] = do_access, [OP_REVOKE] = do_revoke,
	[OP_MEMATTR] = do_memattr, [OP_SEND] = do_send, [OP_DUP] = do_dup,
	[OP_CLOSE] = do_close, [OP_FORK] = do_fork, [OP_DECODE] = do_decode,
	[OP_RESET] = do_reset,
};

static enum op pick_op(void)
{
	unsigned int sum = 0, i, r;

	for (i = 0; i < NR_OPS; i++)
		sum += weights[i];
	r = below(sum);
	for (i = 0; r >= weights[i]; i++)
		r -= weights[i];
	return i;
}

static void setup_device(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info r = { .argsz = sizeof(r) };
	uint16_t vendor, device, cmd;
	int iommufd, i;

	dev = vfio_open_bdf(PROG, bdf, &iommufd);
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info))
		die(PROG, "VFIO_DEVICE_GET_INFO");
	can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;

	bar = -1;
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		r.index = i;
		if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r))
			continue;
		if ((r.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		    r.size >= (uint64_t)page && r.size > bar_size) {
			bar = i;
			bar_size = r.size;
			bar_offset = r.offset;
		}
	}
	if (bar < 0) {
		printf("ok 1 %s # SKIP %s has no mmap()able BAR of a page\n",
		       PROG, bdf);
		exit(4);
	}
	r.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r))
		die(PROG, "config region info");
	cfg_offset = r.offset;
	if (pread(dev, &vendor, 2, cfg_offset + PCI_VENDOR_ID) != 2 ||
	    pread(dev, &device, 2, cfg_offset + PCI_DEVICE_ID) != 2)
		die(PROG, "config read");
	if (pread(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		die(PROG, "config read");
	decode = cmd & PCI_COMMAND_MEMORY;
	/* ivshmem's BAR2 is shared memory */
	ram = vendor == 0x1af4 && device == 0x1110 && bar == 2;

	ref = mmap(NULL, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   bar_offset);
	if (ref == MAP_FAILED)
		die(PROG, "mmap of the BAR");
	i = vfio_export_dmabuf(dev, bar, &(struct vfio_region_dma_range){
				       0, page }, 1);
	if (i < 0) {
		printf("ok 1 %s # SKIP DMABUF export: %s\n", PROG,
		       strerror(errno));
		exit(4);
	}
	close(i);
	saved = calloc(bar_size / page, sizeof(*saved));
	is_saved = calloc(bar_size / page, 1);
	if (!saved || !is_saved)
		die(PROG, "calloc");
}

/* Put back what the run overwrote in a memory BAR, with decode on */
static void restore_bar(void)
{
	uint64_t pg;

	if (!ram || !saved)
		return;
	if (!decode)
		do_decode();
	for (pg = 0; pg < bar_size / page; pg++)
		if (is_saved[pg])
			ref[pg * page / 4] = saved[pg];
}

/* Unmap and close everything, and put back what was overwritten */
static void teardown(void)
{
	while (do_munmap() == 0)
		;
	while (do_close() == 0)
		;
	restore_bar();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigbus };
	int sv[2];
	unsigned int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [SEED [OPS]]\n", PROG);
		return 2;
	}
	bdf = argv[1];
	seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	nops = argc > 3 ? strtoull(argv[3], NULL, 0) : 10000;
	page = getpagesize();
	setvbuf(stdout, NULL, _IOLBF, 0);
	primary_pid = getpid();
	printf("TAP version 13\n1..1\n");
	if (sigaction(SIGBUS, &sa, NULL))
		die(PROG, "sigaction");

	/* The subordinate is forked before the device is opened */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		die(PROG, "socketpair");
	sub_pid = fork();
	if (sub_pid < 0)
		die(PROG, "fork");
	if (!sub_pid) {
		close(sv[0]);
		_exit(subordinate(sv[1]));
	}
	close(sv[1]);
	sock = sv[0];

	setup_device();
	printf("# %s: seed %llu, %llu steps, BAR %d (%llu KiB%s), reset %s\n",
	       bdf, (unsigned long long)seed, (unsigned long long)nops, bar,
	       (unsigned long long)bar_size >> 10, ram ? ", memory" : "",
	       can_reset ? "yes" : "no");
	rng_seed(seed);

	for (step = 1; step <= nops; step++) {
		enum op op = pick_op();

		int mi;

		/*
		 * An op that cannot run now (nothing to act on, or no room)
		 * becomes an export, a close or a munmap.
		 */
		if (ops[op]() < 0) {
			op = OP_EXPORT;
			if (do_export() < 0) {
				op = OP_CLOSE;
				if (do_close() < 0) {
					op = OP_MUNMAP;
					do_munmap();
				}
			}
		}
		op_count[op]++;
		/* One random mapping after every step, all of them sometimes */
		mi = pick(map_any, MAX_MAPS, NULL);
		if (!(step % SWEEP_EVERY))
			sweep();
		else if (mi >= 0)
			probe_map(mi);
	}
	sweep();
	teardown();

	printf("#");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s %lu", op_names[i], op_count[i]);
	printf("\n# accesses: %lu live, %lu faulted as the model said; %lu mmap()s refused as it said\n",
	       live_accesses, dead_accesses, refused);

	close(sock);
	if (waitpid(sub_pid, NULL, 0) != sub_pid)
		fail("subordinate: %s", strerror(errno));
	printf("ok 1 %s seed=%llu ops=%llu\n", PROG, (unsigned long long)seed,
	       (unsigned long long)nops);
	return 0;
}
