// How much a program's CPU depends on what ran just before it: runs PROGRAM RUNS times back to
// back (fork + execve + wait4, output to /dev/null) and prints the first run's CPU, the second's
// and the median, from wait4's rusage. Run it on the host and inside a box
// (`runner run --workdir DIR -- /box/hotloop ...`) to tell the box's own cost from a cold start.
//   hotloop RUNS PROGRAM [ARGS...]
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[1]) : 0;
    if (runs < 2 || runs > 10000) {
        fprintf(stderr, "usage: hotloop RUNS PROGRAM [ARGS...]   (RUNS from 2 to 10000)\n");
        return 2;
    }
    double *cpu = malloc(sizeof *cpu * runs);
    int devnull = open("/dev/null", O_WRONLY);
    for (int i = 0; i < runs; i++) {
        pid_t pid = fork();
        if (pid < 0) { perror("hotloop: fork"); return 1; }
        if (pid == 0) {
            dup2(devnull, 1);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0) { perror("hotloop: wait4"); return 1; }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "hotloop: %s failed (status 0x%x)\n", argv[2], status);
            return 1;
        }
        cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    }
    double first = cpu[0], second = cpu[1];
    qsort(cpu, runs, sizeof *cpu, by_value);
    printf("{\"first_ms\": %.3f, \"second_ms\": %.3f, \"median_ms\": %.3f}\n", first, second, cpu[runs / 2]);
    return 0;
}
