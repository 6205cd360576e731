/*
 * sleeper [SECONDS]: sleeps without using CPU, for wall-time limits and for tests that
 * need a live process to inspect. Runs only inside the test VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    double s = argc > 1 ? atof(argv[1]) : 3600;
    struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0)
        ;
    printf("sleeper: done\n");
    return 0;
}
