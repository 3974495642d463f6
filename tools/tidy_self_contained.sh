#!/usr/bin/env bash
# Fails if a test, build file, script or document of the repository names a
# path outside it (the sibling folder that developers' machines and CI have
# beside a checkout, and a user's clone has not): everything a test or a
# documented command needs must live in the repository (tests/testdata/).
set -u
root=${1:-.}
cd "$root" || exit 2
# Spelled in two pieces so that this script does not name it itself.
outside='\.\./'"shared"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list() { git ls-files --cached --others --exclude-standard; }
else
  list() { find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||'; }
fi
hits=$(list | while IFS= read -r f; do
  [ -f "$f" ] || continue
  case "$f" in
    tests/*|*CMakeLists.txt|*.cmake|cmake/*|Makefile|.ci/*|tools/*|bench/*|scenarios/*|docs/*|*.md|*.sh)
      grep -nHE "$outside" "$f" ;;
  esac
done)
if [ -n "$hits" ]; then
  echo "tidy_self_contained: these name a path outside the repository; copy what they need into it:"
  echo "$hits"
  exit 1
fi
echo "tidy_self_contained: clean"
