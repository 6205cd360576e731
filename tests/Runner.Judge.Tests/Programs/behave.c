// One program, many behaviours, chosen by the first word of stdin, so a single compile serves
// every verdict test of the language.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int sink;

static void *spin_for_own_cpu(void *arg) {
    (void)arg;
    struct timespec t;
    do {
        for (int i = 0; i < 1000000; i++) sink += i;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while (t.tv_sec < 1 && t.tv_nsec < 800000000); // each thread stops by itself at 0.8 s
    return NULL;
}

int main(void) {
    char cmd[32] = {0};
    long a = 0, b = 0;
    if (scanf("%31s", cmd) != 1) return 10;
    if (!strcmp(cmd, "sum")) { scanf("%ld %ld", &a, &b); printf("%ld\n", a + b); return 0; }
    if (!strcmp(cmd, "spin")) for (;;) sink++;
    if (!strcmp(cmd, "sleep")) { sleep(60); return 0; }
    if (!strcmp(cmd, "alloc")) {
        for (;;) { char *p = malloc(1 << 20); if (!p) return 20; memset(p, 1, 1 << 20); }
    }
    if (!strcmp(cmd, "segv")) { volatile int *p = NULL; *p = 1; }
    if (!strcmp(cmd, "div")) { volatile int z = 0; printf("%d\n", 1 / z); }
    if (!strcmp(cmd, "throw")) abort();
    if (!strcmp(cmd, "exit3")) return 3;
    if (!strcmp(cmd, "flood")) for (;;) fputs("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n", stdout);
    if (!strcmp(cmd, "threads")) {
        // Three threads that each stop at 0.8 s of their own CPU time: only a limit on the sum
        // over threads (2.4 s) can stop this program at 1 s.
        pthread_t t[3];
        for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, spin_for_own_cpu, NULL);
        for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
        puts("done");
        return 0;
    }
    return 11;
}
