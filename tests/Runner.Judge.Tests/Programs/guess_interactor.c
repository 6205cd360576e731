/* A testlib-convention interactor for "guess the number": interactor input output answer.
   input holds the secret (1..1000) and a mode; the program writes guesses one per line and
   reads "higher", "lower" or "correct". More than 10 guesses is a wrong answer (binary search
   needs at most 10); a malformed guess or EOF is a presentation error. Mode "crash" aborts the
   interactor after the first guess: its own failure, which must never be the program's fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: interactor input output [answer]"); return 3; }
    FILE *in = fopen(argv[1], "r");
    int secret;
    char mode[16] = "";
    if (!in || fscanf(in, "%d %15s", &secret, mode) < 1) { fprintf(stderr, "bad input file"); return 3; }
    for (int guesses = 1;; guesses++) {
        int guess;
        if (scanf("%d", &guess) != 1) { fprintf(stderr, "expected a guess, got EOF or garbage"); return 2; }
        if (strcmp(mode, "crash") == 0) abort();
        if (guess == secret) {
            printf("correct\n");
            fflush(stdout);
            fprintf(stderr, "found %d in %d guesses", secret, guesses);
            return 0;
        }
        if (guesses == 10) { fprintf(stderr, "10 guesses and %d is still not found", secret); return 1; }
        printf(guess < secret ? "higher\n" : "lower\n");
        fflush(stdout);
    }
}
