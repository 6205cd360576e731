/*
 * The clone-to-execve window of a Runner box.
 *
 * Why C: a .NET process is always multi-threaded. Managed code running in a child created by
 * a raw clone(2) can hang forever on the GC-poll that the JIT emits after every P/Invoke,
 * because the "GC pending" flag it waits on belongs to a GC that exists only in the parent.
 * So nothing managed may run in the child. All decisions (what to mount, which limits, the
 * seccomp program, argv/envp) are made in C# and compiled into a plan: an array of raw
 * syscalls with their arguments, which this file interprets without ever returning to
 * managed code. Keep this file this small; new behaviour belongs in the C# plan builder.
 *
 *   parent (C#)                      child = box pid 1 (this file)         program (this file)
 *   -----------                      -----------------------------         -------------------
 *   runner_clone() -----clone3----->  ops[0..]: read(go) blocks
 *   uid_map, gid_map, cgroups
 *   write go byte ----------------->  close_range, unshare (cgroup ns),
 *                                     credentials, mounts, pivot_root,
 *                                     hostname, lo, signals ...
 *                                     RUNNER_OP_FORK ----fork---------->  RUNNER_OP_RECEIVE blocks
 *                                     (sleeps: vfork)
 *   run plan + stdio, error pipe --(socket)---------------------------->  dup stdio, close_range,
 *                                                                         /box, rlimits, caps,
 *                                                                         seccomp, execve
 *   error pipe: EOF  <---------------------------------------------------  (CLOEXEC closes it)
 *            or {op, errno} <-----------------------------------------------  (a failed op)
 *                                     wait4 until the program is reaped
 *   status socket: {wait status, rusage} <- write; wait for the parent's
 *   (CPU read) hang-up ---------->    hang-up; exit_group(0): the kernel
 *                                     then kills everything left in the
 *                                     PID namespace (daemons included).
 *
 * The program is never PID 1, so abort() and signals behave as on a normal system.
 *
 * The first plan (the box's own set-up) ends in RUNNER_OP_RECEIVE in the forked process, which
 * blocks on a socket until the parent sends a second plan (the run plan) with the program's fds,
 * then interprets that one. A warm box (Native/runner_launcher.c clones them ahead of time) waits
 * there until a program comes; a cold one gets its run plan at once. The parent passes fds to a
 * child at fixed numbers ("targets") chosen by C#, so plans can name them in advance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>
#include <linux/securebits.h>

/* Result check of one op (low two bits of flags). */
#define RUNNER_CHECK_NONNEGATIVE 0 /* fail when the call returns -1 */
#define RUNNER_CHECK_EQUAL 1       /* fail unless the result equals op.expect */
#define RUNNER_CHECK_NONE 2        /* never fail (execve candidates along PATH) */
#define RUNNER_CHECK_MASK 3
#define RUNNER_STORE_RESULT 4      /* keep the result in the register */
#define RUNNER_ARG0_FROM_REGISTER 8 /* replace args[0] with the register (an fd made earlier) */

/*
 * Not a syscall: pid 1 forks here; pid 1 becomes the reaper, the child runs the rest.
 * args[0], args[1]: a stack for the child. It is created with CLONE_VM | CLONE_VFORK, like
 * posix_spawn, so the box's init (a copy of the launcher, page tables and all) is not copied
 * a second time; init sleeps until the program's execve replaces the shared memory.
 */
#define RUNNER_OP_FORK (-1)

/*
 * Not a syscall: block on the socket args[0] for a struct runner_handoff (with its fds as
 * SCM_RIGHTS), put the fds at their target numbers and interpret the plan it names instead.
 * EOF (the parent closed the box or died) ends the box quietly.
 */
#define RUNNER_OP_RECEIVE (-2)

#define RUNNER_MAX_FDS 8

struct runner_op {
    int64_t nr;
    int64_t args[6];
    int64_t expect;
    int64_t flags;
};

struct runner_plan {
    const struct runner_op *ops;
    int64_t op_count;
    int32_t error_fd;  /* write end of a CLOEXEC pipe: {op index, errno} on failure */
    int32_t status_fd; /* write end of a CLOEXEC pipe: struct runner_exit from pid 1 */
};

