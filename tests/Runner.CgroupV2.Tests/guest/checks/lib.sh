# run_runner ARGS...: one `runner run --json ARGS` with its exit code and both streams
# between markers, so the host can pick the JSON apart from the rest of the console.
# busybox timeout keeps a hung engine from eating the whole VM's time budget.
run_runner() {
    err=/tmp/runner-err.$$
    out=$(timeout -s KILL 30 runner run --json "$@" 2>$err)
    echo "@@RC $?"
    echo "@@STDOUT"
    printf '%s\n' "$out"
    echo "@@STDERR"
    cat $err
    echo "@@STREAMS-END"
    rm -f $err
}
