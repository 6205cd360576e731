. /checks/lib.sh
run_runner --memory 64M -- /usr/bin/memhog 16
