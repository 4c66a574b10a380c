// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem_hostcheck: end-to-end check of the host check protocol. Maps the
 * RAM-backed BAR2 of the ivshmem device given by BDF through VFIO, checks
 * the signature the host wrote at offset 0 of the backing file before boot,
 * writes a pattern at OFFSET and asks the host to verify it in the file:
 *   VDM-HOSTCHECK bdf=<BDF> offset=<OFFSET> len=<LEN> pattern=<PATTERN>
 * Then the same through the mapping of a DMABUF exported with two ranges of
 * BAR2 and a gap between them: the buffer maps them range after range, so
 * each half of the mapping must land at its own range's offset in the file.
 */
#include <stdint.h>
#include "vfio_util.h"

#define HOST_SIGNATURE	"VDM-HOST-SEED"

/*
 * Write a pattern per range through the mapping of a DMABUF of BAR2 made of
 * two 64 KiB ranges with a gap, and ask the host to find each one at its
 * range's offset in the backing file.
 */
static int dmabuf_check(const char *bdf, int dev)
{
	const struct vfio_region_dma_range range[2] = {
		{ 0x200000, 0x10000 }, { 0x300000, 0x10000 },
	};
	uint32_t pattern[2] = { 0xd1ab0f00, 0xd1ab0f01 };
	unsigned long long len = 0x10000, i;
	volatile uint32_t *map;
	int buf, r;

	buf = vfio_export_dmabuf(dev, VFIO_PCI_BAR2_REGION_INDEX, range, 2);
	if (buf < 0) {
		printf("not ok 2 export a two-range DMABUF of BAR2: %s\n",
		       strerror(errno));
		return 1;
	}
	map = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (map == MAP_FAILED) {
		printf("not ok 2 mmap() of the DMABUF: %s\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < 2; r++)
		for (i = 0; i < len / 4; i++)
			map[r * len / 4 + i] = pattern[r];
	printf("ok 2 wrote through a two-range DMABUF mapping\n");
	for (r = 0; r < 2; r++)
		printf("VDM-HOSTCHECK bdf=%s offset=0x%llx len=0x%llx pattern=0x%08x\n",
		       bdf, (unsigned long long)range[r].offset, len,
		       pattern[r]);
	munmap((void *)map, 2 * len);
	close(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long size, off = 0x100000, len = 0x10000, i;
	uint32_t pattern = 0x5a17c0de;
	volatile uint32_t *p;
	char sig[sizeof(HOST_SIGNATURE)];
	int dev, iommufd;

	if (argc < 2) {
		fprintf(stderr, "usage: ivshmem_hostcheck <ivshmem BDF>\n");
		return 2;
	}
	printf("TAP version 13\n1..2\n");
	dev = vfio_open_bdf("ivshmem_hostcheck", argv[1], &iommufd);
	p = vfio_map_bar("ivshmem_hostcheck", dev, VFIO_PCI_BAR2_REGION_INDEX, &size);
	if (size < off + len) {
		printf("ok 1 # SKIP BAR2 is only %llu bytes\n", size);
		printf("ok 2 # SKIP BAR2 is only %llu bytes\n", size);
		return 4;
	}
	memcpy(sig, (void *)p, sizeof(sig));
	sig[sizeof(sig) - 1] = 0;
	if (strcmp(sig, HOST_SIGNATURE)) {
		printf("not ok 1 BAR2 starts with the host's signature \"%s\", read \"%s\"\n",
		       HOST_SIGNATURE, sig);
		return 1;
	}
	printf("ok 1 BAR2 starts with the host's signature\n");
	for (i = 0; i < len / 4; i++)
		p[(off / 4) + i] = pattern;
	printf("VDM-HOSTCHECK bdf=%s offset=0x%llx len=0x%llx pattern=0x%08x\n",
	       argv[1], off, len, pattern);
	munmap((void *)p, size);

	if (dmabuf_check(argv[1], dev))
		return 1;
	close(dev);
	close(iommufd);
	return 0;
}
