// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_dmabuf_fuzz BDF [SEED [OPS]]: a seeded, reproducible fuzzer of the
 * VFIO DMABUF uAPI, checked against a model after every step.
 *
 * Two processes: the primary owns the device; the subordinate holds nothing
 * of the device but the DMABUF fds the primary sends it (SCM_RIGHTS) and
 * does what the primary asks of it over a socket.  A random sequence of
 * steps runs across both processes:
 *   - export (read-write, read-only or write-only buffers, and requests
 *     that must fail), REVOKE, MEMATTR, send, dup, close, fork;
 *   - mmap() of a DMABUF and of the BAR through the device fd, also of big
 *     buffers at addresses aligned to the huge (PMD) blocks of the BAR;
 *     munmap() of a whole mapping or of its head, tail or middle; mremap()
 *     moves (which work), growth (EFAULT), shrinking and MREMAP_DONTUNMAP
 *     (EINVAL); mprotect() to read-only and back; madvise(MADV_DONTNEED);
 *     MAP_FIXED mappings over part of another one;
 *   - memory decode toggles, VFIO_DEVICE_RESET (where the device has it),
 *     and closing the device and opening it again.
 * The model knows every buffer (revoked for good, exported from an open of
 * the device that has since been closed), every mapping (its buffer, offset,
 * address and protection, split as the kernel splits the VMA) and whether
 * memory decode is on, and every step is checked against it:
 *   - every call returns what the model says (an fd, a mapping, or errno);
 *   - an access through a mapping succeeds exactly when the model says the
 *     mapping is live, and faults (SIGBUS) otherwise; a write through a
 *     read-only mapping faults SIGSEGV, live or not; an address the model
 *     says was unmapped faults SIGSEGV;
 *   - a live access reaches exactly the BAR offset the mapping was given:
 *     on a BAR that behaves like memory (ivshmem BAR2) a value written
 *     through it is read back through the device fd's own mapping of the
 *     BAR at that offset; elsewhere both read the same value;
 *   - a revoked buffer never maps again (ENODEV).
 * Each step also probes one random mapping (a random page, or the pages on
 * either side of a huge block boundary it crosses), every 64 steps all of
 * them.
 *
 * A second thread of the primary reads through random mappings of the
 * primary all along, racing with REVOKE, decode toggles, resets and device
 * closes: such a read may fault or not while the state changes, but must
 * never succeed through a mapping that the model had revoked before it
 * started and still had revoked after it ended, and what it reads must be
 * what the BAR holds.  It takes map_lock for each read, which every change
 * of the mappings holds (and every checked access of the main sequence, so
 * that the BAR does not change under it), and it draws from a random
 * generator of its own: the main sequence is the same from run to run.
 *
 * The whole run follows from SEED (the subordinate and forked children
 * only answer, the second thread only checks), so a failure prints the
 * command that replays it.  TAP on stdout: one test, ok when OPS steps held.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "vfio_util.h"

#define PROG	"vfio_dmabuf_fuzz"

#define MAX_BUFS	24
#define MAX_FDS		48
#define MAX_MAPS	64
#define MAX_RANGES	3
#define SWEEP_EVERY	64
#define HUGE_BLOCKS	4	/* at most, in a huge-aligned mapping */

/* Reads and writes of the model shared with the second thread */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

enum who { PRIMARY, SUBORDINATE };