struct runner_error {
    int32_t op_index;
    int32_t error; /* errno, or 0 when the result differed from op.expect */
};

/* One message on a box's socket: the plan to run and where its fds go (-1: not kept). */
struct runner_handoff {
    const struct runner_plan *plan;
    int32_t fd_count;
    int32_t targets[RUNNER_MAX_FDS];
    int32_t reserved;
};

struct runner_exit {
    int32_t wait_status;
    /* 1 when nothing but the init was left in the box once the program was reaped: every orphan
     * is re-parented to the init, so none can still write to the box's pipes or files. */
    int32_t alone;
    struct rusage usage;
    /* CLOCK_MONOTONIC when the program was reaped: a connected partner's EOF comes only after it. */
    int64_t reaped_ns;
    /* The init's own CPU clock (CLOCK_PROCESS_CPUTIME_ID, itself only) right before this report:
     * its set-up and its reaping are the box's, never the program's, so the parent subtracts it
     * from the cgroup's count. 0 when the clock could not be read. */
    int64_t init_cpu_ns;
    /* CLOCK_MONOTONIC when the init resumed from the fork: the program's process no longer shared
     * its memory, so its execve had passed the point of no return (or it had died). The parent
     * takes this as the moment of the execve instead of being woken for the error pipe's EOF. */
    int64_t exec_ns;
};

static __attribute__((noreturn)) void runner_fail(const struct runner_plan *plan, int64_t index, int error)
{
    struct runner_error report = { (int32_t)index, error };
    syscall(SYS_write, plan->error_fd, &report, sizeof report);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

/* pid 1 after the fork: reap everything until the program itself is reaped, report it. */
static __attribute__((noreturn)) void runner_reap(const struct runner_plan *plan, pid_t program)
{
    struct runner_exit report;
    memset(&report, 0, sizeof report);
    struct timespec resumed;
    if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &resumed) == 0)
        report.exec_ns = (int64_t)resumed.tv_sec * 1000000000 + resumed.tv_nsec;
    /* The init never holds the program's fds (so its pipes reach EOF as soon as the program and
     * whatever it started are gone), nor, from here on, the socket its failures would go to. */
    syscall(SYS_close, plan->error_fd);
    for (;;) {
        int status = 0;
        struct rusage usage;
        long pid = syscall(SYS_wait4, -1, &status, 0, &usage);
        if (pid == program) {
            struct timespec now;
            syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
            report.wait_status = status;
            report.usage = usage;
            report.reaped_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
            siginfo_t other;
            report.alone = syscall(SYS_waitid, P_ALL, 0, &other, WEXITED | WNOHANG | WNOWAIT, NULL) < 0 && errno == ECHILD;
            break;
        }
        if (pid < 0 && errno != EINTR) {
            report.wait_status = -1;
            break;
        }
    }
    struct timespec cpu;
    if (syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0)
        report.init_cpu_ns = (int64_t)cpu.tv_sec * 1000000000 + cpu.tv_nsec;
    syscall(SYS_write, plan->status_fd, &report, sizeof report);
    /* The status channel is a socket: stay until the parent has read the box's CPU time and
     * hung up, so the namespaces' teardown at this exit is not charged to the program. */
    char ack;
    while (syscall(SYS_read, plan->status_fd, &ack, 1) < 0 && errno == EINTR)
        ;
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

struct runner_resume {
    const struct runner_plan *plan;
    int64_t next;
};

static __attribute__((noreturn)) void runner_run(const struct runner_plan *plan, int64_t first);

/*
 * Puts fds[i] at targets[i] (CLOEXEC; the plan dups what the program keeps), in two passes so a
 * source that sits on another's target is never clobbered. The sources and the high copies are
 * left for the plan's close_range. Returns 0 or an errno.
 */
