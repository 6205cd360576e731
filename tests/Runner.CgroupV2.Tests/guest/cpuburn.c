/*
 * cpuburn [THREADS [SECONDS]]: spins on THREADS threads (default 1) for SECONDS of wall
 * time (default: forever), so CPU-time limits of the whole box, threads included, can be
 * observed. Runs only inside the test VM.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds = 0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
    (void)arg;
    volatile unsigned long x = 0;
    double end = now() + seconds;
    for (;;) {
        for (int i = 0; i < 1000000; i++)
            x += i;
        if (seconds > 0 && now() >= end)
            break;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    seconds = argc > 2 ? atof(argv[2]) : 0;
    if (threads < 1)
        threads = 1;
    pthread_t t[64];
    if (threads > 64)
        threads = 64;
    for (int i = 1; i < threads; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    spin(NULL);
    for (int i = 1; i < threads; i++)
        pthread_join(t[i], NULL);
    printf("cpuburn: done\n");
    return 0;
}
