# The guest must look like a v2-only production host: one cgroup2 mount, no v1 hierarchy.
grep ' /sys/fs/cgroup cgroup2 ' /proc/mounts || { echo "cgroup2 is not mounted"; exit 1; }
if grep ' cgroup ' /proc/mounts; then echo "a cgroup v1 hierarchy is mounted"; exit 1; fi
echo "controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"
echo "subtree_control=$(cat /sys/fs/cgroup/cgroup.subtree_control)"
echo "kernel=$(uname -r)"