struct buf {
	bool used;
	bool revoked;		/* for good, by REVOKE */
	bool orphan;		/* its device was closed since its export */
	int mode;		/* O_RDWR, O_RDONLY or O_WRONLY */
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

/*
 * A VMA: a mapping as mmap() made it, or the part of one that munmap(),
 * mremap(), mprotect() or a MAP_FIXED mapping left.  The VMAs of a DMABUF
 * are VM_SPECIAL and never merge, so each one stays an entry of its own.
 */
struct map {
	bool used;
	bool writable;		/* PROT_WRITE */
	enum who who;
	int buf;		/* -1: a BAR mapping of the device fd */
	uint64_t pgoff;		/* pages into the buffer, or the BAR */
	uint64_t len;
	uint64_t addr;		/* in its process */
};

static struct buf bufs[MAX_BUFS];
static struct fd fds[MAX_FDS];
static struct map maps[MAX_MAPS];

/* The device */
static int dev, iommufd, bar, page;
static uint64_t pmd;		/* the size of a huge block */
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

/*
 * Held by the primary's main thread for every change of maps[] and every
 * call that unmaps, moves or replaces a mapping, and for every checked
 * access; held by the second thread for each of its reads.  Recursive:
 * the ops that hold it probe mappings too.
 */
static pthread_mutex_t map_lock;

/*
 * Odd while the main thread makes a change that may make revoked mappings
 * live again (memory decode on, reset, device close and open), bumped
 * before and after it: the second thread only trusts a temporary
 * revocation it saw when the count was even and the same after its read.
 */
static unsigned long epoch;

static const char * const op_names[] = {
	"export", "mmap", "bar-mmap", "munmap", "access", "revoke", "memattr",
	"send", "dup", "close", "fork", "decode", "reset", "munmap-part",
	"mremap", "mprotect", "madvise", "map-fixed", "huge-mmap", "reopen",
};

enum op {
	OP_EXPORT, OP_MMAP, OP_BAR_MMAP, OP_MUNMAP, OP_ACCESS, OP_REVOKE,
	OP_MEMATTR, OP_SEND, OP_DUP, OP_CLOSE, OP_FORK, OP_DECODE, OP_RESET,
	OP_MUNMAP_PART, OP_MREMAP, OP_MPROTECT, OP_MADVISE, OP_OVERLAY,
	OP_HUGE, OP_REOPEN,
	NR_OPS
};

/*
 * Weights of the ops, out of their sum.  A reopen revokes every buffer and
 * costs two resets of the device: one step in about 470.
 */
static const unsigned int weights[NR_OPS] = {
	[OP_EXPORT] = 32, [OP_MMAP] = 56, [OP_BAR_MMAP] = 12, [OP_MUNMAP] = 36,
	[OP_ACCESS] = 120, [OP_REVOKE] = 16, [OP_MEMATTR] = 16, [OP_SEND] = 24,
	[OP_DUP] = 16, [OP_CLOSE] = 36, [OP_FORK] = 4, [OP_DECODE] = 8,
	[OP_RESET] = 4, [OP_MUNMAP_PART] = 20, [OP_MREMAP] = 16,
	[OP_MPROTECT] = 16, [OP_MADVISE] = 12, [OP_OVERLAY] = 16, [OP_HUGE] = 8,
	[OP_REOPEN] = 1,
};

static unsigned long op_count[NR_OPS];
static unsigned long live_accesses, dead_accesses, segv_accesses, refused;

/* xorshift64*, seeded through splitmix64 */
static uint64_t rng_state;

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd(void)
{
	return xorshift(&rng_state);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t rng_seed(uint64_t s)
{
	uint64_t z = s + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31)) | 1;
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

static void lock_maps(void)
{
	pthread_mutex_lock(&map_lock);
}

static void unlock_maps(void)
{
	pthread_mutex_unlock(&map_lock);
}

/* Around a change that may make revoked mappings live again */
static void change_begin(void)
{
	__atomic_add_fetch(&epoch, 1, __ATOMIC_SEQ_CST);
}

static void change_end(void)
{
	__atomic_add_fetch(&epoch, 1, __ATOMIC_SEQ_CST);
}

static const char *err_str(int64_t ret)
{
	return ret < 0 ? strerror(-ret) : "success";
}

/*
 * Accesses that may fault: SIGBUS (a revoked mapping) or SIGSEGV (a write
 * through a read-only mapping, an address with nothing mapped).  Each
 * thread has its own jump buffer.
 */
static __thread sigjmp_buf fault_env;
static __thread volatile sig_atomic_t in_try;

static void on_fault(int sig)
{
	if (!in_try) {
		/* A forked child or the subordinate: its parent reports it */
		if (getpid() != primary_pid)
			_exit(100);
		/* Not async-signal-safe, but the run is over */
		fail("%s outside a checked access (the model is wrong)",
		     sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	}
	siglongjmp(fault_env, sig);
}

static const char *fault_str(int64_t sig)
{
	return !sig ? "done" : sig == SIGBUS ? "SIGBUS" :
	       sig == SIGSEGV ? "SIGSEGV" : "?";
}

/* 0 if the read was done, else the signal it raised */
static int try_read(uint64_t addr, uint32_t *val)
{
	int sig = sigsetjmp(fault_env, 1);

	if (!sig) {
		in_try = 1;
		*val = *(volatile uint32_t *)addr;
	}
	in_try = 0;
	return sig;
}

static int try_write(uint64_t addr, uint32_t val)
{
	int sig = sigsetjmp(fault_env, 1);

	if (!sig) {
		in_try = 1;
		*(volatile uint32_t *)addr = val;
	}
	in_try = 0;
	return sig;
}

/*
 * @len bytes of address space at an address @off past a multiple of
 * @align, mapped PROT_NONE for a MAP_FIXED mmap() or an mremap() to
 * replace (mmap_reserve() of the selftests): the address, or -errno.
 */
static int64_t reserve(uint64_t len, uint64_t align, uint64_t off)
{
	uint64_t base, at;
	void *p;

	p = mmap(NULL, len + align, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	base = (uint64_t)p;
	at = base + (off + align - base % align) % align;
	if (at > base && munmap(p, at - base))
		return -errno;
	if (base + align > at && munmap((void *)(at + len), base + align - at))
		return -errno;
	return at;
}

/*
 * Memory calls, made by either process: the primary makes them itself, the
 * subordinate when the primary asks it over the socket.
 */
enum mem_op {
	S_RECV, S_DUP, S_CLOSE, S_MMAP, S_MUNMAP, S_READ, S_WRITE, S_MREMAP,
	S_MPROTECT, S_MADVISE, S_RESERVE,
};

struct req {
	int op;
	int fd;
	int flags;		/* of mmap(), mremap(); madvise()'s advice */
	int prot;
	uint32_t val;
	uint64_t addr, len;
	uint64_t off;		/* into mmap()'s file; reserve()'s */
	uint64_t new_addr, new_len;	/* of mremap() */
	uint64_t align;		/* of reserve() */
};

struct rsp {
	int64_t ret;		/* >= 0 or -errno; an access: 0 or a signal */
	uint32_t val;
};

static struct rsp serve(const struct req *req, int fd)
{
	struct rsp rsp = { 0 };
	void *p;

	switch (req->op) {
	case S_RECV:
		rsp.ret = fd >= 0 ? fd : -EBADF;
		break;
	case S_DUP:
		rsp.ret = fcntl(req->fd, F_DUPFD_CLOEXEC, 0);
		if (rsp.ret < 0)
			rsp.ret = -errno;
		break;
	case S_CLOSE:
		rsp.ret = close(req->fd) ? -errno : 0;
		break;
	case S_MMAP:
		p = mmap((void *)req->addr, req->len, req->prot, req->flags,
			 req->fd, req->off);
		rsp.ret = p == MAP_FAILED ? -errno : (int64_t)p;
		break;
	case S_MUNMAP:
		rsp.ret = munmap((void *)req->addr, req->len) ? -errno : 0;
		break;
	case S_READ:
		rsp.ret = try_read(req->addr, &rsp.val);
		break;
	case S_WRITE:
		rsp.ret = try_write(req->addr, req->val);
		break;
	case S_MREMAP:
		p = mremap((void *)req->addr, req->len, req->new_len,
			   req->flags, (void *)req->new_addr);
		rsp.ret = p == MAP_FAILED ? -errno : (int64_t)p;
		break;
	case S_MPROTECT:
		rsp.ret = mprotect((void *)req->addr, req->len, req->prot) ?
			  -errno : 0;
		break;
	case S_MADVISE:
		rsp.ret = madvise((void *)req->addr, req->len, req->flags) ?
			  -errno : 0;
		break;
	case S_RESERVE:
		rsp.ret = reserve(req->len, req->align, req->off);
		break;
	default:
		rsp.ret = -EINVAL;
	}
	return rsp;
}

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
	int fd;

	while (!recv_req(s, &req, &fd)) {
		rsp = serve(&req, fd);
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

/* Make a memory call in @who */
static struct rsp call(enum who who, struct req req)
{
	return who == PRIMARY ? serve(&req, -1) : ask(req, -1);
}

static const char *who_str(enum who who)
{
	return who == PRIMARY ? "primary" : "subordinate";
}

/* The model */

/* Gone for good: revoked, or exported before the device was last closed */
static bool buf_dead(int b)
{
	return b >= 0 && (LOAD(bufs[b].revoked) || LOAD(bufs[b].orphan));
}

/* Whether an access through @m reaches the BAR now */
static bool map_live(const struct map *m)
{
	return LOAD(decode) && !buf_dead(m->buf);
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

/* Whether a mapping of @m's file may be made writable (VM_MAYWRITE) */
static bool map_may_write(const struct map *m)
{
	return m->buf < 0 || bufs[m->buf].mode == O_RDWR;
}

/*
 * What mmap() of @len pages at page @pgoff of buffer @b with @prot and
 * @flags fails with (0: it works), in the order of the checks: do_mmap()
 * checks the file's access mode (EACCES: a write-only buffer never maps, a
 * read-only one not shared and writable); the DMABUF core that the mapping
 * lies within the buffer (EINVAL); vfio_pci_dma_buf_mmap() that it is
 * shared (EINVAL), that the device is open (ENODEV) and that the buffer is
 * not revoked for good (ENODEV).
 */
static int mmap_errno(const struct buf *b, uint64_t pgoff, uint64_t len,
		      int prot, int flags)
{
	if (b->mode == O_WRONLY)
		return EACCES;
	if (b->mode == O_RDONLY && flags == MAP_SHARED && (prot & PROT_WRITE))
		return EACCES;
	if (flags != MAP_SHARED || pgoff + len > b->size / page)
		return EINVAL;
	if (b->revoked || b->orphan)
		return ENODEV;
	return 0;
}

static void buf_put_if_unused(int b)
{
	int i;

	if (b < 0 || !bufs[b].used)
		return;
	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && fds[i].buf == b)
			return;
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].buf == b)
			return;
	bufs[b].used = false;
}

/* Forget the buffers that nothing holds any more */
static void put_unused_bufs(void)
{
	int b;

	for (b = 0; b < MAX_BUFS; b++)
		buf_put_if_unused(b);
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

/* A mapping of at least *(uint64_t *)@pages pages */
static bool map_pages(int i, void *pages)
{
	return maps[i].used && maps[i].len / page >= *(uint64_t *)pages;
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

static int free_maps(void)
{
	int i, nr = 0;

	for (i = 0; i < MAX_MAPS; i++)
		nr += !maps[i].used;
	return nr;
}

/* Add @m to the model, under map_lock; the caller made sure of a slot */
static int add_map(struct map m)
{
	int mi = FREE_SLOT(maps, MAX_MAPS);

	if (mi < 0)
		fail("no room for a mapping the model should have made room for");
	m.used = true;
	lock_maps();
	maps[mi] = m;
	unlock_maps();
	return mi;
}

/*
 * Split mapping @mi at address @at, strictly inside it, as the kernel
 * splits the VMA: @mi keeps the part below @at, a new entry (returned)
 * takes the rest, with the buffer offset that follows.  Under map_lock.
 */
static int split_map(int mi, uint64_t at)
{
	struct map tail = maps[mi];
	uint64_t head = at - maps[mi].addr;
	int ti;

	tail.addr = at;
	tail.pgoff += head / page;
	tail.len -= head;
	ti = add_map(tail);
	maps[mi].len = head;
	return ti;
}

/* Mappings that [@start, @end) of @who would split in two */
static int splits_needed(enum who who, uint64_t start, uint64_t end)
{
	int i, nr = 0;

	for (i = 0; i < MAX_MAPS; i++)
		nr += maps[i].used && maps[i].who == who &&
		      maps[i].addr < start &&
		      maps[i].addr + maps[i].len > end;
	return nr;
}

/*
 * The model of munmap() of [@start, @end) in @who, which any MAP_FIXED
 * mapping and mremap() move do first: mappings that lie within it go, a
 * mapping that holds it is split in two, mappings that overlap it lose
 * that part (the part that stays keeps its buffer offset).  Under
 * map_lock; the buffers that nothing holds any more are forgotten by the
 * caller, once it has added what replaces them.  Returns the entry split
 * off, if any.
 */
static int carve(enum who who, uint64_t start, uint64_t end)
{
	int i, split = -1;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &maps[i];
		uint64_t m_end = m->addr + m->len;

		if (!m->used || m->who != who || m_end <= start ||
		    m->addr >= end)
			continue;
		if (m->addr >= start && m_end <= end) {
			m->used = false;
			continue;
		}
		if (m->addr < start && m_end > end) {
			split = split_map(i, end);
			m->len = start - m->addr;
			continue;
		}
		if (m->addr < start) {
			m->len = start - m->addr;
		} else {
			m->pgoff += (end - m->addr) / page;
			m->len = m_end - end;
			m->addr = end;
		}
	}
	return split;
}

/*
 * Pick [*@start, *@start + *@len) within mapping @m: all of it, or a random
 * part of it.
 */
static void pick_range(const struct map *m, uint64_t *start, uint64_t *len)
{
	uint64_t pages = m->len / page, s = 0, n = pages;

	if (below(2)) {
		n = 1 + below(pages);
		s = below(pages - n + 1);
	}
	*start = m->addr + s * page;
	*len = n * page;
}

/*
 * A page of @m to access: a random one, its first or last page, or one
 * either side of a boundary of the huge blocks of the address space that
 * @m crosses (where one huge entry ends and the next one begins).  The
 * addresses differ from run to run (ASLR), so the draws do not depend on
 * them: the same three whatever the mapping.
 */
static uint64_t pick_page(const struct map *m)
{
	uint64_t pages = m->len / page, kind = below(4), r = rnd();
	uint64_t side = below(2), first, nr, b;

	if (kind < 2)
		return r % pages;
	first = (m->addr / pmd + 1) * pmd;
	if (kind == 2 || first >= m->addr + m->len)
		return side ? 0 : pages - 1;
	nr = (m->addr + m->len - 1 - first) / pmd + 1;
	b = first + r % nr * pmd;
	return (b - m->addr) / page - side;
}

/*
 * Check one access through mapping @mi against the model: a write through
 * a read-only mapping faults SIGSEGV, whatever the buffer's state; on a
 * memory BAR a value written through a writable mapping must be in the BAR
 * at the offset the model says; a read gives what the BAR holds; any of
 * them works exactly when the model says the mapping is live, and raises
 * SIGBUS otherwise.
 */
static void check_access(int mi, uint64_t pg)
{
	struct map *m = &maps[mi];
	uint64_t addr = m->addr + pg * page, off;
	uint32_t val = 0, want = 0;
	struct rsp rsp;
	bool live;

	lock_maps();
	off = map_bar_offset(m, pg);
	live = map_live(m);
	if (!m->writable && !below(4)) {
		rsp = call(m->who, (struct req){ .op = S_WRITE, .addr = addr,
						 .val = (uint32_t)rnd() });
		if (rsp.ret != SIGSEGV)
			fail("%s write through read-only map %d (buffer %d, page %llu): %s, expected SIGSEGV",
			     who_str(m->who), mi, m->buf,
			     (unsigned long long)pg, fault_str(rsp.ret));
		segv_accesses++;
	}
	if (ram && m->writable) {
		if (live && !is_saved[off / page]) {
			saved[off / page] = ref[off / 4];
			is_saved[off / page] = 1;
		}
		want = (uint32_t)rnd() | 1;
		rsp = call(m->who, (struct req){ .op = S_WRITE, .addr = addr,
						 .val = want });
		if (rsp.ret != (live ? 0 : SIGBUS))
			fail("%s write through map %d (buffer %d, page %llu): %s, the model says %s",
			     who_str(m->who), mi, m->buf,
			     (unsigned long long)pg, fault_str(rsp.ret),
			     live ? "live" : "revoked");
		if (live && ref[off / 4] != want)
			fail("map %d page %llu: wrote 0x%08x, BAR offset 0x%llx holds 0x%08x",
			     mi, (unsigned long long)pg, want,
			     (unsigned long long)off, ref[off / 4]);
	}
	rsp = call(m->who, (struct req){ .op = S_READ, .addr = addr });
	val = rsp.val;
	if (rsp.ret != (live ? 0 : SIGBUS))
		fail("%s read through map %d (buffer %d, page %llu): %s, the model says %s",
		     who_str(m->who), mi, m->buf, (unsigned long long)pg,
		     fault_str(rsp.ret), live ? "live" : "revoked");
	if (!live) {
		dead_accesses++;
		unlock_maps();
		return;
	}
	live_accesses++;
	if (!ram || !m->writable)
		want = ref[off / 4];
	if (val != want)
		fail("map %d page %llu read 0x%08x, BAR offset 0x%llx holds 0x%08x",
		     mi, (unsigned long long)pg, val, (unsigned long long)off,
		     want);
	unlock_maps();
}

static void probe_map(int mi)
{
	check_access(mi, pick_page(&maps[mi]));
}

/* Probe every mapping of buffer @b (-1: the BAR mappings) */
static void probe_buf(int b)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].buf == b)
			probe_map(i);
}

