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
 *   write go byte ----------------->  dup stdio, close_range, unshare
 *                                     (cgroup ns), credentials, mounts,
 *                                     pivot_root, hostname, lo ...
 *                                     RUNNER_OP_FORK ----fork---------->  rlimits, caps, no_new_privs,
 *                                     close(error pipe)                   seccomp, execve
 *   error pipe: EOF  <---------------------------------------------------  (CLOEXEC closes it)
 *            or {op, errno} <-----------------------------------------------  (a failed op)
 *                                     wait4 until the program is reaped
 *   status pipe: {wait status, rusage} <- write; exit_group(0): the kernel
 *                                     then kills everything left in the
 *                                     PID namespace (daemons included).
 *
 * The program is never PID 1, so abort() and signals behave as on a normal system.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
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

struct runner_exit {
    int32_t wait_status;
    int32_t reserved;
    struct rusage usage;
    /* CLOCK_MONOTONIC when the program was reaped: a connected partner's EOF comes only after it. */
    int64_t reaped_ns;
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
    /* Only the program's copy may keep the error pipe open, so EOF means its execve worked. */
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
            break;
        }
        if (pid < 0 && errno != EINTR) {
            report.wait_status = -1;
            break;
        }
    }
    syscall(SYS_write, plan->status_fd, &report, sizeof report);
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

struct runner_resume {
    const struct runner_plan *plan;
    int64_t next;
};

static __attribute__((noreturn)) void runner_run(const struct runner_plan *plan, int64_t first);

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
 */
int64_t runner_clone(const struct runner_plan *plan, uint64_t namespace_flags, int32_t cgroup_fd,
                     int64_t owner_uid, int32_t *pidfd)
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
    if (pid == 0)
        runner_run(plan, 0);
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
    default: return -1;
    }
}
