/*
 * Test-only harness: installs a raw classic-BPF seccomp filter read from a file, then makes one
 * probe call (or execs a program) and prints "ret=<r> errno=<e>".
 *
 * It runs on the host, not in a box. That is acceptable only because every probe below is
 * harmless even if the filter were missing: each uses arguments that fail on their own
 * (nonexistent pids and paths, invalid commands) or only affects this short-lived process.
 * Never add a probe that could change the host (reboot, kexec, swap, clock, accounting...):
 * those are checked by simulating the BPF program in C# instead.
 *
 * usage: seccomp_probe <filter.bpf | -> <probe> [arg]
 *        seccomp_probe <filter.bpf | -> exec <program> [args...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void install(const char *path)
{
    if (strcmp(path, "-") == 0)
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror("open filter"); exit(100); }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0) {
        fprintf(stderr, "bad filter size\n");
        exit(100);
    }
    struct sock_filter *insns = malloc(st.st_size);
    if (read(fd, insns, st.st_size) != st.st_size) { perror("read filter"); exit(100); }
    close(fd);
    struct sock_fprog prog = { .len = (unsigned short)(st.st_size / sizeof(struct sock_filter)), .filter = insns };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("no_new_privs"); exit(100); }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) { perror("seccomp"); exit(100); }
}

static void *thread_main(void *arg) { return arg; }

/* Runs a child created by a raw clone/fork and reports its exit status as the result. */
static long reap(long pid)
{
    if (pid == 0)
        _exit(7);
    if (pid < 0)
        return pid;
    int status;
    if (waitpid((pid_t)pid, &status, __WALL) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

static long int80_getpid(void)
{
    int ret = 20; /* i386 __NR_getpid */
    __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
    if (ret < 0 && ret > -4096) { errno = -ret; return -1; }
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s <filter|-> <probe> [arg]\n", argv[0]); return 100; }
    const char *probe = argv[2];
    const char *arg = argc > 3 ? argv[3] : "/nonexistent-runner-probe";
    install(argv[1]);

    if (strcmp(probe, "exec") == 0) {
        execvp(argv[3], argv + 3);
        printf("ret=-1 errno=%d\n", errno);
        return 101;
    }

    long r;
    errno = 0;
    if (!strcmp(probe, "getpid")) r = syscall(SYS_getpid);
    else if (!strcmp(probe, "write")) r = write(1, "", 0);
    else if (!strcmp(probe, "mmap")) { void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); r = p == MAP_FAILED ? -1 : 0; }
    else if (!strcmp(probe, "fork")) r = reap(fork());
    else if (!strcmp(probe, "clone")) r = reap(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
    else if (!strcmp(probe, "clone_newns")) r = reap(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
    else if (!strcmp(probe, "clone_newuser")) r = reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
    else if (!strcmp(probe, "clone3")) r = syscall(SYS_clone3, NULL, 0);
    else if (!strcmp(probe, "thread")) { pthread_t t; int e = pthread_create(&t, NULL, thread_main, NULL); if (e == 0) pthread_join(t, NULL); r = e ? -1 : 0; errno = e; }
    else if (!strcmp(probe, "unshare_newuser")) r = unshare(CLONE_NEWUSER);
    else if (!strcmp(probe, "setns")) r = setns(-1, 0);
    else if (!strcmp(probe, "ptrace")) r = ptrace(PTRACE_PEEKDATA, 0x7fffffff, NULL, NULL);
    else if (!strcmp(probe, "process_vm_readv")) r = process_vm_readv(0x7fffffff, NULL, 0, NULL, 0, 0);
    else if (!strcmp(probe, "keyctl")) r = syscall(SYS_keyctl, 0xffff, 0, 0, 0, 0);
    else if (!strcmp(probe, "bpf")) r = syscall(SYS_bpf, 0xffff, NULL, 0);
    else if (!strcmp(probe, "perf_event_open")) r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
    else if (!strcmp(probe, "userfaultfd")) r = syscall(SYS_userfaultfd, 0xffffffff);
    else if (!strcmp(probe, "io_uring_setup")) r = syscall(SYS_io_uring_setup, 0, NULL);
    else if (!strcmp(probe, "mount")) r = mount("none", arg, "tmpfs", 0, NULL);
    else if (!strcmp(probe, "umount2")) r = umount2(arg, 0);
    else if (!strcmp(probe, "chroot")) r = chroot(arg);
    else if (!strcmp(probe, "pivot_root")) r = syscall(SYS_pivot_root, arg, arg);
    else if (!strcmp(probe, "x32_getpid")) r = syscall(0x40000000 | SYS_getpid);
    else if (!strcmp(probe, "int80_getpid")) r = int80_getpid();
    else if (!strcmp(probe, "personality_query")) r = personality(0xffffffff);
    else if (!strcmp(probe, "personality_no_aslr")) r = personality(ADDR_NO_RANDOMIZE);
    else if (!strcmp(probe, "socket_inet")) { r = socket(AF_INET, SOCK_STREAM, 0); if (r >= 0) { close((int)r); r = 0; } }
    else if (!strcmp(probe, "socket_unix")) { r = socket(AF_UNIX, SOCK_STREAM, 0); if (r >= 0) { close((int)r); r = 0; } }
    else if (!strcmp(probe, "socket_netlink")) { r = socket(AF_NETLINK, SOCK_RAW, 0); if (r >= 0) { close((int)r); r = 0; } }
    else { fprintf(stderr, "unknown probe %s\n", probe); return 100; }

    printf("ret=%ld errno=%d\n", r, r < 0 ? errno : 0);
    return 0;
}
