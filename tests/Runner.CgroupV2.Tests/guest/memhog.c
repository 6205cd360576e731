/*
 * memhog MIB: allocates MIB mebibytes one at a time and writes to every page, so the
 * memory is really charged to the cgroup (untouched malloc memory costs nothing).
 * Prints progress to stdout so a kill by the OOM killer shows how far it got.
 * Runs only inside the test VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 64;
    long page = sysconf(_SC_PAGESIZE);
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (p == NULL) {
            printf("memhog: malloc failed after %ld MiB\n", i);
            return 1;
        }
        for (long off = 0; off < (1 << 20); off += page)
            p[off] = (char)i;
        if ((i + 1) % 8 == 0) {
            printf("memhog: %ld MiB\n", i + 1);
            fflush(stdout);
        }
    }
    printf("memhog: done %ld MiB\n", mib);
    return 0;
}
