/* SPDX-License-Identifier: Apache-2.0
 *
 * Load generator of bench/daemon_rate.sh: open + close of a file (two traced events per
 * iteration) at a target rate for a duration, paced in 1 ms slices; rate 0 = as fast as
 * possible. Prints the iterations done and the seconds taken.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double rate, secs, t0, t;
	const char *path;
	long done = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ITERATIONS_PER_SECOND SECONDS FILE\n", argv[0]);
		return 2;
	}
	rate = atof(argv[1]);
	secs = atof(argv[2]);
	path = argv[3];
	t0 = now();
	while ((t = now() - t0) < secs) {
		long target = rate > 0 ? (long)(t * rate) + (long)(rate / 1000) : done + 1000;

		while (done < target) {
			int fd = open(path, O_RDONLY);

			if (fd >= 0)
				close(fd);
			done++;
		}
		if (rate > 0) {
			struct timespec s = { 0, 200000 };

			nanosleep(&s, NULL);
		}
	}
	printf("%ld %.3f\n", done, now() - t0);
	return 0;
}
