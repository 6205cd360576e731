#!/usr/bin/env bash
# curl examples against a running service: api/examples.sh [BASE_URL] (RUNNER_API_KEY if keys are configured)
set -euo pipefail
BASE=${1:-http://localhost:5000}
H=(-H 'content-type: application/json')
[[ -n "${RUNNER_API_KEY:-}" ]] && H+=(-H "X-Api-Key: $RUNNER_API_KEY")

curl -s "${H[@]}" "$BASE/api/v1/languages"; echo

# Submit and wait for the verdict.
curl -s "${H[@]}" -X POST "$BASE/api/v1/submissions?wait=true" -d '{
  "language": "python",
  "source": "a, b = map(int, input().split())\nprint(a + b)\n",
  "tests": [{"name": "small", "input": "1 2\n", "expected_output": "3\n"}],
  "limits": {"time": 1}
}'; echo

# Submit, then poll the Location.
LOC=$(curl -s -D - -o /dev/null "${H[@]}" -X POST "$BASE/api/v1/submissions" \
  -d '{"language":"python","source":"print(42)","expected_output":"42\n"}' | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
sleep 1; curl -s "${H[@]}" "$BASE$LOC"; echo

# A run with copy-out, executed by a worker; wait for its result.
curl -s "${H[@]}" -X POST "$BASE/api/v1/runs?wait=true" -d '{
  "files": {"hello.sh": {"content": "echo hello > out.txt"}},
  "command": ["sh", "hello.sh"],
  "copy_out": ["out.txt"]
}'; echo

# Steps in one /box: build, test, grade; the run stops at the first step that fails.
curl -s "${H[@]}" -X POST "$BASE/api/v1/runs?wait=true" -d '{
  "files": {"add.py": {"content": "print(sum(map(int, input().split())))"}},
  "steps": [
    {"command": ["python3", "-m", "py_compile", "add.py"]},
    {"command": ["sh", "-c", "python3 add.py > out.txt"], "stdin": "2 3", "limits": {"time": 1}},
    {"command": ["sh", "-c", "[ \"$(cat out.txt)\" = 5 ] && echo pass || echo fail"]}
  ]
}'; echo

# The submissions so far, newest first; then the live events of the last one.
curl -s "${H[@]}" "$BASE/api/v1/submissions?limit=5"; echo
curl -s -N "${H[@]}" "$BASE$LOC/events"; echo
