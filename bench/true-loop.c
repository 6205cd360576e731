/*
 * The floor for a launch: fork + execve + wait of /bin/true from a small C process, N times;
 * prints the median and the median time to execve (the child's pre-exec is negligible, so
 * time to execve is measured as fork-to-exec via a CLOEXEC pipe's EOF) in milliseconds.
 *   gcc -O2 -o true-loop bench/true-loop.c && ./true-loop [RUNS] [GAP_SECONDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 200;
    double gap = argc > 2 ? atof(argv[2]) : 0;
    double *whole = calloc(runs, sizeof *whole), *exec = calloc(runs, sizeof *exec);
    for (int i = 0; i < runs; i++) {
        if (gap > 0)
            usleep((useconds_t)(gap * 1e6));
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
            return 1;
        double start = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            execl("/bin/true", "/bin/true", (char *)NULL);
            _exit(127);
        }
        close(pipefd[1]);
        char c;
        (void)!read(pipefd[0], &c, 1);
        exec[i] = now_ms() - start;
        close(pipefd[0]);
        int status;
        waitpid(pid, &status, 0);
        whole[i] = now_ms() - start;
    }
    qsort(whole, runs, sizeof *whole, compare);
    qsort(exec, runs, sizeof *exec, compare);
    printf("{\"mode\":\"bare-fork-exec\",\"runs\":%d,\"gap_s\":%g,\"median_ms\":%.3f,\"exec_median_ms\":%.3f}\n",
           runs, gap, whole[runs / 2], exec[runs / 2]);
    return 0;
}