static int runner_install_fds(const int32_t *fds, const int32_t *targets, int32_t count)
{
    int high[RUNNER_MAX_FDS];
    int above = 0;
    if (count < 0 || count > RUNNER_MAX_FDS)
        return EINVAL;
    for (int32_t i = 0; i < count; i++)
        if (targets[i] >= above)
            above = targets[i] + 1;
    for (int32_t i = 0; i < count; i++) {
        high[i] = -1;
        if (targets[i] < 0)
            continue;
        high[i] = (int)syscall(SYS_fcntl, fds[i], F_DUPFD_CLOEXEC, above);
        if (high[i] < 0)
            return errno;
    }
    for (int32_t i = 0; i < count; i++)
        if (high[i] >= 0 && syscall(SYS_dup3, high[i], targets[i], O_CLOEXEC) < 0)
            return errno;
    return 0;
}

static __attribute__((noreturn)) void runner_receive(const struct runner_plan *plan, int64_t index, int socket_fd)
{
    struct runner_handoff handoff;
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int) * RUNNER_MAX_FDS)];
    } control;
    struct iovec iov = { &handoff, sizeof handoff };
    struct msghdr message;
    long got;
    memset(&message, 0, sizeof message);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.space;
    message.msg_controllen = sizeof control.space;
    do
        got = syscall(SYS_recvmsg, socket_fd, &message, MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    if (got == 0)
        syscall(SYS_exit_group, 0);
    if (got != (long)sizeof handoff)
        runner_fail(plan, index, got < 0 ? errno : 0);
    int fds[RUNNER_MAX_FDS];
    int32_t count = 0;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
        count = (int32_t)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        memcpy(fds, CMSG_DATA(header), sizeof(int) * (size_t)count);
    }
    if (count != handoff.fd_count)
        runner_fail(plan, index, 0);
    int error = runner_install_fds(fds, handoff.targets, count);
    if (error != 0)
        runner_fail(plan, index, error);
    runner_run(handoff.plan, 0);
}

static int runner_program(void *arg)
{
    const struct runner_resume *resume = arg;
    runner_run(resume->plan, resume->next);
}

static __attribute__((noreturn)) void runner_run(const struct runner_plan *plan, int64_t first)
{
    long reg = 0;
    for (int64_t i = first; i < plan->op_count; i++) {
        const struct runner_op *op = &plan->ops[i];
        if (op->nr == RUNNER_OP_FORK) {
            struct runner_resume resume = { plan, i + 1 };
            char *stack_top = (char *)(uintptr_t)op->args[0] + op->args[1];
            int pid = clone(runner_program, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, &resume);
            if (pid < 0)
                runner_fail(plan, i, errno);
            runner_reap(plan, (pid_t)pid);
        }
        if (op->nr == RUNNER_OP_RECEIVE)
            runner_receive(plan, i, (int)op->args[0]);
        long a0 = (op->flags & RUNNER_ARG0_FROM_REGISTER) ? reg : (long)op->args[0];
        long result = syscall((long)op->nr, a0, (long)op->args[1], (long)op->args[2],
                              (long)op->args[3], (long)op->args[4], (long)op->args[5]);
        int error = result == -1 ? errno : 0;
        switch (op->flags & RUNNER_CHECK_MASK) {
        case RUNNER_CHECK_NONNEGATIVE:
            if (result == -1)
                runner_fail(plan, i, error);
            break;
        case RUNNER_CHECK_EQUAL:
            if (result != op->expect)
                runner_fail(plan, i, error);
            break;
        default:
            break;
        }
        if (op->flags & RUNNER_STORE_RESULT)
            reg = result;
    }
    /* A plan always ends in execve; reaching here means every candidate failed. */
    runner_fail(plan, plan->op_count, ENOEXEC);
}

/*
 * A user namespace is owned by the euid of the task that creates it, and the kernel charges
 * per-user quotas (inotify instances and watches, POSIX mqueue bytes, pending signals) up the
 * namespace chain to the owner's entry in the initial namespace. Created by root, every box
 * would share root's quota with every other box and every root daemon. So a privileged
 * launcher creates the namespace as the slot's uid: on this thread only (raw setresuid; glibc's
 * wrapper would change every thread of the runtime), keeping its capabilities across the switch
 * (SECBIT_NO_SETUID_FIXUP) for CLONE_INTO_CGROUP and the id maps, and back right after clone3.
 */
