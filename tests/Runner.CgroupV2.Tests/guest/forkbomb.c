/*
 * forkbomb [ATTEMPTS]: a bounded fork bomb for the pids limit. Every child sleeps
 * instead of forking on, so the number of live tasks grows until the pids controller
 * refuses; after ATTEMPTS tries the parent reports how many forks succeeded and how many
 * failed, kills its children and exits 0. The bound keeps a broken limit from taking the
 * test VM down; it runs only inside that VM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long attempts = argc > 1 ? atol(argv[1]) : 10000;
    long ok = 0, failed = 0;
    int first_errno = 0;
    /* A separate process group lets one kill() reach every child at the end. */
    setpgid(0, 0);
    for (long i = 0; i < attempts; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            pause();
            _exit(0);
        }
        if (pid < 0) {
            if (failed++ == 0)
                first_errno = errno;
        } else {
            ok++;
        }
    }
    printf("forkbomb: attempts=%ld forks_ok=%ld forks_failed=%ld first_error=%s\n",
           attempts, ok, failed, failed ? strerror(first_errno) : "none");
    fflush(stdout);
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    return 0;
}