static void sweep(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used)
			probe_map(i);
}

/* An address range of @who that the model says is unmapped faults SIGSEGV */
static void check_hole(enum who who, uint64_t start, uint64_t len)
{
	uint64_t addr = start + below(len / page) * page;
	struct rsp rsp;

	rsp = call(who, (struct req){ .op = S_READ, .addr = addr });
	if (rsp.ret != SIGSEGV)
		fail("%s read at 0x%llx, which the model says is unmapped: %s, expected SIGSEGV",
		     who_str(who), (unsigned long long)addr,
		     fault_str(rsp.ret));
}

/*
 * The second thread: a read through a random mapping of the primary, with
 * map_lock held so that the mapping stays as the model has it.  The read
 * may race with a REVOKE, a memory decode toggle, a reset or a device
 * close that the main thread is making, so it is only checked where the
 * model leaves no doubt: it must fault if the buffer was gone for good
 * before it started (that is final), or if the mapping was revoked for
 * now and nothing that could make it live again began or ended meanwhile
 * (epoch even and unchanged).  A value it reads must be what the BAR holds
 * at that offset, which nothing changes while map_lock is held.
 */
static uint64_t toucher_rng;
static int toucher_stop, toucher_failed;
static char toucher_msg[256];
static unsigned long touch_done, touch_faulted, touch_checked;

