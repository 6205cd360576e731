# memhog in a 32M cgroup with swap off must be OOM-killed and counted in memory.events.
cg=/sys/fs/cgroup/raw-oom
mkdir $cg || exit 1
echo 32M > $cg/memory.max
echo 0 > $cg/memory.swap.max
sh -c "echo \$\$ > $cg/cgroup.procs && exec memhog 200"
echo "memhog_rc=$?"
sed 's/^/memory.events /' $cg/memory.events
echo "memory.peak $(cat $cg/memory.peak)"
rmdir $cg
