read -r cmd a b
case "$cmd" in
  sum) echo $((a + b)) ;;
  spin) while :; do :; done ;;
  alloc) x=y; while :; do x="$x$x"; done ;;
  div) echo $((1 / 0)) ;;
  throw) kill -SEGV $$ ;;
  exit3) exit 3 ;;
  flood) while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done ;;
  *) exit 11 ;;
esac
