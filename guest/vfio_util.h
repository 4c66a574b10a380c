/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the harness's guest programs: open a vfio-pci
 * device by BDF through its VFIO cdev, bound to a fresh iommufd IOAS, and
 * map one of its BARs through the device fd.
 */
#ifndef VFIO_UTIL_H
#define VFIO_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

static inline void die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* Returns the device fd, bound to a new IOAS on a new iommufd (*iommufd). */
static inline int vfio_open_bdf(const char *prog, const char *bdf, int *iommufd)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[512];
	struct dirent *de;
	DIR *dir;
	int dev;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		die(prog, path);
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4))
			break;
	if (!de)
		die(prog, "no vfio-dev entry");
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
	closedir(dir);

	dev = open(path, O_RDWR);
	if (dev < 0)
		die(prog, path);
	*iommufd = open("/dev/iommu", O_RDWR);
	if (*iommufd < 0)
		die(prog, "open /dev/iommu");
	bind.iommufd = *iommufd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die(prog, "VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(*iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die(prog, "IOMMU_IOAS_ALLOC");
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		die(prog, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	return dev;
}

/* mmap() BAR @index of @dev through the device fd; *size gets its size. */
static inline void *vfio_map_bar(const char *prog, int dev, int index,
				 unsigned long long *size)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	void *p;

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &info))
		die(prog, "VFIO_DEVICE_GET_REGION_INFO");
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 info.offset);
	if (p == MAP_FAILED)
		die(prog, "mmap BAR");
	*size = info.size;
	return p;
}

/*
 * Export @nr ranges of BAR @index of @dev as one DMABUF
 * (VFIO_DEVICE_FEATURE_DMA_BUF): its fd, or -1 with errno set.
 */
static inline int vfio_export_dmabuf(int dev, int index,
				     const struct vfio_region_dma_range *ranges,
				     unsigned int nr)
{
	size_t argsz = sizeof(struct vfio_device_feature) +
		       sizeof(struct vfio_device_feature_dma_buf) +
		       nr * sizeof(*ranges);
	struct vfio_device_feature_dma_buf *get;
	struct vfio_device_feature *feature;
	int fd, err;

	feature = calloc(1, argsz);
	if (!feature)
		return -1;
	feature->argsz = argsz;
	feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	get = (void *)feature->data;
	get->region_index = index;
	get->open_flags = O_RDWR | O_CLOEXEC;
	get->nr_ranges = nr;
	memcpy(get->dma_ranges, ranges, nr * sizeof(*ranges));
	fd = ioctl(dev, VFIO_DEVICE_FEATURE, feature);
	err = errno;
	free(feature);
	errno = err;
	return fd;
}

#endif