static void touch_one(void)
{
	uint64_t addr, off, pg;
	bool gone, dead;
	unsigned long e1, e2;
	int cand[MAX_MAPS], nr = 0, i, sig;
	uint32_t val, want;
	struct map *m;

	lock_maps();
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].who == PRIMARY)
			cand[nr++] = i;
	if (!nr)
		goto out;
	i = cand[xorshift(&toucher_rng) % nr];
	m = &maps[i];
	pg = xorshift(&toucher_rng) % (m->len / page);
	addr = m->addr + pg * page;
	off = map_bar_offset(m, pg);

	e1 = LOAD(epoch);
	gone = buf_dead(m->buf);
	dead = !map_live(m);
	sig = try_read(addr, &val);
	e2 = LOAD(epoch);

	if (sig) {
		touch_faulted++;
		if (sig != SIGBUS) {
			snprintf(toucher_msg, sizeof(toucher_msg),
				 "second thread: read through map %d (buffer %d, page %llu): %s",
				 i, m->buf, (unsigned long long)pg,
				 fault_str(sig));
			STORE(toucher_failed, 1);
		}
		goto out;
	}
	touch_done++;
	if (gone || (dead && e1 == e2 && !(e1 & 1))) {
		snprintf(toucher_msg, sizeof(toucher_msg),
			 "second thread: read through map %d (buffer %d, page %llu) succeeded, the model had it %s",
			 i, m->buf, (unsigned long long)pg,
			 gone ? "revoked for good" :
				"revoked (memory decode off) all along");
		STORE(toucher_failed, 1);
		goto out;
	}
	/* ref faults too while the BAR is revoked: nothing to compare then */
	if (ref && !try_read((uint64_t)&ref[off / 4], &want)) {
		touch_checked++;
		if (val != want) {
			snprintf(toucher_msg, sizeof(toucher_msg),
				 "second thread: map %d page %llu read 0x%08x, BAR offset 0x%llx holds 0x%08x",
				 i, (unsigned long long)pg, val,
				 (unsigned long long)off, want);
			STORE(toucher_failed, 1);
		}
	}
out:
	unlock_maps();
}

