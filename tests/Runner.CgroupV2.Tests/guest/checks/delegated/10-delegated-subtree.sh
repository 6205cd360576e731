# As uid 1000 in the delegated subtree, with busybox only: create a cgroup, limit it,
# move a process into it and see the limit act; then open an unprivileged user namespace.
# This is what a rootless engine does, minus the engine.
echo "uid=$(id -u)"
echo "self=$(cat /proc/self/cgroup)"
cg=/sys/fs/cgroup/$RUNNER_CGROUP_PARENT/probe
mkdir $cg || exit 1
echo 16M > $cg/memory.max || exit 1
echo 0 > $cg/memory.swap.max || exit 1
echo 8 > $cg/pids.max || exit 1
sh -c "echo \$\$ > $cg/cgroup.procs && exec memhog 64"
echo "memhog_rc=$?"
sed 's/^/memory.events /' $cg/memory.events
rmdir $cg || exit 1
echo "userns_uid=$(unshare -r id -u)"
