// How long moving a process into a cgroup v1 directory takes, after an idle gap, four ways:
//   parent-procs  the parent writes the child's pid to cgroup.procs (what Runner did)
//   parent-tasks  the parent writes the child's pid to tasks
//   self-procs    the child writes "0" (itself) to cgroup.procs
//   self-tasks    the child writes "0" (itself) to tasks (what a box's init does now)
// Only the last skips cgroup_threadgroup_rwsem, whose percpu_down_write waits a whole RCU grace
// period (rcu_sync_enter -> synchronize_rcu) when no writer came in the last grace period or two.
// With "stack", a second thread prints the writer's kernel stack 3 ms into a slow write.
//   gcc -O2 -pthread -o cgroup_attach bench/cgroup_attach.c
//   mkdir /sys/fs/cgroup/pids/attach-test    # a cgroup of your own; rmdir it afterwards
//   ./cgroup_attach /sys/fs/cgroup/pids/attach-test parent-procs 30 200
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t writer_tid;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *print_writer_stack(void *unused)
{
    (void)unused;
    for (;;) {
        while (!writer_tid)
            usleep(100);
        usleep(3000);
        pid_t tid = writer_tid;
        if (!tid)
            continue;
        char path[64], stack[4096];
        snprintf(path, sizeof path, "/proc/%d/stack", tid);
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, stack, sizeof stack - 1);
        if (fd >= 0)
            close(fd);
        if (n > 0 && writer_tid == tid) {
            stack[n] = 0;
            fprintf(stderr, "writer's kernel stack 3 ms into the write:\n%s", stack);
        }
        writer_tid = 0;
    }
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: cgroup_attach CGROUP_DIR parent-procs|parent-tasks|self-procs|self-tasks RUNS GAP_MS [stack]\n");
        return 2;
    }
    const char *mode = argv[2];
    int runs = atoi(argv[3]), gap_ms = atoi(argv[4]);
    int self = strncmp(mode, "self", 4) == 0;
    char file[512];
    snprintf(file, sizeof file, "%s/%s", argv[1], strstr(mode, "tasks") ? "tasks" : "cgroup.procs");
    if (argc > 5) {
        pthread_t thread;
        pthread_create(&thread, NULL, print_writer_stack, NULL);
    }
    double *ms = calloc((size_t)runs, sizeof *ms);
    for (int i = 0; i < runs; i++) {
        usleep((useconds_t)gap_ms * 1000);
        int go[2], report[2];
        if (pipe(go) < 0 || pipe(report) < 0)
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            char byte;
            if (read(go[0], &byte, 1) != 1)
                _exit(1);
            if (self) {
                int fd = open(file, O_WRONLY);
                double start = now_ms();
                double took = write(fd, "0", 1) == 1 ? now_ms() - start : -1;
                if (write(report[1], &took, sizeof took) != sizeof took)
                    _exit(1);
            }
            _exit(0);
        }
        double took;
        if (self) {
            if (write(go[1], "g", 1) != 1 || read(report[0], &took, sizeof took) != sizeof took)
                return 1;
        } else {
            int fd = open(file, O_WRONLY);
            char text[32];
            int n = snprintf(text, sizeof text, "%d", pid);
            writer_tid = (pid_t)syscall(SYS_gettid);
            double start = now_ms();
            took = write(fd, text, (size_t)n) == n ? now_ms() - start : -1;
            writer_tid = 0;
            close(fd);
            if (write(go[1], "g", 1) != 1)
                return 1;
        }
        waitpid(pid, NULL, 0);
        close(go[0]);
        close(go[1]);
        close(report[0]);
        close(report[1]);
        ms[i] = took;
    }
    qsort(ms, (size_t)runs, sizeof *ms, by_value);
    printf("%-12s gap %4d ms: min %.3f median %.3f p90 %.3f max %.3f ms (-1: the write failed)\n",
           mode, gap_ms, ms[0], ms[runs / 2], ms[runs * 9 / 10], ms[runs - 1]);
    return 0;
}