static void *toucher(void *arg)
{
	while (!LOAD(toucher_stop) && !LOAD(toucher_failed)) {
		struct timespec ts = {
			.tv_nsec = (10 + xorshift(&toucher_rng) % 190) * 1000,
		};

		touch_one();
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static pthread_t toucher_thread;

static void start_toucher(void)
{
	toucher_rng = rng_seed(seed ^ 0x746f7563686572ull);
	if (pthread_create(&toucher_thread, NULL, toucher, NULL))
		die(PROG, "pthread_create");
}

static void stop_toucher(void)
{
	STORE(toucher_stop, 1);
	pthread_join(toucher_thread, NULL);
}

/* A failure the second thread found is the run's */
static void check_toucher(void)
{
	if (LOAD(toucher_failed))
		fail("%s", toucher_msg);
}

/* The ops: each checks what the calls returned against the model */

/* The access mode of a new buffer: mostly read-write */
static int pick_mode(void)
{
	uint64_t r = below(16);

	return r < 12 ? O_RDWR : r < 15 ? O_RDONLY : O_WRONLY;
}

/*
 * An export request that must fail, made from @nb's valid ranges: what it
 * fails with, by the order of the checks in
 * vfio_pci_core_feature_dma_buf(), validate_dmabuf_input() and
 * vfio_pci_core_fill_phys_vec() (see the uapi).
 */
static int64_t export_bad(struct buf *nb)
{
	struct vfio_region_dma_range r[MAX_RANGES];
	unsigned int nr = nb->nr, flags = 0, index = bar, i = below(nr);
	const char *what;
	int want, fd;

	memcpy(r, nb->ranges, sizeof(r));
	switch (below(9)) {
	case 0:
		what = "no ranges";
		nr = 0;
		want = EINVAL;
		break;
	case 1:
		what = "flags";
		flags = 1u << below(32);
		want = EINVAL;
		break;
	case 2:
		/* The ROM, config space, VGA: not a BAR */
		what = "not a BAR";
		index = VFIO_PCI_ROM_REGION_INDEX + below(3);
		want = ENODEV;
		break;
	case 3:
		what = "an empty range";
		r[i].length = 0;
		want = EINVAL;
		break;
	case 4:
		what = "an unaligned offset";
		r[i].offset += 1 + below(page - 1);
		want = EINVAL;
		break;
	case 5:
		what = "an unaligned length";
		r[i].length += 1 + below(page - 1);
		want = EINVAL;
		break;
	case 6: {
		uint64_t pages = bar_size / page;
		uint64_t k = below((pages < 4 ? pages : 4) + 1);

		what = "a range past the end of the BAR";
		r[i].offset = bar_size - k * page;
		r[i].length = (k + 1 + below(4)) * page;
		want = EINVAL;
		break;
	}
	case 7:
		/* The BAR's address plus the offset wraps */
		what = "a range that wraps around";
		r[i].offset = -(uint64_t)(1 + below(4)) * page;
		r[i].length = page;
		want = EOVERFLOW;
		break;
	default:
		/* Two of them overflow the total; one alone is too big */
		what = "lengths that overflow";
		for (i = 0; i < nr; i++)
			r[i].length = 1ull << 63;
		want = EINVAL;
		break;
	}
	fd = vfio_export_dmabuf_ex(dev, index, nb->mode | O_CLOEXEC, flags, r,
				   nr);
	if (fd >= 0) {
		close(fd);
		fail("export with %s: got a DMABUF, expected %s", what,
		     strerror(want));
	}
	if (errno != want)
		fail("export with %s: %s, expected %s", what, strerror(errno),
		     strerror(want));
	refused++;
	return 0;
}

/*
 * Export a new buffer of 1 to MAX_RANGES ranges of the BAR, read-write,
 * read-only or write-only: it must work, and its fd have that access mode
 * (and O_NONBLOCK if asked).  One export in eight is a request that must
 * fail instead.
 */
static int64_t do_export(void)
{
	uint64_t pages = bar_size / page;
	int b = FREE_SLOT(bufs, MAX_BUFS), f = FREE_SLOT(fds, MAX_FDS);
	int fd, fl, open_flags;
	struct buf *nb;
	unsigned int i;

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
	nb->mode = pick_mode();
	if (!below(8))
		return export_bad(nb);

	open_flags = nb->mode | O_CLOEXEC | (below(8) ? 0 : O_NONBLOCK);
	fd = vfio_export_dmabuf_ex(dev, bar, open_flags, 0, nb->ranges,
				   nb->nr);
	if (fd < 0)
		fail("export of %u ranges (open flags 0%o): %s", nb->nr,
		     open_flags, strerror(errno));
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != nb->mode ||
	    (fl & O_NONBLOCK) != (open_flags & O_NONBLOCK))
		fail("export with open flags 0%o: the fd has flags 0%o",
		     open_flags, fl);
	nb->used = true;
	fds[f] = (struct fd){ .used = true, .who = PRIMARY, .buf = b,
			      .num = fd };
	return 0;
}

/* The protection to map buffer @b with: what its access mode allows, mostly */
static int pick_prot(const struct buf *b)
{
	if (b->mode == O_RDWR)
		return below(8) ? PROT_READ | PROT_WRITE : PROT_READ;
	return below(4) ? PROT_READ : PROT_READ | PROT_WRITE;
}

/*
 * mmap() of part of a buffer, by either process: mostly right, sometimes
 * one page too long or MAP_PRIVATE; mmap_errno() says what it returns.
 */
static int64_t do_mmap(void)
{
	enum who who = below(2) ? PRIMARY : SUBORDINATE;
	int fi = pick(fd_of, MAX_FDS, &who), mi = FREE_SLOT(maps, MAX_MAPS);
	int flags = MAP_SHARED, prot, want;
	uint64_t pages, pgoff, len;
	struct buf *b;
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
	prot = pick_prot(b);
	want = mmap_errno(b, pgoff, len, prot, flags);

	ret = call(who, (struct req){ .op = S_MMAP, .fd = fds[fi].num,
				      .prot = prot, .flags = flags,
				      .len = len * page,
				      .off = pgoff * page }).ret;
	if (want && ret != -want)
		fail("%s mmap of buffer %d (%s%s, mode %d, pages %llu+%llu of %llu, %s, prot %d): expected %s, got %s",
		     who_str(who), fds[fi].buf,
		     b->revoked ? "revoked" : "usable",
		     b->orphan ? ", device closed" : "", b->mode,
		     (unsigned long long)pgoff, (unsigned long long)len,
		     (unsigned long long)pages,
		     flags == MAP_SHARED ? "shared" : "private", prot,
		     strerror(want), ret < 0 ? strerror(-ret) : "a mapping");
	if (!want && ret < 0)
		fail("%s mmap of buffer %d: %s", who_str(who), fds[fi].buf,
		     strerror(-ret));
	if (want) {
		refused++;
		return 0;
	}
	mi = add_map((struct map){ .who = who, .buf = fds[fi].buf,
				   .pgoff = pgoff, .len = len * page,
				   .addr = ret,
				   .writable = prot & PROT_WRITE });
	probe_map(mi);
	return 0;
}

static int64_t do_bar_mmap(void)
{
	uint64_t pages = bar_size / page, pgoff, len;
	int prot = below(8) ? PROT_READ | PROT_WRITE : PROT_READ, mi;
	void *p;

	if (!free_maps())
		return -1;
	pgoff = below(pages);
	len = 1 + below(pages - pgoff < 64 ? pages - pgoff : 64);
	p = mmap(NULL, len * page, prot, MAP_SHARED, dev,
		 bar_offset + pgoff * page);
	if (p == MAP_FAILED)
		fail("BAR mmap of pages %llu+%llu: %s",
		     (unsigned long long)pgoff, (unsigned long long)len,
		     strerror(errno));
	mi = add_map((struct map){ .who = PRIMARY, .buf = -1, .pgoff = pgoff,
				   .len = len * page, .addr = (uint64_t)p,
				   .writable = prot & PROT_WRITE });
	probe_map(mi);
	return 0;
}

/*
 * mmap() at an address aligned to the huge blocks of the BAR (2 MiB with
 * 4 KiB pages), of a new buffer of whole blocks at block-aligned offsets
 * of the BAR, or of the BAR itself: the fault handler may then map it with
 * huge entries, and the accesses at block boundaries (pick_page()) cross
 * from one to the next.  A buffer mapping may start or end within a block
 * (the address keeps the alignment of the buffer offset), which the fault
 * handler must map with small entries.  Only where the BAR holds a block.
 */
static int64_t do_huge(void)
{
	uint64_t blocks = bar_size / pmd, bpages = pmd / page, total = 0;
	uint64_t pgoff, len, head = 0, first, nr;
	int b, f, fd, mi, prot = PROT_READ | PROT_WRITE;
	struct buf *nb;
	int64_t addr;
	unsigned int i;
	void *p;

	if (!blocks || free_maps() < 1)
		return -1;
	if (!below(4)) {
		/* Blocks of the BAR through the device fd */
		nr = 1 + below(blocks < HUGE_BLOCKS ? blocks : HUGE_BLOCKS);
		pgoff = below(blocks - nr + 1) * bpages;
		len = nr * pmd;
		addr = reserve(len, pmd, 0);
		if (addr < 0)
			fail("address space for a huge mapping: %s",
			     strerror(-addr));
		p = mmap((void *)addr, len, prot, MAP_SHARED | MAP_FIXED, dev,
			 bar_offset + pgoff * page);
		if (p != (void *)addr)
			fail("BAR mmap of %llu blocks at a block-aligned address: %s",
			     (unsigned long long)nr,
			     p == MAP_FAILED ? strerror(errno) : "moved");
		mi = add_map((struct map){ .who = PRIMARY, .buf = -1,
					   .pgoff = pgoff, .len = len,
					   .addr = addr, .writable = true });
		goto probe;
	}

	b = FREE_SLOT(bufs, MAX_BUFS);
	f = FREE_SLOT(fds, MAX_FDS);
	if (b < 0 || f < 0)
		return -1;
	nb = &bufs[b];
	memset(nb, 0, sizeof(*nb));
	nb->mode = below(4) ? O_RDWR : O_RDONLY;
	nb->nr = below(4) ? 1 + below(2) : 1;
	for (i = 0; i < nb->nr; i++) {
		nr = 1 + below(blocks < 2 ? blocks : 2);
		nb->ranges[i].offset = below(blocks - nr + 1) * pmd;
		nb->ranges[i].length = nr * pmd;
		total += nr;
	}
	if (nb->nr == 1 && !below(4)) {
		nb->ranges[0] = (struct vfio_region_dma_range){ 0, bar_size };
		total = blocks;
	}
	for (i = 0; i < nb->nr; i++)
		nb->size += nb->ranges[i].length;
	fd = vfio_export_dmabuf_ex(dev, bar, nb->mode | O_CLOEXEC, 0,
				   nb->ranges, nb->nr);
	if (fd < 0)
		fail("export of %u ranges of whole blocks: %s", nb->nr,
		     strerror(errno));
	nb->used = true;
	fds[f] = (struct fd){ .used = true, .who = PRIMARY, .buf = b,
			      .num = fd };

	first = below(total);
	nr = 1 + below(total - first < HUGE_BLOCKS ? total - first :
						      HUGE_BLOCKS);
	pgoff = first * bpages;
	len = nr * pmd;
	if (!below(4)) {
		/* Start within the first block */
		head = 1 + below(bpages - 1);
		pgoff += head;
		len -= head * page;
	}
	if (!below(4) && len > pmd)	/* end within the last block */
		len -= (1 + below(bpages - 1)) * page;
	if (nb->mode == O_RDONLY)
		prot = PROT_READ;
	addr = reserve(len, pmd, head * page);
	if (addr < 0)
		fail("address space for a huge mapping: %s", strerror(-addr));
	p = mmap((void *)addr, len, prot, MAP_SHARED | MAP_FIXED, fd,
		 pgoff * page);
	if (p != (void *)addr)
		fail("mmap of buffer %d (pages %llu+%llu) at a block-aligned address: %s",
		     b, (unsigned long long)pgoff,
		     (unsigned long long)(len / page),
		     p == MAP_FAILED ? strerror(errno) : "moved");
	mi = add_map((struct map){ .who = PRIMARY, .buf = b, .pgoff = pgoff,
				   .len = len, .addr = addr,
				   .writable = prot & PROT_WRITE });
probe:
	/* Both ends, and both sides of the first block boundary within */
	check_access(mi, 0);
	check_access(mi, maps[mi].len / page - 1);
	first = (maps[mi].addr / pmd + 1) * pmd;
	if (first < maps[mi].addr + maps[mi].len) {
		check_access(mi, (first - maps[mi].addr) / page - 1);
		check_access(mi, (first - maps[mi].addr) / page);
	}
	probe_map(mi);
	return 0;
}

static int64_t do_munmap(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL);
	struct map *m;
	int64_t ret;

	if (mi < 0)
		return -1;
	m = &maps[mi];
	lock_maps();
	ret = call(m->who, (struct req){ .op = S_MUNMAP, .addr = m->addr,
					 .len = m->len }).ret;
	if (ret)
		fail("munmap of map %d: %s", mi, strerror(-ret));
	m->used = false;
	buf_put_if_unused(m->buf);
	unlock_maps();
	return 0;
}

