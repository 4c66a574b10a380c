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

/*
 * Open the device at @bdf through its VFIO cdev, bound to a new IOAS on a
 * new iommufd (*iommufd): the device fd, or -1 with errno set and *what
 * naming the step that failed (nothing is left open then).
 */
static inline int vfio_try_open_bdf(const char *bdf, int *iommufd,
				    const char **what)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	static char path[512];
	struct dirent *de;
	int dev, err;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	*what = path;
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4))
			break;
	if (!de) {
		closedir(dir);
		*what = "no vfio-dev entry";
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
	closedir(dir);

	dev = open(path, O_RDWR);
	if (dev < 0)
		return -1;
	*iommufd = open("/dev/iommu", O_RDWR);
	if (*iommufd < 0) {
		*what = "open /dev/iommu";
		goto err_dev;
	}
	bind.iommufd = *iommufd;
	*what = "VFIO_DEVICE_BIND_IOMMUFD";
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		goto err_iommufd;
	*what = "IOMMU_IOAS_ALLOC";
	if (ioctl(*iommufd, IOMMU_IOAS_ALLOC, &ioas))
		goto err_iommufd;
	attach.pt_id = ioas.out_ioas_id;
	*what = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		goto err_iommufd;
	return dev;

err_iommufd:
	err = errno;
	close(*iommufd);
	errno = err;
err_dev:
	err = errno;
	close(dev);
	errno = err;
	return -1;
}

/* Returns the device fd, bound to a new IOAS on a new iommufd (*iommufd). */
static inline int vfio_open_bdf(const char *prog, const char *bdf, int *iommufd)
{
	const char *what;
	int dev = vfio_try_open_bdf(bdf, iommufd, &what);

	if (dev < 0)
		die(prog, what);
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
 * (VFIO_DEVICE_FEATURE_DMA_BUF) with @open_flags (its access mode,
 * O_CLOEXEC, O_NONBLOCK) and @flags (0 for a valid request): its fd, or -1
 * with errno set.
 */
static inline int
vfio_export_dmabuf_ex(int dev, unsigned int index, unsigned int open_flags,
		      unsigned int flags,
		      const struct vfio_region_dma_range *ranges, unsigned int nr)
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
	get->open_flags = open_flags;
	get->flags = flags;
	get->nr_ranges = nr;
	if (nr)
		memcpy(get->dma_ranges, ranges, nr * sizeof(*ranges));
	fd = ioctl(dev, VFIO_DEVICE_FEATURE, feature);
	err = errno;
	free(feature);
	errno = err;
	return fd;
}

/* The same, read-write, close-on-exec and valid */
static inline int vfio_export_dmabuf(int dev, int index,
				     const struct vfio_region_dma_range *ranges,
				     unsigned int nr)
{
	return vfio_export_dmabuf_ex(dev, index, O_RDWR | O_CLOEXEC, 0, ranges,
				     nr);
}

#endif
