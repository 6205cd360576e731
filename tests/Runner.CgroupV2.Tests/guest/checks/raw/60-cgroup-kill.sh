# cgroup.kill must take down every process of the cgroup at once.
cg=/sys/fs/cgroup/raw-kill
mkdir $cg || exit 1
sh -c "echo \$\$ > $cg/cgroup.procs && sleeper 60 & sleeper 60 & wait" &
waiter=$!
sleep 1
echo "procs_before=$(wc -l < $cg/cgroup.procs)"
echo 1 > $cg/cgroup.kill
wait $waiter
echo "killed_rc=$?"
sleep 1
echo "procs_after=$(wc -l < $cg/cgroup.procs)"
grep populated $cg/cgroup.events
rmdir $cg