/*
 * munmap() of the head, the tail or the middle of a mapping: it works, and
 * the kernel splits the VMA as the model splits the mapping (carve()).
 * What is left still maps the same buffer pages; the hole faults SIGSEGV.
 */
static int64_t do_munmap_part(void)
{
	uint64_t two = 2, pages, s, n, start;
	int mi = pick(map_pages, MAX_MAPS, &two), kind, rest;
	struct map *m;
	enum who who;
	int64_t ret;

	if (mi < 0)
		return -1;
	m = &maps[mi];
	who = m->who;
	pages = m->len / page;
	kind = below(3);
	if (kind == 2 && (pages < 3 || !free_maps()))
		kind = below(2);
	if (kind == 0) {		/* the head */
		s = 0;
		n = 1 + below(pages - 1);
	} else if (kind == 1) {		/* the tail */
		n = 1 + below(pages - 1);
		s = pages - n;
	} else {			/* the middle */
		s = 1 + below(pages - 2);
		n = 1 + below(pages - 1 - s);
	}
	start = m->addr + s * page;
	lock_maps();
	ret = call(who, (struct req){ .op = S_MUNMAP, .addr = start,
				      .len = n * page }).ret;
	if (ret)
		fail("%s munmap of pages %llu+%llu of map %d: %s",
		     who_str(who), (unsigned long long)s,
		     (unsigned long long)n, mi, strerror(-ret));
	rest = carve(who, start, start + n * page);
	check_hole(who, start, n * page);
	unlock_maps();
	/* What is left on either side */
	probe_map(mi);
	if (rest >= 0)
		probe_map(rest);
	return 0;
}

/*
 * mremap() of a mapping, or of part of it:
 *   - a move of the same size to an address of our own (MREMAP_FIXED,
 *     sometimes keeping the huge-block alignment) works: the mapping moves
 *     with its buffer offset and the old range faults SIGSEGV;
 *   - growing it fails with EFAULT (VM_DONTEXPAND; check_prep_vma()),
 *     moving or not, and changes nothing;
 *   - shrinking it works: the end it drops is unmapped;
 *   - MREMAP_DONTUNMAP fails with EINVAL (VM_DONTEXPAND) and changes
 *     nothing.
 */
static int64_t do_mremap(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL), kind = below(8);
	uint64_t start, len, align = page, off = 0;
	struct map *m, moved;
	enum who who;
	int64_t ret, to;

	if (mi < 0)
		return -1;
	m = &maps[mi];
	who = m->who;
	pick_range(m, &start, &len);
	lock_maps();
	if (kind < 4) {
		/* A middle part splits the mapping; the moved part is new */
		if (free_maps() < 2) {
			unlock_maps();
			return -1;
		}
		if (len >= pmd && below(2)) {
			align = pmd;
			off = start % pmd;
		}
		to = call(who, (struct req){ .op = S_RESERVE, .len = len,
					     .align = align,
					     .off = off }).ret;
		if (to < 0)
			fail("%s: address space to move to: %s", who_str(who),
			     strerror(-to));
		ret = call(who, (struct req){ .op = S_MREMAP, .addr = start,
					      .len = len, .new_len = len,
					      .flags = MREMAP_MAYMOVE |
						       MREMAP_FIXED,
					      .new_addr = to }).ret;
		if (ret != to)
			fail("%s mremap move of %llu pages of map %d (buffer %d): %s",
			     who_str(who), (unsigned long long)(len / page),
			     mi, m->buf, ret < 0 ? strerror(-ret) : "moved elsewhere");
		moved = *m;
		moved.addr = to;
		moved.pgoff += (start - m->addr) / page;
		moved.len = len;
		carve(who, start, start + len);
		mi = add_map(moved);
		check_hole(who, start, len);
		unlock_maps();
		probe_map(mi);
		return 0;
	}
	if (kind < 6) {
		uint64_t more = (1 + below(4)) * page;
		int flags = below(2) ? MREMAP_MAYMOVE : 0;

		ret = call(who, (struct req){ .op = S_MREMAP, .addr = start,
					      .len = len,
					      .new_len = len + more,
					      .flags = flags }).ret;
		if (ret != -EFAULT)
			fail("%s mremap growing %llu pages of map %d by %llu (%s): %s, expected %s",
			     who_str(who), (unsigned long long)(len / page),
			     mi, (unsigned long long)(more / page),
			     flags ? "may move" : "in place", err_str(ret),
			     strerror(EFAULT));
	} else if (kind == 6 && len >= 2 * (uint64_t)page) {
		uint64_t keep = (1 + below(len / page - 1)) * page;

		if (splits_needed(who, start + keep, start + len) >
		    free_maps()) {
			unlock_maps();
			return -1;
		}
		ret = call(who, (struct req){ .op = S_MREMAP, .addr = start,
					      .len = len,
					      .new_len = keep }).ret;
		if (ret != (int64_t)start)
			fail("%s mremap shrinking %llu pages of map %d to %llu: %s",
			     who_str(who), (unsigned long long)(len / page),
			     mi, (unsigned long long)(keep / page),
			     ret < 0 ? strerror(-ret) : "moved");
		carve(who, start + keep, start + len);
		check_hole(who, start + keep, len - keep);
		put_unused_bufs();
	} else {
		ret = call(who, (struct req){ .op = S_MREMAP, .addr = start,
					      .len = len, .new_len = len,
					      .flags = MREMAP_MAYMOVE |
						       MREMAP_DONTUNMAP }).ret;
		if (ret != -EINVAL)
			fail("%s mremap of map %d with MREMAP_DONTUNMAP: %s, expected %s",
			     who_str(who), mi, err_str(ret),
			     strerror(EINVAL));
	}
	unlock_maps();
	if (maps[mi].used)
		probe_map(mi);
	return 0;
}

/*
 * Set mapping @mi's [@start, @start + @len) writable or not, splitting it
 * where that changes (mprotect_fixup() splits the VMA only then).  Under
 * map_lock; the caller made sure of the slots.
 */
static void set_writable(int mi, uint64_t start, uint64_t len, bool writable)
{
	uint64_t end = start + len;

	if (maps[mi].writable == writable)
		return;
	if (maps[mi].addr + maps[mi].len > end)
		split_map(mi, end);
	if (maps[mi].addr < start)
		mi = split_map(mi, start);
	maps[mi].writable = writable;
}

/*
 * mprotect() of a mapping, or of part of it, to PROT_READ (a write then
 * faults SIGSEGV, check_access()) or to PROT_READ | PROT_WRITE: that fails
 * with EACCES for a read-only buffer, whose mappings are not VM_MAYWRITE,
 * and changes nothing; otherwise writes work again.
 */
