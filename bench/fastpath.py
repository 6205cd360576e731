"""The measurements behind bench/fastpath.sh (which builds everything and passes the paths).

Every row of issue 11's table in one run, Runner beside its peers and beside the same program
run bare, with the load average next to each section. All timing of launches goes through
bench/timer.c (fork + execve + wait4), so bare and boxed rows pay the same harness.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

PYTHON = "/usr/bin/python3"  # what a box runs: its /usr is the host's /usr
HELLO = 'print("hello")\n'


def load():
    return open("/proc/loadavg").read().split()[0]


def timer(a, runs, warmup, gap_ms, *argv, env=None):
    out = subprocess.run([a.timer, str(runs), str(warmup), str(gap_ms), *argv], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    return json.loads(out)


def section(title):
    print(f"\n## {title}  (load average {load()})", flush=True)


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |", flush=True)


# ---------------------------------------------------------------- launch: /bin/true in a box

def launchers(a, engine_socket):
    """(name, argv[, environment]) of every launcher available, bare first. A string argv: Runner.Bench's mode."""
    rows = [("bare /bin/true (C fork+exec+wait)", ["/bin/true"]),
            ("unshare (namespaces + /proc only, the floor)",
             ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount", "--net", "--ipc",
              "--uts", "--cgroup", "--mount-proc", "/bin/true"])]
    if shutil.which("bwrap"):
        rows.append(("bwrap", ["bwrap", "--unshare-all", "--unshare-user", "--uid", "0", "--gid", "0", "--die-with-parent",
                               "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                               "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                               "--hostname", "sandbox", "/bin/true"]))
    else:
        print("note: bwrap is not installed (apt-get install bubblewrap); its rows are skipped")
    if a.isolate:
        rows.append(("isolate 1.10.1 --run (box from --init, cgroups)", [a.isolate, "--cg", "--box-id=7", "--run", "--", "/bin/true"]))
    if a.nsjail:
        rows.append(("nsjail (seccomp + cgroups)", [a.nsjail, "-Mo", "-q", "--chroot", "/", "-u", "0:61500:1", "-g", "0:61500:1",
                                                   "--cgroup_mem_max", str(256 << 20), "--cgroup_mem_parent", "runner-peers",
                                                   "--cgroup_pids_max", "64", "--cgroup_pids_parent", "runner-peers",
                                                   "--seccomp_string", "ALLOW { } DEFAULT ALLOW", "--", "/bin/true"]))
    rows.append((CLI, [a.cli, "run", "--", "/bin/true"]))
    rows.append((ENGINE_CLI, [a.cli, "run", "--", "/bin/true"], {"RUNNER_ENGINE": engine_socket}))
    rows.append((INPROCESS, "inprocess"))
    rows.append((COLD, "cold"))
    rows.append((WARM, "warm"))
    return rows


CLI = "Runner CLI (`runner run`)"
ENGINE_CLI = "Runner CLI handing its run to a resident `runner engine`"
INPROCESS = "Runner in-process, cloned from .NET (Box.Run)"
COLD = "Runner in-process, cold from runner-launcher (Box.Run)"
WARM = "Runner in-process, warm box (WarmPool.Run)"


def inprocess(a, runs, gap_ms, mode):
    """bench/Runner.Bench: Box.Run of /bin/true in one .NET process, as the judge and the service launch."""
    argv = [a.bench, str(runs), str(gap_ms)] + {"inprocess": ["--inprocess"], "cold": [], "warm": ["--warm"]}[mode]
    return json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)


