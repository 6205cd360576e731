/* Test-only: prints the C values of the constants that Runner's C# seccomp code hard-codes. */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>

#define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))

int main(void)
{
    P("SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS);
    P("SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD);
    P("SCMP_ACT_TRAP", SCMP_ACT_TRAP);
    P("SCMP_ACT_ERRNO(0)", SCMP_ACT_ERRNO(0));
    P("SCMP_ACT_ERRNO(1)", SCMP_ACT_ERRNO(1));
    P("SCMP_ACT_TRACE(0)", SCMP_ACT_TRACE(0));
    P("SCMP_ACT_LOG", SCMP_ACT_LOG);
    P("SCMP_ACT_ALLOW", SCMP_ACT_ALLOW);
    P("SCMP_ARCH_X86_64", SCMP_ARCH_X86_64);
    P("SCMP_ARCH_X86", SCMP_ARCH_X86);
    P("AUDIT_ARCH_X86_64", AUDIT_ARCH_X86_64);
    P("AUDIT_ARCH_I386", AUDIT_ARCH_I386);
    P("__X32_SYSCALL_BIT", 0x40000000); /* asm/unistd.h defines it only for x32 builds */
    P("SCMP_FLTATR_ACT_DEFAULT", SCMP_FLTATR_ACT_DEFAULT);
    P("SCMP_FLTATR_ACT_BADARCH", SCMP_FLTATR_ACT_BADARCH);
    P("SCMP_FLTATR_CTL_NNP", SCMP_FLTATR_CTL_NNP);
    P("SCMP_FLTATR_CTL_TSYNC", SCMP_FLTATR_CTL_TSYNC);
    P("SCMP_FLTATR_API_TSKIP", SCMP_FLTATR_API_TSKIP);
    P("SCMP_FLTATR_CTL_LOG", SCMP_FLTATR_CTL_LOG);
    P("SCMP_FLTATR_CTL_SSB", SCMP_FLTATR_CTL_SSB);
    P("SCMP_FLTATR_CTL_OPTIMIZE", SCMP_FLTATR_CTL_OPTIMIZE);
    P("SCMP_FLTATR_API_SYSRAWRC", SCMP_FLTATR_API_SYSRAWRC);
    P("SCMP_CMP_NE", SCMP_CMP_NE);
    P("SCMP_CMP_LT", SCMP_CMP_LT);
    P("SCMP_CMP_LE", SCMP_CMP_LE);
    P("SCMP_CMP_EQ", SCMP_CMP_EQ);
    P("SCMP_CMP_GE", SCMP_CMP_GE);
    P("SCMP_CMP_GT", SCMP_CMP_GT);
    P("SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ);
    P("sizeof(struct scmp_arg_cmp)", sizeof(struct scmp_arg_cmp));
    P("offsetof(scmp_arg_cmp, arg)", offsetof(struct scmp_arg_cmp, arg));
    P("offsetof(scmp_arg_cmp, op)", offsetof(struct scmp_arg_cmp, op));
    P("offsetof(scmp_arg_cmp, datum_a)", offsetof(struct scmp_arg_cmp, datum_a));
    P("offsetof(scmp_arg_cmp, datum_b)", offsetof(struct scmp_arg_cmp, datum_b));
    P("MFD_CLOEXEC", MFD_CLOEXEC);
    P("SECCOMP_RET_ACTION_FULL", SECCOMP_RET_ACTION_FULL);
    P("SECCOMP_RET_ERRNO", SECCOMP_RET_ERRNO);
    P("SECCOMP_RET_ALLOW", SECCOMP_RET_ALLOW);
    P("SECCOMP_RET_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS);
    P("CLONE_NEW_MASK", CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET);
    return 0;
}