static int64_t do_mprotect(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL), prot, want, i;
	uint64_t start, len;
	struct map *m;
	int64_t ret;

	/* Up to two splits */
	if (mi < 0 || free_maps() < 2)
		return -1;
	m = &maps[mi];
	pick_range(m, &start, &len);
	prot = below(2) ? PROT_READ : PROT_READ | PROT_WRITE;
	want = (prot & PROT_WRITE) && !map_may_write(m) ? -EACCES : 0;
	/* Reads race with it from the second thread: no lock for the call */
	ret = call(m->who, (struct req){ .op = S_MPROTECT, .addr = start,
					 .len = len, .prot = prot }).ret;
	if (ret != want)
		fail("%s mprotect of pages %llu+%llu of map %d (buffer %d%s) to %s: %s, expected %s",
		     who_str(m->who),
		     (unsigned long long)((start - m->addr) / page),
		     (unsigned long long)(len / page), mi, m->buf,
		     map_may_write(m) ? "" : ", read-only",
		     prot & PROT_WRITE ? "read-write" : "read-only",
		     err_str(ret), err_str(want));
	if (!ret) {
		lock_maps();
		set_writable(mi, start, len, prot & PROT_WRITE);
		unlock_maps();
	}
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].used && maps[i].who == m->who &&
		    maps[i].addr < start + len &&
		    maps[i].addr + maps[i].len > start)
			probe_map(i);
	return 0;
}

/*
 * madvise(MADV_DONTNEED) of a mapping, or of part of it: BAR mappings and
 * the mappings of exported buffers are VM_PFNMAP, which
 * madvise_dontneed_free_valid_vma() refuses: EINVAL, and the mapping
 * works (or stays revoked) as before.
 */
static int64_t do_madvise(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL), want;
	uint64_t start, len;
	struct map *m;
	int64_t ret;

	if (mi < 0)
		return -1;
	m = &maps[mi];
	pick_range(m, &start, &len);
	want = -EINVAL;
	ret = call(m->who, (struct req){ .op = S_MADVISE, .addr = start,
					 .len = len,
					 .flags = MADV_DONTNEED }).ret;
	if (ret != want)
		fail("%s madvise(MADV_DONTNEED) of pages %llu+%llu of map %d (buffer %d): %s, expected %s",
		     who_str(m->who),
		     (unsigned long long)((start - m->addr) / page),
		     (unsigned long long)(len / page), mi, m->buf,
		     err_str(ret), err_str(want));
	check_access(mi, (start - m->addr) / page);
	check_access(mi, (start + len - m->addr) / page - 1);
	return 0;
}

/* An fd of @arg's process whose buffer a MAP_FIXED mmap() will map */
static bool fd_mappable(int i, void *who)
{
	const struct buf *b = &bufs[fds[i].buf];

	return fd_of(i, who) && b->mode != O_WRONLY && !b->revoked &&
	       !b->orphan;
}

/*
 * A MAP_FIXED mmap() over part (or all) of an existing mapping, of a
 * buffer of the same process or, in the primary, of the BAR: it replaces
 * that part (carve()), and the rest of the old mapping stays as it was.
 * PROT_WRITE of a read-only buffer fails with EACCES before anything is
 * unmapped (do_mmap()), which leaves the old mapping whole.  Only requests
 * that work or fail so: where mmap_region() fails later, whether the old
 * mapping survives is the core's business, not vfio-pci's.
 */
