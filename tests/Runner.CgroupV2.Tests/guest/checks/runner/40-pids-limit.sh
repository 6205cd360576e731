. /checks/lib.sh
run_runner --pids 16 -- /usr/bin/forkbomb 500
