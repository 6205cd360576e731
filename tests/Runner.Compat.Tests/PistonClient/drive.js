// Drives piston-client 1.0.2 against the server named in argv[2] and prints one JSON object
// with what each call returned, for PistonClientTests to check.
import piston from "piston-client";

const client = piston({ server: process.argv[2] });
const out = {};
out.runtimes = await client.runtimes();
out.python = await client.execute("python",
    "import sys\nprint(input().upper(), sys.argv[1:])\n", { stdin: "hello", args: ["a", "b c"] });
out.c = await client.execute("c",
    "#include <stdio.h>\nint main(int argc, char **argv) { int n; if (scanf(\"%d\", &n) != 1) return 1; printf(\"%d %s\\n\", n * 2, argv[1]); return 0; }\n",
    { stdin: "21", args: ["x"] });
out.compileError = await client.execute("c", "int main(void) { return missing; }\n");
out.timeout = await client.execute("python", "while True:\n    pass\n", { runTimeout: 1000 });
console.log(JSON.stringify(out));