static int64_t do_overlay(void)
{
	int mi = pick(map_any, MAX_MAPS, NULL), fi = -1, prot, want = 0;
	int ni, rest;
	uint64_t pages, spages, n, s, pgoff, start, off;
	const struct buf *b;
	struct map *m, nm;
	enum who who;
	int64_t ret;
	int fd;

	/* A split, and the new mapping */
	if (mi < 0 || free_maps() < 2)
		return -1;
	m = &maps[mi];
	who = m->who;
	if (who == PRIMARY && !below(4)) {
		spages = bar_size / page;
		prot = PROT_READ | PROT_WRITE;
		fd = dev;
	} else {
		fi = pick(fd_mappable, MAX_FDS, &who);
		if (fi < 0)
			return -1;
		b = &bufs[fds[fi].buf];
		spages = b->size / page;
		prot = pick_prot(b);
		if ((prot & PROT_WRITE) && b->mode != O_RDWR)
			want = EACCES;
		fd = fds[fi].num;
	}
	pages = m->len / page;
	n = 1 + below(pages < spages ? pages : spages);
	s = below(pages - n + 1);
	pgoff = below(spages - n + 1);
	start = m->addr + s * page;
	off = fi < 0 ? bar_offset + pgoff * page : pgoff * page;

	lock_maps();
	ret = call(who, (struct req){ .op = S_MMAP, .addr = start,
				      .len = n * page, .prot = prot,
				      .flags = MAP_SHARED | MAP_FIXED,
				      .fd = fd, .off = off }).ret;
	if (want ? ret != -want : ret != (int64_t)start)
		fail("%s MAP_FIXED mmap of %s %d (pages %llu+%llu, prot %d) over pages %llu+%llu of map %d: %s, expected %s",
		     who_str(who), fi < 0 ? "the BAR" : "buffer",
		     fi < 0 ? bar : fds[fi].buf, (unsigned long long)pgoff,
		     (unsigned long long)n, prot, (unsigned long long)s,
		     (unsigned long long)n, mi,
		     ret < 0 ? strerror(-ret) : "a mapping",
		     want ? strerror(want) : "the mapping at that address");
	if (want) {
		refused++;
		unlock_maps();
		probe_map(mi);
		return 0;
	}
	nm = (struct map){ .who = who, .buf = fi < 0 ? -1 : fds[fi].buf,
			   .pgoff = pgoff, .len = n * page, .addr = start,
			   .writable = prot & PROT_WRITE };
	rest = carve(who, start, start + n * page);
	ni = add_map(nm);
	put_unused_bufs();
	unlock_maps();
	/* The new mapping, and what is left of the old one on either side */
	probe_map(ni);
	if (maps[mi].used && mi != ni)
		probe_map(mi);
	if (rest >= 0)
		probe_map(rest);
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

/*
 * REVOKE of a buffer through one of the primary's fds of it: ENODEV if the
 * device was closed since its export (it is not this open's), EBADFD if
 * it is already revoked; otherwise every mapping of it, in both
 * processes, is dead for good.  The model says so once the call returned,
 * which the second thread may rely on.
 */
static int64_t do_revoke(void)
{
	enum who who = PRIMARY;
	int fi = pick(fd_of, MAX_FDS, &who), ret, want;
	struct vfio_device_feature_dma_buf_revoke r;
	struct buf *b;

	if (fi < 0)
		return -1;
	b = &bufs[fds[fi].buf];
	r.dmabuf_fd = fds[fi].num;
	ret = feature(VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, &r, sizeof(r));
	want = b->orphan ? -ENODEV : b->revoked ? -EBADFD : 0;
	if (ret != want)
		fail("REVOKE of buffer %d%s: expected %d, got %d", fds[fi].buf,
		     b->orphan ? " (device closed since)" : "", want, ret);
	if (!ret)
		STORE(b->revoked, true);
	probe_buf(fds[fi].buf);
	return 0;
}

static int64_t do_memattr(void)
{
	enum who who = PRIMARY;
	int fi = pick(fd_of, MAX_FDS, &who), ret, want;
	struct vfio_device_feature_dma_buf_memattr a;
	struct buf *b;

	if (fi < 0)
		return -1;
	b = &bufs[fds[fi].buf];
	a.dmabuf_fd = fds[fi].num;
	a.memattr = below(3);	/* NC, WC, or one this kernel does not know */
	if (b->orphan)
		want = -ENODEV;
	else if (b->revoked)
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
	ret = call(fds[fi].who, (struct req){ .op = S_DUP,
					      .fd = fds[fi].num }).ret;
	if (ret < 0)
		fail("dup of fd %d: %s", fi, strerror(-ret));
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
	ret = call(fds[fi].who, (struct req){ .op = S_CLOSE,
					      .fd = fds[fi].num }).ret;
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
 * number of differences from the model.  It has only the thread that
 * forked it.
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
			if (try_read(maps[i].addr, &val) !=
			    (map_live(&maps[i]) ? 0 : SIGBUS))
				bad++;
		}
		if (fi >= 0) {
			int want = mmap_errno(&bufs[fds[fi].buf], 0, 1,
					      PROT_READ, MAP_SHARED);
			void *p = mmap(NULL, page, PROT_READ, MAP_SHARED,
				       fds[fi].num, 0);

			if ((p == MAP_FAILED) != !!want ||
			    (want && errno != want))
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

/*
 * Memory decode off revokes every buffer (and BAR mapping) for now; on
 * restores those not revoked for good.  Turning it on is a change the
 * second thread must not judge across (epoch).
 */
static int64_t do_decode(void)
{
	uint16_t cmd;

	if (pread(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		fail("config read: %s", strerror(errno));
	cmd ^= PCI_COMMAND_MEMORY;
	change_begin();
	if (pwrite(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		fail("config write: %s", strerror(errno));
	STORE(decode, !!(cmd & PCI_COMMAND_MEMORY));
	change_end();
	return 0;
}

/* A reset revokes every buffer while it lasts; then they are as before */
static int64_t do_reset(void)
{
	if (!can_reset)
		return -1;
	change_begin();
	if (ioctl(dev, VFIO_DEVICE_RESET))
		fail("VFIO_DEVICE_RESET: %s", strerror(errno));
	change_end();
	/* Buffers revoked for good stay so; the others work again */
	sweep();
	return 0;
}

/* Map the whole BAR through the device fd (ref), and read memory decode */
static void map_ref(void)
{
	uint16_t cmd;
	void *p;

	if (pread(dev, &cmd, 2, cfg_offset + PCI_COMMAND) != 2)
		fail("config read: %s", strerror(errno));
	STORE(decode, !!(cmd & PCI_COMMAND_MEMORY));
	p = mmap(NULL, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 bar_offset);
	if (p == MAP_FAILED)
		fail("mmap of the BAR: %s", strerror(errno));
	lock_maps();
	ref = p;
	unlock_maps();
}

/*
 * The primary closes the device and opens it again.  A BAR mapping holds
 * the device file (through the buffer behind it), so every one is
 * unmapped first, ref too: the close is then the last one and closes the
 * device, which revokes every buffer exported from it for good
 * (vfio_pci_dma_buf_cleanup()), in both processes: their mappings fault,
 * and mmap(), REVOKE and MEMATTR of them fail with ENODEV.  Buffers
 * exported after the new open work.  The second thread reads on through
 * the DMABUF mappings while the device closes.
 */
static int64_t do_reopen(void)
{
	const char *what;
	int i;

	lock_maps();
	for (i = 0; i < MAX_MAPS; i++) {
		if (!maps[i].used || maps[i].buf >= 0)
			continue;
		if (munmap((void *)maps[i].addr, maps[i].len))
			fail("munmap of BAR map %d: %s", i, strerror(errno));
		maps[i].used = false;
	}
	if (munmap((void *)ref, bar_size))
		fail("munmap of the BAR: %s", strerror(errno));
	ref = NULL;
	unlock_maps();

	change_begin();
	if (close(dev) || close(iommufd))
		fail("closing the device: %s", strerror(errno));
	for (i = 0; i < MAX_BUFS; i++)
		if (bufs[i].used)
			STORE(bufs[i].orphan, true);
	dev = vfio_try_open_bdf(bdf, &iommufd, &what);
	if (dev < 0)
		fail("opening the device again: %s: %s", what,
		     strerror(errno));
	map_ref();
	change_end();
	sweep();
	return 0;
}

static int64_t (*const ops[NR_OPS])(void) = {
	[OP_EXPORT] = do_export, [OP_MMAP] = do_mmap,
	[OP_BAR_MMAP] = do_bar_mmap, [OP_MUNMAP] = do_munmap,
	[OP_ACCESS] = do_access, [OP_REVOKE] = do_revoke,
	[OP_MEMATTR] = do_memattr, [OP_SEND] = do_send, [OP_DUP] = do_dup,
	[OP_CLOSE] = do_close, [OP_FORK] = do_fork, [OP_DECODE] = do_decode,
	[OP_RESET] = do_reset, [OP_MUNMAP_PART] = do_munmap_part,
	[OP_MREMAP] = do_mremap, [OP_MPROTECT] = do_mprotect,
	[OP_MADVISE] = do_madvise, [OP_OVERLAY] = do_overlay,
	[OP_HUGE] = do_huge, [OP_REOPEN] = do_reopen,
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
	uint16_t vendor, device;
	int i;

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
	/* ivshmem's BAR2 is shared memory */
	ram = vendor == 0x1af4 && device == 0x1110 && bar == 2;

	map_ref();
	/*
	 * The kernel under test exports DMABUFs: an export that fails here is
	 * a failure of the run, not a reason to skip it.
	 */
	i = vfio_export_dmabuf(dev, bar, &(struct vfio_region_dma_range){
				       0, page }, 1);
	if (i < 0)
		fail("DMABUF export of the first page of BAR %d: %s", bar,
		     strerror(errno));
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

	if (!ram || !saved || !ref)
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
	struct sigaction sa = { .sa_handler = on_fault };
	pthread_mutexattr_t attr;
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
	/* A page table page holds page / 8 entries */
	pmd = (uint64_t)page * (page / 8);
	setvbuf(stdout, NULL, _IOLBF, 0);
	primary_pid = getpid();
	printf("TAP version 13\n1..1\n");
	if (sigaction(SIGBUS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		die(PROG, "sigaction");
	if (pthread_mutexattr_init(&attr) ||
	    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) ||
	    pthread_mutex_init(&map_lock, &attr))
		die(PROG, "pthread_mutex_init");

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
	printf("# %s: seed %llu, %llu steps, BAR %d (%llu KiB%s%s), reset %s\n",
	       bdf, (unsigned long long)seed, (unsigned long long)nops, bar,
	       (unsigned long long)bar_size >> 10, ram ? ", memory" : "",
	       bar_size >= pmd ? ", huge blocks" : "",
	       can_reset ? "yes" : "no");
	rng_state = rng_seed(seed);
	start_toucher();

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
		check_toucher();
	}
	sweep();
	stop_toucher();
	check_toucher();
	teardown();

	printf("#");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s %lu", op_names[i], op_count[i]);
	printf("\n# accesses: %lu live, %lu faulted as the model said, %lu writes to read-only mappings SIGSEGV; %lu calls refused as it said\n",
	       live_accesses, dead_accesses, segv_accesses, refused);
	printf("# second thread: %lu reads done (%lu compared with the BAR), %lu faulted\n",
	       touch_done, touch_checked, touch_faulted);
	/* A second thread that never read, or never saw a fault, raced nothing */
	if (!touch_done || (nops >= 1000 && !touch_faulted))
		fail("second thread: %lu reads, %lu faults: it did not race",
		     touch_done, touch_faulted);

	close(sock);
	if (waitpid(sub_pid, NULL, 0) != sub_pid)
		fail("subordinate: %s", strerror(errno));
	printf("ok 1 %s seed=%llu ops=%llu\n", PROG, (unsigned long long)seed,
	       (unsigned long long)nops);
	return 0;
}
