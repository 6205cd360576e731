# pids.max must hold the bounded fork bomb; pids.peak records how close it came.
cg=/sys/fs/cgroup/raw-pids
mkdir $cg || exit 1
echo 16 > $cg/pids.max
sh -c "echo \$\$ > $cg/cgroup.procs && exec forkbomb 500"
echo "forkbomb_rc=$?"
echo "pids.peak $(cat $cg/pids.peak 2>/dev/null || echo none)"
sed 's/^/pids.events /' $cg/pids.events
rmdir $cg
