# cpu.max at 20% must throttle a spinning process: 2 s of wall time buys about 0.4 s CPU.
cg=/sys/fs/cgroup/raw-cpu
mkdir $cg || exit 1
echo "20000 100000" > $cg/cpu.max
sh -c "echo \$\$ > $cg/cgroup.procs && exec cpuburn 1 2"
echo "cpuburn_rc=$?"
sed 's/^/cpu.stat /' $cg/cpu.stat
rmdir $cg
