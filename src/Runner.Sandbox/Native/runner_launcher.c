/*
 * runner-launcher: the small process every box is cloned from.
 *
 * Why a process of its own: clone(2) copies the caller's page tables, and the .NET service's are
 * large (about 12 ms of copying and copy-on-write faults per box, measured). This program's are
 * a few pages. It has no logic of its own: the .NET side sends "clone with these namespace
 * flags, as this uid, into this cgroup, with these fds, and interpret the plan at this address";
 * the plan lives in memory both processes map at the same address (a memfd), so its pointers
 * are valid here unchanged. See runner_launch.c for the plan interpreter.
 *
 *   argv: runner-launcher <plan memory address> <plan memory size>
 *   fd 3: control socket (SOCK_SEQPACKET); fd 4: the plan memory (memfd)
 *   request: struct runner_clone_request + its fds (SCM_RIGHTS)
 *   reply:   struct runner_clone_reply (pid or -errno) + the box's pidfd (SCM_RIGHTS);
 *            one reply of 0 first, once the plan memory is mapped
 *
 * It exits when the .NET side closes the socket (or dies); its boxes then die of their
 * parent-death signal. Children are reaped by the kernel (SIGCHLD ignored); the .NET side
 * watches them through their pidfds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RUNNER_MAX_FDS 8
#define CONTROL_FD 3
#define MEMORY_FD 4

struct runner_plan;

int64_t runner_clone(const struct runner_plan *plan, uint64_t namespace_flags, int32_t cgroup_fd,
                     int64_t owner_uid, const int32_t *fds, const int32_t *targets, int32_t fd_count,
                     int32_t *pidfd);

struct runner_clone_request {
    const struct runner_plan *plan;
    uint64_t namespace_flags;
    int64_t owner_uid;
    int32_t cgroup_index; /* index of the CLONE_INTO_CGROUP directory fd among the fds, or -1 */
    int32_t fd_count;
    int32_t targets[RUNNER_MAX_FDS]; /* where each fd goes in the child; -1: not passed on */
};

struct runner_clone_reply {
    int64_t result;
};

static void reply(int64_t result, int pidfd)
{
    struct runner_clone_reply answer = { result };
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = { &answer, sizeof answer };
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    if (pidfd >= 0) {
        memset(&control, 0, sizeof control);
        message.msg_control = control.space;
        message.msg_controllen = sizeof control.space;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &pidfd, sizeof(int));
    }
    if (sendmsg(CONTROL_FD, &message, MSG_NOSIGNAL) < 0)
        _exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    void *address = (void *)(uintptr_t)strtoull(argv[1], NULL, 0);
    size_t size = (size_t)strtoull(argv[2], NULL, 0);
    void *mapped = mmap(address, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, MEMORY_FD, 0);
    if (mapped != address)
        return 3;
    close(MEMORY_FD);
    signal(SIGCHLD, SIG_IGN);
    reply(0, -1); /* ready: the plan memory is mapped */

    for (;;) {
        struct runner_clone_request request;
        union {
            struct cmsghdr header;
            char space[CMSG_SPACE(sizeof(int) * RUNNER_MAX_FDS)];
        } control;
        struct iovec iov = { &request, sizeof request };
        struct msghdr message;
        memset(&message, 0, sizeof message);
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control.space;
        message.msg_controllen = sizeof control.space;
        ssize_t got = recvmsg(CONTROL_FD, &message, MSG_CMSG_CLOEXEC);
        if (got == 0)
            return 0;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        int fds[RUNNER_MAX_FDS];
        int32_t count = 0;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            count = (int32_t)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(fds, CMSG_DATA(header), sizeof(int) * (size_t)count);
        }
        int32_t pidfd = -1;
        int64_t result;
        if (got != (ssize_t)sizeof request || count != request.fd_count || request.cgroup_index >= count)
            result = -EINVAL;
        else
            result = runner_clone(request.plan, request.namespace_flags,
                                  request.cgroup_index >= 0 ? fds[request.cgroup_index] : -1,
                                  request.owner_uid, fds, request.targets, count, &pidfd);
        reply(result, result > 0 ? pidfd : -1);
        for (int32_t i = 0; i < count; i++)
            close(fds[i]);
        if (pidfd >= 0)
            close(pidfd);
    }
}