class Engine:
    """`runner engine` on a socket of the bench's own, with its default warm boxes (one per core)."""

    def __init__(self, a, work):
        self.socket = os.path.join(work, "engine.sock")
        self.proc = subprocess.Popen([a.cli, "engine", "--socket", self.socket], stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        if not line.startswith("runner engine: listening on"):
            raise SystemExit(f"fastpath.py: runner engine did not start: {line}{self.proc.stderr.read()}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def launch_rows(a, work):
    results = {}
    engine = Engine(a, work)
    try:
        for gap, runs in ((0, a.runs), (200, a.gap_runs)):
            results[gap] = launch_table(a, gap, runs, engine.socket)
    finally:
        engine.stop()
    return results


def launch_table(a, gap, runs, engine_socket):
    # Back to back, every launcher takes a turn in each round, so a drift of the machine's speed
    # during the section (other load, the host's neighbours) falls on all of them alike instead
    # of on whichever ran then: one peer's good minute moved every ratio by 10-25 % between runs.
    # With gaps, each runs all its launches at once: a process's first gapped launches are the
    # slowest (Runner.Bench cold: a median of 4.1-4.9 ms over its first 10-20, 3.8-3.9 ms over 50).
    count = a.rounds if gap == 0 else 1
    section(f"/bin/true in a box, {'back-to-back' if gap == 0 else f'{gap} ms between runs'} "
            f"({runs} runs{f' in {count} interleaved rounds' if count > 1 else ''}, medians)")
    rows = launchers(a, engine_socket)
    rounds = {name: [] for name, *_ in rows}
    for _ in range(count):
        for name, argv, *env in rows:
            per = max(runs // count, 1)
            r = inprocess(a, per, gap, argv) if isinstance(argv, str) else \
                timer(a, per, 10 if gap == 0 else 3, gap, *argv, env=env[0] if env else None)
            rounds[name].append(r)
    found = [(name, {k: statistics.median(r[k] for r in rs) for k in rs[0] if k.endswith("_ms")}) for name, rs in rounds.items()]
    med = {n: r["median_ms"] for n, r in found}
    bare = found[0][1]["median_ms"]
    bw = next((m for n, m in med.items() if n == "bwrap"), None)
    table(["launcher", "median", "p90", "x bare /bin/true", "x bwrap", "to execve (median)"],
          [[n, f"{r['median_ms']:.2f} ms", f"{r['p90_ms']:.2f} ms", f"{r['median_ms'] / bare:.2f}",
            f"{r['median_ms'] / bw:.2f}" if bw else "-",
            f"{r['exec_median_ms']:.2f} ms" if "exec_median_ms" in r else "-"] for n, r in found])
    if count > 1:
        print(f"(each cell: the median over the {count} rounds of that round's median or p90)")
    med["warm to execve"] = next(r["exec_median_ms"] for n, r in found if n == WARM)
    return med


# ---------------------------------------------------------------- judge: python hello, 50 tests

def judge_rows(a, work):
    section("judge: python hello over 50 tests, per test (medians)")
    hello = os.path.join(work, "hello.py")
    open(hello, "w").write(HELLO)
    tests = os.path.join(work, "tests")
    os.makedirs(tests, exist_ok=True)
    for i in range(1, 51):
        open(os.path.join(tests, f"{i}.in"), "w").close()
        open(os.path.join(tests, f"{i}.out"), "w").write("hello\n")
    judge_argv = [a.cli, "judge", "--language", "python", "--source", hello, "--tests", tests, "--json"]
    loops = {"loop": ["sh", "-c", f"for i in $(seq 1 50); do {PYTHON} {hello} | cmp -s - {tests}/$i.out || exit 1; done"],
             "judge": judge_argv}
    if a.isolate:
        loops["isolate"] = ["sh", "-c", f"for i in $(seq 1 50); do {a.isolate} --cg --box-id=7 --stdin=/dev/null --run -- "
                                        f"{PYTHON} -c '{HELLO.strip()}' | cmp -s - {tests}/$i.out || exit 1; done"]
    # Bare python3 and each loop take turns, round by round: a shared machine's load drifts
    # over the section, and would otherwise favour whichever ran in a quiet stretch.
    rounds = max(1, min(a.rounds, a.judge_runs))
    medians = {k: [] for k in ["bare", *loops]}
    for r in range(rounds):
        medians["bare"].append(timer(a, 50 // rounds + 1, 3 if r == 0 else 1, 0, PYTHON, hello)["median_ms"])
        for name, argv in loops.items():
            medians[name].append(timer(a, max(a.judge_runs // rounds, 1), 1 if r == 0 else 0, 0, *argv)["median_ms"])
    bare = {"median_ms": statistics.median(medians["bare"])}
    loop, judge = {"median_ms": statistics.median(medians["loop"])}, {"median_ms": statistics.median(medians["judge"])}
    # Where a test's time goes: the box's own wall_time (handoff to the program's exit) against
    # the rest (the judge's files and checks, and the engine before and after the box).
    report = json.loads(subprocess.run(judge_argv, check=True, capture_output=True, text=True).stdout)
    box = statistics.mean(t["wall_time"] for t in report["tests"]) * 1000
    rows = [[f"bare python3 (one run; median of {rounds} rounds' medians)", f"{bare['median_ms']:.1f} ms", "1.00"],
            ["bare shell loop with cmp", f"{loop['median_ms'] / 50:.1f} ms", f"{loop['median_ms'] / 50 / bare['median_ms']:.2f}"]]
    if a.isolate:
        iso = {"median_ms": statistics.median(medians["isolate"])}
        rows.append(["isolate loop with cmp", f"{iso['median_ms'] / 50:.1f} ms", f"{iso['median_ms'] / 50 / bare['median_ms']:.2f}"])
    per = judge["median_ms"] / 50
    rows.append(["`runner judge` (compile step included)", f"{per:.1f} ms", f"{per / bare['median_ms']:.2f}"])
    rows.append(["  of which in the box (mean `wall_time`, one more run)", f"{box:.1f} ms", f"{box / bare['median_ms']:.2f}"])
    table(["", "per test", "x bare python3"], rows)
    return per / bare["median_ms"]


# ---------------------------------------------------------------- service

class Postgres:
    """A throwaway cluster of the installed server binaries, run as the postgres user."""

    def __init__(self, work):
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit())
        self.bin = f"/usr/lib/postgresql/{bins[-1]}/bin"
        self.dir = os.path.join(work, "pg")
        os.makedirs(os.path.join(self.dir, "sock"))
        subprocess.run(["chown", "-R", "postgres:postgres", self.dir], check=True)
        os.chmod(work, 0o755)
        self.port = 20000 + os.getpid() % 20000
        self._pg("initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "runner", "--no-sync")
        self._pg("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                 f"-p {self.port} -k {self.dir}/sock -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off", "start")
        self.connection = f"Host=127.0.0.1;Port={self.port};Username=runner;Database=postgres"

    def _pg(self, tool, *args):
        subprocess.run(["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", f"{self.bin}/{tool}", *args],
                       check=True, cwd="/", stdout=subprocess.DEVNULL)

    def pids(self):
        master = int(open(f"{self.dir}/data/postmaster.pid").readline())
        return [master] + [p for p in _all_pids() if _ppid(p) == master]

    def stop(self):
        self._pg("pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "stop")


def _all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _stat(pid):
    try:
        s = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    return s[s.rindex(")") + 2:].split()


def _ppid(pid):
    s = _stat(pid)
    return int(s[1]) if s else -1


def cpu_seconds(pids):
    """CPU of these processes and all their live descendants (runner-launcher, boxes), each with
    utime + stime + cutime + cstime: its own CPU and that of the children it reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    children = {}
    for p in _all_pids():
        children.setdefault(_ppid(p), []).append(p)
    total, todo, seen = 0, list(pids), set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        s = _stat(p)
        if s:
            total += sum(int(x) for x in s[11:15]) / tick
        todo.extend(children.get(p, []))
    return total


BOX_CGROUPS = "runner-bench-service"  # the service's boxes only, so their CPU can be read from cpuacct


def boxes_cpu_seconds():
    """CPU of every box the service ran: cpuacct charges each ancestor, so the parent's usage
    keeps the boxes' CPU after their cgroups are removed. The process tree cannot see it: the
    boxes are not reaped into any cutime of the service's processes."""
    try:
        return int(open(f"/sys/fs/cgroup/cpuacct/{BOX_CGROUPS}/cpuacct.usage").read()) / 1e9
    except FileNotFoundError:
        return int(open(f"/sys/fs/cgroup/{BOX_CGROUPS}/cpu.stat").read().split()[1]) / 1e6


def kernel_threads_cpu():
    """CPU of the kernel's own threads (children of kthreadd): on an otherwise idle machine mostly
    work the boxes leave behind (network namespace and cgroup release, RCU, softirq), which no
    process of the service is charged for. Shown beside the service's share, not added to it."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _all_pids():
        s = _stat(p)
        if s and (p == 2 or s[1] == "2"):
            total += sum(int(x) for x in s[11:13]) / tick
    return total


def machine_busy():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


class Api:
    def __init__(self, a, work, connection):
        self.port = 40000 + (os.getpid() + (1 if connection else 0)) % 20000
        env = dict(os.environ, Runner__CgroupParent=BOX_CGROUPS, Logging__LogLevel__Default="Warning",
                   Runner__WorkRoot=os.path.join(work, "api-work"), ConnectionStrings__Runner=connection or "")
        if a.workers:
            env["Runner__Queue__Workers"] = str(a.workers)
        for setting in a.service_setting:
            key, _, value = setting.partition("=")
            env[key] = value
        self.log = open(os.path.join(work, f"api-{'pg' if connection else 'mem'}.log"), "w")
        self.proc = subprocess.Popen(["dotnet", a.api, "--urls", f"http://127.0.0.1:{self.port}"], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=os.path.dirname(a.api))
        for _ in range(600):
            try:
                if self.get("/api/v1/languages")[0] == 200 and "python" in self.get("/api/v1/languages")[1]:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench: the API did not come up; see {self.log.name}")

    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def post_wait(conn, body):
    conn.request("POST", "/api/v1/submissions?wait=true", body, {"content-type": "application/json"})
    r = conn.getresponse()
    view = json.loads(r.read())
    if r.status != 200 or view.get("verdict") != "accepted":
        raise SystemExit(f"bench: submission answered {r.status}: {view}")
    return view


def bare_python(hello):
    pid = os.posix_spawn(PYTHON, [PYTHON, hello], {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit("bench: bare python3 failed")


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def latency(api, runs, hello):
    """wait=true round trips alternating with bare runs of the same python3, so load hits both alike."""
    body = json.dumps({"language": "python", "source": HELLO, "expected_output": "hello\n"})
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=60)
    for _ in range(5):
        post_wait(conn, body)
        bare_python(hello)
    bare, served, parts = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        bare_python(hello)
        bare.append(time.perf_counter() - t)
        sent = time.time()
        t = time.perf_counter()
        view = post_wait(conn, body)
        served.append(time.perf_counter() - t)
        got = time.time()
        created, started, finished = ts(view["created_at"]), ts(view["started_at"]), ts(view["finished_at"])
        boxes = (view["compile"]["wall_time"] if view.get("compile") else 0) + sum(t["wall_time"] for t in view["tests"])
        parts.append({"request → stored (HTTP, validation, insert)": created - sent,
                      "stored → claimed (enqueue, dispatch, claim)": started - created,
                      "boxes' wall time (compile + test)": boxes,
                      "judge outside the boxes (set-up, files, check, progress)": finished - started - boxes,
                      "finished → answer (store, notify, read, JSON)": got - finished})
    return bare, served, parts


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def throughput(a, api, n, clients, pids, work):
    """BURST wait=true submissions by CLIENTS keep-alive connections of bench/burst.c: a client
    that costs the cores little, so the service's own share of them says what the service can use."""
    body = os.path.join(work, "burst-body.json")
    open(body, "w").write(json.dumps({"language": "python", "source": HELLO, "expected_output": "hello\n"}))
    busy0, total0 = machine_busy()
    own0 = cpu_seconds(pids()) + boxes_cpu_seconds()
    kernel0 = kernel_threads_cpu()
    out = subprocess.run([a.burst_client, "127.0.0.1", str(api.port), "/api/v1/submissions?wait=true", str(n), str(clients),
                          body, '"verdict":"accepted"'], check=True, capture_output=True, text=True).stdout
    done = json.loads(out)
    busy1, total1 = machine_busy()
    own = cpu_seconds(pids()) + boxes_cpu_seconds() - own0
    kernel = kernel_threads_cpu() - kernel0
    secs = done["seconds"]
    cores = secs * os.cpu_count()
    return n / secs, (busy1 - busy0) / (total1 - total0), own / cores, done["cpu_seconds"] / cores, own / n, kernel / cores


def bare_parallel(n, hello):
    """The ideal: the same program run bare, one at a time per core."""
    left = iter(range(n))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if next(left, None) is None:
                    return
            bare_python(hello)

    t = time.perf_counter()
    cpu = os.times()
    threads = [threading.Thread(target=worker) for _ in range(os.cpu_count())]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rate = n / (time.perf_counter() - t)
    after = os.times()
    return rate, (after.children_user + after.children_system - cpu.children_user - cpu.children_system) / n


def service_rows(a, work):
    hello = os.path.join(work, "hello.py")
    open(hello, "w").write(HELLO)
    summary = []
    for mode in ("in-memory", "postgresql"):
        pg = Postgres(work) if mode == "postgresql" else None
        api = Api(a, work, pg.connection if pg else None)
        try:
            section(f"service, {mode}: python hello with wait=true, {a.service_runs} runs, vs bare {PYTHON}")
            bare, served, parts = latency(api, a.service_runs, hello)
            b50 = statistics.median(bare) * 1e3
            p50, p99 = percentile(served, 0.5) * 1e3, percentile(served, 0.99) * 1e3
            table(["", "ms", "minus bare python3"],
                  [["bare python3, median", f"{b50:.1f}", "-"],
                   ["wait=true p50", f"{p50:.1f}", f"+{p50 - b50:.1f}"],
                   ["wait=true p99", f"{p99:.1f}", f"+{p99 - b50:.1f}"]])
            print("\nwhere one submission's time goes (medians of each part, from the client's clock and the stored timestamps):")
            table(["part", "ms"], [[k, f"{statistics.median(p[k] for p in parts) * 1e3:.1f}"] for k in parts[0]])

            section(f"service, {mode}: sustained throughput, {a.burst} submissions by {a.clients} wait=true clients")
            ideal, bare_cpu = bare_parallel(a.burst, hello)
            pids = (lambda: [api.proc.pid] + pg.pids()) if pg else (lambda: [api.proc.pid])
            rate, machine, own, client, per, kernel = throughput(a, api, a.burst, a.clients, pids, work)
            table(["", "value"],
                  [["bare-parallel ideal (same program, one per core)", f"{ideal:.1f} /s"],
                   ["Runner", f"{rate:.1f} /s ({rate / ideal:.2f}x ideal)"],
                   ["CPU busy during the burst, whole machine", f"{machine * 100:.0f} %"],
                   ["of which the service (API + boxes" + (" + PostgreSQL" if pg else "") + ")", f"{own * 100:.0f} % of the cores"],
                   ["of which the benchmark's client (bench/burst.c)", f"{client * 100:.0f} % of the cores"],
                   ["of which kernel threads (namespace and cgroup release, RCU, softirq)", f"{kernel * 100:.0f} % of the cores"],
                   # What does not depend on the other load: the CPU one submission costs, and so
                   # the rate the cores would give if the service had them all.
                   ["service CPU per submission (bare python3: " + f"{bare_cpu * 1e3:.1f} ms)", f"{per * 1e3:.1f} ms"],
                   ["the cores' worth at that cost", f"{os.cpu_count() / per:.1f} /s"]])
            summary.append((mode, b50, p50, p99, rate, ideal, machine, own))
        finally:
            api.stop()
            if pg:
                pg.stop()
    return summary


# ---------------------------------------------------------------- CPU accounting

def cpu_rows(a, work):
    section(f"CPU accounting: a 0.5 s CPU-bound program, {a.cpu_runs} runs bare and boxed, alternating")
    box = os.path.join(work, "spinbox")
    os.makedirs(box, exist_ok=True)
    shutil.copy(a.spin, os.path.join(box, "spin"))
    # Calibrated to 0.5 s of CPU on this machine, then the same count bare and boxed.
    iterations = str(int(1e8 * 500 / timer(a, 3, 1, 0, a.spin, str(10**8))["cpu_mean_ms"]))
    # Bare and boxed runs alternate, so a drift in the machine's speed (other load, frequency)
    # hits both sides alike instead of showing up as a difference between them.
    timer(a, 1, 1, 0, a.spin, iterations)
    bare, boxed = [], []
    for _ in range(a.cpu_runs):
        bare.append(timer(a, 1, 0, 0, a.spin, iterations)["cpu_mean_ms"])
        r = json.loads(subprocess.run([a.cli, "run", "--json", "--workdir", box, "--", "./spin", iterations], check=True,
                                      capture_output=True, text=True).stdout)
        boxed.append(r["cpu_time"] * 1e3)
    bare_mean, mean = statistics.mean(bare), statistics.mean(boxed)
    bare_cv, cv = statistics.pstdev(bare) / bare_mean, statistics.pstdev(boxed) / mean
    table(["", "CPU time mean", "CV", "vs bare"],
          [["bare (wait4 rusage)", f"{bare_mean:.1f} ms", f"{bare_cv * 100:.2f} %", "-"],
           ["`runner run` cpu_time", f"{mean:.1f} ms", f"{cv * 100:.2f} %", f"{(mean / bare_mean - 1) * 100:+.2f} %"]])
    trues = [json.loads(subprocess.run([a.cli, "run", "--json", "--", "/bin/true"], check=True, capture_output=True,
                                       text=True).stdout)["cpu_time"] * 1e3 for _ in range(a.cpu_runs)]
    true = statistics.median(trues)
    print(f"\n`/bin/true` in a box reports cpu_time {true:.2f} ms (median of {a.cpu_runs})")
    drift = mean / bare_mean - 1
    return [("`/bin/true` cpu_time ≤ 0.5 ms", f"{true:.2f} ms", true <= 0.5),
            ("0.5 s CPU-bound: within 0.5 % of bare", f"{drift * 100:+.2f} %", abs(drift) <= 0.005),
            ("0.5 s CPU-bound: CV < 1 %", f"{cv * 100:.2f} %", cv < 0.01)]


def main():
    p = argparse.ArgumentParser()
    for name in ("timer", "spin", "cli", "bench", "api", "isolate", "nsjail", "burst-client"):
        p.add_argument("--" + name)
    p.add_argument("--only", default="launch,judge,service,cpu")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--gap-runs", type=int, default=50)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds the launch and judge runs are split into")
    p.add_argument("--judge-runs", type=int, default=5)
    p.add_argument("--service-runs", type=int, default=100)
    p.add_argument("--burst", type=int, default=200)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--cpu-runs", type=int, default=20)
    p.add_argument("--workers", type=int, help="Runner:Queue:Workers of the service (default: the service's own default)")
    p.add_argument("--service-setting", action="append", default=[], metavar="KEY=VALUE",
                   help="an environment setting of the service (Runner__Queue__HandOff=false), for comparisons")
    a = p.parse_args()
    only = set(a.only.split(","))
    # Every `runner run` here makes its own box, but for the row that names an engine.
    os.environ["RUNNER_ENGINE"] = "off"
    print(f"# Runner fast path, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"kernel {os.uname().release}, load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    goals = []
    with tempfile.TemporaryDirectory(prefix="runner-fastpath-") as work:
        os.chmod(work, 0o755)  # boxes bind directories below it
        if "launch" in only:
            launch = launch_rows(a, work)
            for gap, med in launch.items():
                when = "back-to-back" if gap == 0 else f"{gap} ms gaps"
                bw = med.get("bwrap")
                cold = med[COLD]
                bare, warm, to_exec = med["bare /bin/true (C fork+exec+wait)"], med[WARM], med["warm to execve"]
                goals.append((f"warm, run → execve ≤ 2x bare /bin/true, {when}", f"{to_exec / bare:.2f}x", to_exec <= 2 * bare))
                if bw:
                    goals.append((f"warm, whole box ≤ 0.5x bwrap, {when}", f"{warm / bw:.2f}x", warm <= 0.5 * bw))
                    goals.append((f"cold in-process ≤ 1.0x bwrap, {when}", f"{cold / bw:.2f}x", cold <= bw))
                    if gap == 0:
                        cli, engine = med[CLI], med[ENGINE_CLI]
                        goals.append(("CLI ≤ 1.5x bwrap, back-to-back", f"{cli / bw:.2f}x", cli <= 1.5 * bw))
                        goals.append(("CLI with a resident `runner engine` ≤ 1.5x bwrap, back-to-back", f"{engine / bw:.2f}x", engine <= 1.5 * bw))
        if "judge" in only:
            ratio = judge_rows(a, work)
            goals.append(("judge per test ≤ 1.2x bare python3", f"{ratio:.2f}x", ratio <= 1.2))
        if "service" in only:
            for mode, b50, p50, p99, rate, ideal, machine, own in service_rows(a, work):
                goals.append((f"{mode}: wait=true p50 ≤ bare + 15 ms", f"+{p50 - b50:.1f} ms", p50 - b50 <= 15))
                goals.append((f"{mode}: wait=true p99 ≤ bare + 40 ms", f"+{p99 - b50:.1f} ms", p99 - b50 <= 40))
                goals.append((f"{mode}: throughput ≥ 0.5x bare-parallel", f"{rate / ideal:.2f}x", rate >= 0.5 * ideal))
                goals.append((f"{mode}: service CPU > 90 % of the cores in the burst", f"{own * 100:.0f} %", own > 0.9))
        if "cpu" in only:
            goals.extend(cpu_rows(a, work))
    section("issue 11 goals")
    table(["goal", "measured", "met"], [[g, m, "yes" if ok else "**no**"] for g, m, ok in goals])
    print(f"\nload average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