struct runner_thread_identity {
    long euid;
    long securebits;
    long dumpable;
};

static int runner_become_owner(int64_t owner_uid, struct runner_thread_identity *saved)
{
    uid_t ruid, euid, suid;
    if (syscall(SYS_getresuid, &ruid, &euid, &suid) < 0)
        return -1;
    saved->euid = euid;
    saved->securebits = syscall(SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, 0);
    saved->dumpable = syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (saved->securebits < 0 || saved->dumpable < 0)
        return -1;
    if (syscall(SYS_prctl, PR_SET_SECUREBITS, saved->securebits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
        return -1;
    if (syscall(SYS_setresuid, -1L, (long)owner_uid, -1L) < 0) {
        syscall(SYS_prctl, PR_SET_SECUREBITS, saved->securebits, 0, 0, 0);
        return -1;
    }
    return 0;
}

/* Back to the launcher's euid; an euid change also reset the whole process's dumpable flag. */
static void runner_restore_identity(const struct runner_thread_identity *saved)
{
    syscall(SYS_setresuid, -1L, saved->euid, -1L);
    syscall(SYS_prctl, PR_SET_SECUREBITS, saved->securebits, 0, 0, 0);
    syscall(SYS_prctl, PR_SET_DUMPABLE, saved->dumpable, 0, 0, 0);
}

/*
 * Called from C#. Returns the child's pid (and its pidfd through *pidfd), or -errno.
 * cgroup_fd >= 0 asks for CLONE_INTO_CGROUP (cgroup v2), so the child never runs outside
 * its box cgroup. owner_uid >= 0 creates the user namespace as that uid (see above).
 * fds[i] appear in the child at targets[i] before its first op.
 */
int64_t runner_clone(const struct runner_plan *plan, uint64_t namespace_flags, int32_t cgroup_fd,
                     int64_t owner_uid, const int32_t *fds, const int32_t *targets, int32_t fd_count,
                     int32_t *pidfd)
{
    sigset_t all, saved;
    struct clone_args args;
    struct runner_thread_identity identity;
    int pidfd_value = -1;

    memset(&args, 0, sizeof args);
    args.flags = namespace_flags | CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)&pidfd_value;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }

    /* The runtime's signal handlers must never run in the child before the plan resets them,
     * nor on this thread while it wears the owner's uid. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    if (owner_uid >= 0 && runner_become_owner(owner_uid, &identity) < 0) {
        int error = errno;
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return -error;
    }
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        int error = runner_install_fds(fds, targets, fd_count);
        if (error != 0)
            runner_fail(plan, 0, error);
        runner_run(plan, 0);
    }
    int error = errno;
    if (owner_uid >= 0)
        runner_restore_identity(&identity);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0)
        return -error;
    *pidfd = pidfd_value;
    return pid;
}

/* Sizes the C# side checks against, so a layout mismatch fails a test instead of a launch. */
int32_t runner_abi_size(int32_t which)
{
    switch (which) {
    case 0: return (int32_t)sizeof(struct runner_op);
    case 1: return (int32_t)sizeof(struct runner_plan);
    case 2: return (int32_t)sizeof(struct runner_error);
    case 3: return (int32_t)sizeof(struct runner_exit);
    case 4: return (int32_t)sizeof(struct runner_handoff);
    default: return -1;
    }
}

/*
 * Starts Native/runner_launcher.c (the small process boxes are cloned from) with its control
 * socket at fd 3 and the plan memory at fd 4. posix_spawn: a vfork-like child that runs no
 * managed code; every signal back to default so the runtime's ignored SIGPIPE does not leak.
 * Returns the pid or -errno.
 */
int64_t runner_start_launcher(const char *path, char *const argv[], int32_t control_fd, int32_t memory_fd)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t all, none;
    pid_t pid;
    int error;
    if (control_fd <= 4 || memory_fd <= 4)
        return -EBADF;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, control_fd, 3);
    posix_spawn_file_actions_adddup2(&actions, memory_fd, 4);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    error = posix_spawn(&pid, path, &actions, &attributes, argv, (char *const[]){ NULL });
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return error != 0 ? -error : pid;
}
