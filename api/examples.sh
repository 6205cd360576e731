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

# A run with copy-out.
curl -s "${H[@]}" -X POST "$BASE/api/v1/runs" -d '{
  "files": {"hello.sh": {"content": "echo hello > out.txt"}},
  "command": ["sh", "hello.sh"],
  "copy_out": ["out.txt"]
}'; echo
