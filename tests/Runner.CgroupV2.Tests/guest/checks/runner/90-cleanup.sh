# Runs last: every box cgroup of the runs above must be gone. The launcher's own leaf in
# the delegated subtree is not Runner's and stays.
parent=/sys/fs/cgroup/${RUNNER_CGROUP_PARENT:-runner}
if [ -d "$parent" ]; then echo "parent_exists=1"; else echo "parent_exists=0"; fi
find "$parent" -mindepth 1 -type d ! -path "$parent/launcher" 2>/dev/null | sed 's/^/leftover /'
exit 0
