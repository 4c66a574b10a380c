// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_demo: what `make` shows in the guest. Opens the edu device given by
 * BDF through the VFIO cdev and iommufd, maps BAR0 through the device fd and
 * talks to the device: reads the magic register and uses the invert one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#define EDU_MAGIC	0x010000ed
#define EDU_REG_MAGIC	0x00
#define EDU_REG_INVERT	0x04

static void die(const char *what)
{
	fprintf(stderr, "vfio_demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_cdev(const char *bdf)
{
	char path[512];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		die(path);
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4))
			break;
	if (!de)
		die("no vfio-dev entry");
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
	closedir(dir);
	return open(path, O_RDWR);
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_region_info bar = { .argsz = sizeof(bar) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	volatile uint32_t *regs;
	const char *bdf;
	int dev, iommufd;

	if (argc < 2) {
		fprintf(stderr, "usage: vfio_demo <edu BDF>\n");
		return 2;
	}
	bdf = argv[1];

	dev = open_cdev(bdf);
	if (dev < 0)
		die("open VFIO cdev");
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("open /dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	printf("edu %s: opened through VFIO cdev + iommufd (IOAS %u)\n",
	       bdf, ioas.out_ioas_id);

	bar.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar))
		die("VFIO_DEVICE_GET_REGION_INFO");
	regs = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		    bar.offset);
	if (regs == MAP_FAILED)
		die("mmap BAR0");
	printf("edu %s: BAR0 (%llu KiB) mapped through the device fd\n", bdf,
	       (unsigned long long)bar.size >> 10);

	printf("edu %s: magic register reads 0x%08x (expected 0x%08x)\n", bdf,
	       regs[EDU_REG_MAGIC / 4], EDU_MAGIC);
	regs[EDU_REG_INVERT / 4] = 0x12345678;
	printf("edu %s: invert(0x12345678) reads 0x%08x (expected 0x%08x)\n",
	       bdf, regs[EDU_REG_INVERT / 4], ~0x12345678u);
	if (regs[EDU_REG_MAGIC / 4] != EDU_MAGIC ||
	    regs[EDU_REG_INVERT / 4] != ~0x12345678u) {
		fprintf(stderr, "vfio_demo: the device did not answer as edu\n");
		return 1;
	}
	munmap((void *)regs, bar.size);
	close(dev);
	close(iommufd);
	printf("edu %s: the device works through vfio-pci\n", bdf);
	return 0;
}
