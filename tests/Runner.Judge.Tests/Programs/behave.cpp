// One program, many behaviours, chosen by the first word of stdin.
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

static volatile int sink;

int main() {
    std::string cmd;
    if (!(std::cin >> cmd)) return 10;
    if (cmd == "sum") { long a, b; std::cin >> a >> b; std::cout << a + b << "\n"; return 0; }
    if (cmd == "spin") for (;;) sink++;
    if (cmd == "alloc") {
        std::vector<std::vector<char>> keep;
        for (;;) keep.emplace_back(1 << 20, 1);
    }
    if (cmd == "segv") { volatile int *p = nullptr; *p = 1; }
    if (cmd == "div") { volatile int z = 0; std::cout << 1 / z << "\n"; }
    if (cmd == "throw") throw std::runtime_error("boom");
    if (cmd == "exit3") return 3;
    if (cmd == "flood") for (;;) std::cout << "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n";
    return 11;
}
