. /checks/lib.sh
run_runner --time 1 -- /usr/bin/cpuburn
