// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem_hostcheck: end-to-end check of the host check protocol. Maps the
 * RAM-backed BAR2 of the ivshmem device given by BDF through VFIO, checks
 * the signature the host wrote at offset 0 of the backing file before boot,
 * writes a pattern at OFFSET and asks the host to verify it in the file:
 *   VDM-HOSTCHECK bdf=<BDF> offset=<OFFSET> len=<LEN> pattern=<PATTERN>
 */
#include <stdint.h>
#include "vfio_util.h"

#define HOST_SIGNATURE	"VDM-HOST-SEED"

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
	printf("TAP version 13\n1..1\n");
	dev = vfio_open_bdf("ivshmem_hostcheck", argv[1], &iommufd);
	p = vfio_map_bar("ivshmem_hostcheck", dev, VFIO_PCI_BAR2_REGION_INDEX, &size);
	if (size < off + len) {
		printf("ok 1 # SKIP BAR2 is only %llu bytes\n", size);
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
	close(dev);
	close(iommufd);
	return 0;
}
