// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_demo: what `make` shows in the guest. Opens the edu device given by
 * BDF through the VFIO cdev and iommufd, maps BAR0 through the device fd and
 * talks to the device: reads the magic register and uses the invert one.
 */
#include <stdint.h>
#include "vfio_util.h"

#define EDU_MAGIC	0x010000ed
#define EDU_REG_MAGIC	0x00
#define EDU_REG_INVERT	0x04

int main(int argc, char **argv)
{
	unsigned long long size;
	volatile uint32_t *regs;
	const char *bdf;
	int dev, iommufd;

	if (argc < 2) {
		fprintf(stderr, "usage: vfio_demo <edu BDF>\n");
		return 2;
	}
	bdf = argv[1];

	dev = vfio_open_bdf("vfio_demo", bdf, &iommufd);
	printf("edu %s: opened through the VFIO cdev, attached to an iommufd IOAS\n", bdf);
	regs = vfio_map_bar("vfio_demo", dev, VFIO_PCI_BAR0_REGION_INDEX, &size);
	printf("edu %s: BAR0 (%llu KiB) mapped through the device fd\n", bdf, size >> 10);

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
	munmap((void *)regs, size);
	close(dev);
	close(iommufd);
	printf("edu %s: the device works through vfio-pci\n", bdf);
	return 0;
}
