. /checks/lib.sh
run_runner -- /bin/cat /proc/self/cgroup
