// A testlib-convention checker: checker input output answer. The answer's first word picks the
// outcome under test; "sum" really checks that the output is the sum of the input's numbers.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
    if (argc != 4) { std::cerr << "usage: checker input output answer"; return 3; }
    std::ifstream input(argv[1]), output(argv[2]), answer(argv[3]);
    std::string mode;
    answer >> mode;
    if (mode == "sum") {
        std::string word;
        long a, b, got;
        input >> word >> a >> b;
        if (!(output >> got)) { std::cerr << "no number in the output"; return 2; }
        if (got != a + b) { std::cerr << "expected " << a + b << ", got " << got; return 1; }
        std::cerr << "ok " << got;
        return 0;
    }
    if (mode == "pe") { std::cerr << "missing separator"; return 2; }
    if (mode == "fail") { std::cerr << "the answer file is broken"; return 3; }
    if (mode == "points") { std::cout << "0.25\n"; std::cerr << "a quarter"; return 7; }
    if (mode == "crash") { volatile int *p = nullptr; *p = 1; }
    return 42;
}
