# The v2 files the engine reads or writes; a kernel without one of them needs a fallback.
cg=/sys/fs/cgroup/raw-files
mkdir $cg || exit 1
for f in memory.max memory.swap.max memory.peak memory.events pids.max pids.peak \
    cpu.max cpu.stat cpuset.cpus cgroup.kill cgroup.procs cgroup.events; do
    if [ -e $cg/$f ]; then echo "file $f present"; else echo "file $f missing"; fi
done
rmdir $cg
