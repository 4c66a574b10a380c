// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_vend_demo: the vend/revoke model that the series exists for, in a
 * few readable lines. A primary process owns edu through VFIO, exports a
 * DMABUF of BAR0's first page (the registers) and passes its fd over a unix
 * socket to a subordinate process, which mmap()s it and drives the device
 * through it, and cannot map more than it was given. The primary then
 * revokes the buffer; the subordinate's next access raises SIGBUS.
 * Exits 0 only if every step behaved as described.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "vfio_util.h"

#define EDU_MAGIC	0x010000ed

static sigjmp_buf jmp;

static void on_sigbus(int sig)
{
	siglongjmp(jmp, 1);
}

static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		die("primary", "sendmsg");
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		die("subordinate", "recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		die("subordinate", "no fd in the message");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void sync_byte(int sock, const char *who, int send)
{
	char b = 'S';

	if ((send ? write(sock, &b, 1) : read(sock, &b, 1)) != 1)
		die(who, "socket");
}

/* The subordinate: knows nothing of VFIO, only has the DMABUF fd */
static int subordinate(int sock)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	volatile uint32_t *regs;
	long pg = getpagesize();
	uint32_t magic;
	int fd;

	fd = recv_fd(sock);
	regs = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (regs == MAP_FAILED)
		die("subordinate", "mmap of the DMABUF");
	magic = regs[0];
	regs[1] = 0x12345678;
	printf("subordinate: got a DMABUF fd, mapped it: magic 0x%08x, invert(0x12345678) = 0x%08x\n",
	       magic, regs[1]);
	if (magic != EDU_MAGIC || regs[1] != ~0x12345678u)
		return 1;
	if (mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED ||
	    errno != EINVAL)
		return 2;
	printf("subordinate: cannot map more than it was given (EINVAL)\n");
	close(fd);	/* the mapping holds the buffer */

	sync_byte(sock, "subordinate", 1);	/* tell the primary */
	sync_byte(sock, "subordinate", 0);	/* wait for the revoke */

	sigaction(SIGBUS, &sa, NULL);
	if (!sigsetjmp(jmp, 1)) {
		magic = regs[0];
		printf("subordinate: still reads 0x%08x after the revoke\n", magic);
		return 3;
	}
	printf("subordinate: next access after the revoke: SIGBUS\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_region_dma_range range = { .offset = 0 };
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf_revoke revoke;
	} rev = {
		.hdr.argsz = sizeof(rev),
		.hdr.flags = VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
	};
	int dev, iommufd, buf, sv[2], status;
	volatile uint32_t *regs;
	unsigned long long size;
	const char *bdf;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: vfio_vend_demo <edu BDF>\n");
		return 2;
	}
	bdf = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	dev = vfio_open_bdf("primary", bdf, &iommufd);
	range.length = getpagesize();
	buf = vfio_export_dmabuf(dev, VFIO_PCI_BAR0_REGION_INDEX, &range, 1);
	if (buf < 0)
		die("primary", "VFIO_DEVICE_FEATURE_DMA_BUF");
	printf("primary: owns edu %s through VFIO; exported BAR0 [0, 0x%llx) as DMABUF fd %d\n",
	       bdf, (unsigned long long)range.length, buf);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("primary", "socketpair");
	pid = fork();
	if (pid < 0)
		die("primary", "fork");
	if (!pid) {
		close(sv[0]);
		close(buf);
		close(dev);
		close(iommufd);
		_exit(subordinate(sv[1]));
	}
	close(sv[1]);
	send_fd(sv[0], buf);
	printf("primary: sent the DMABUF fd to subordinate %d over a unix socket\n", pid);

	sync_byte(sv[0], "primary", 0);
	rev.revoke.dmabuf_fd = buf;
	if (ioctl(dev, VFIO_DEVICE_FEATURE, &rev))
		die("primary", "VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE");
	printf("primary: revoked the DMABUF\n");
	sync_byte(sv[0], "primary", 1);

	if (waitpid(pid, &status, 0) != pid)
		die("primary", "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "vfio_vend_demo: the subordinate failed (status 0x%x)\n",
			status);
		return 1;
	}
	regs = vfio_map_bar("primary", dev, VFIO_PCI_BAR0_REGION_INDEX, &size);
	printf("primary: its own BAR0 mapping still reads magic 0x%08x\n",
	       regs[0]);
	if (regs[0] != EDU_MAGIC)
		return 1;
	munmap((void *)regs, size);
	close(buf);
	close(dev);
	close(iommufd);
	return 0;
}
