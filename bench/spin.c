// A CPU-bound program for the accounting row: ITERATIONS of a dependent multiply-add chain,
// no system calls, no memory traffic, so its CPU time is its work and nothing else.
//   spin ITERATIONS
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000000UL;
    volatile unsigned long x = 1;
    for (unsigned long i = 0; i < n; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    return x == 42;
}
