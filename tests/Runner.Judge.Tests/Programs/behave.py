import sys
cmd, *args = sys.stdin.read().split()
if cmd == "sum":
    print(int(args[0]) + int(args[1]))
elif cmd == "spin":
    while True:
        pass
elif cmd == "alloc":
    keep = []
    while True:
        keep.append(bytearray(1 << 20))
elif cmd == "div":
    print(1 // 0)
elif cmd == "throw":
    raise RuntimeError("boom")
elif cmd == "exit3":
    sys.exit(3)
elif cmd == "flood":
    while True:
        sys.stdout.write("y" * 4096 + "\n")
else:
    sys.exit(11)
