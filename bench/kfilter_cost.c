// SPDX-License-Identifier: Apache-2.0
/*
 * A loop of open+close of one file, timed: ns per pair. bench/kfilter_bench.py runs it with
 * no daemon, and with daemons whose kernel filter drops the opens or emits them, to show
 * what the filter's interpretation costs in the kernel against what emitting costs.
 *
 *   kfilter_cost PATH ITERATIONS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: kfilter_cost PATH ITERATIONS\n");
		return 2;
	}
	n = atol(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);

		if (fd < 0) {
			perror("open");
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}
