. /checks/lib.sh
run_runner --memory 32M -- /usr/bin/memhog 200
