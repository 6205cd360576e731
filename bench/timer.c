// The bench's one stopwatch: fork + execve + wait4 of a command, RUNS times after WARMUP
// untimed runs, sleeping GAP_MS between runs (untimed), the command's output thrown away.
// Prints one line of JSON: wall-time percentiles in ms, and the child's CPU time (user +
// system from wait4's rusage) mean and coefficient of variation in ms.
//   timer RUNS WARMUP GAP_MS PROGRAM [ARGS...]
// A C program rather than hyperfine or a shell so the bare rows (/bin/true, python3) pay only
// what any launcher must: one fork, one exec, one wait.
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// One timed run; returns the wall time and stores the child's CPU time.
static double run_once(char **argv, int devnull, double *cpu_ms)
{
    double start = now_ms();
    pid_t pid = fork();
    if (pid < 0) { perror("timer: fork"); exit(1); }
    if (pid == 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) { perror("timer: wait4"); exit(1); }
    double wall = now_ms() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "timer: %s failed (status 0x%x)\n", argv[0], status);
        exit(1);
    }
    *cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    return wall;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: timer RUNS WARMUP GAP_MS PROGRAM [ARGS...]\n");
        return 2;
    }
    int runs = atoi(argv[1]), warmup = atoi(argv[2]);
    double gap_ms = atof(argv[3]);
    char **cmd = argv + 4;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    struct timespec gap = { (time_t)(gap_ms / 1000), (long)(fmod(gap_ms, 1000) * 1e6) };
    double *wall = calloc(runs, sizeof *wall), cpu, cpu_sum = 0, cpu_sq = 0;
    for (int i = 0; i < warmup; i++) run_once(cmd, devnull, &cpu);
    for (int i = 0; i < runs; i++) {
        if (gap_ms > 0) nanosleep(&gap, NULL);
        wall[i] = run_once(cmd, devnull, &cpu);
        cpu_sum += cpu;
        cpu_sq += cpu * cpu;
    }
    qsort(wall, runs, sizeof *wall, by_value);
    double mean = cpu_sum / runs, var = cpu_sq / runs - mean * mean;
    printf("{\"runs\":%d,\"median_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"min_ms\":%.3f,\"cpu_mean_ms\":%.3f,\"cpu_cv\":%.5f}\n",
           runs, wall[runs / 2], wall[runs * 9 / 10], wall[(runs * 99) / 100], wall[0],
           mean, mean > 0 ? sqrt(var > 0 ? var : 0) / mean : 0);
    return 0;
}
