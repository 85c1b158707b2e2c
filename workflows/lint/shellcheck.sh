#!/usr/bin/env bash
# ShellCheck (warnings and errors) on every shell script of the repository: *.sh files and files with a
# sh/bash shebang, outside node_modules and the platform checkout.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"

shellcheck="$(bash "$PLATFORM_DIR/scripts/ensure-shellcheck.sh")"
"$shellcheck" --version | sed -n 2p
scripts=()
while IFS= read -r -d '' file; do
  case "$file" in
    *.sh) scripts+=("$file") ;;
    *) if head -n1 "$file" 2>/dev/null | grep -Eq '^#!.*(/|env )(ba|da)?sh( |$)'; then scripts+=("$file"); fi ;;
  esac
done < <(find . \( -name node_modules -o -name .git -o -name .platform-ci -o -name .stack \) -prune -o -type f -print0)
if [ "${#scripts[@]}" -eq 0 ]; then
  echo "no shell scripts"
  exit 0
fi
printf 'checking %s\n' "${scripts[@]}"
"$shellcheck" --severity=warning --format=gcc "${scripts[@]}"
