# shellcheck shell=bash
# ensure_pip_package NAME PACKAGE VERSION CHECK: installs PACKAGE==VERSION from PyPI into the venv <cache>/NAME-venv
# once (again only when VERSION changes), runs CHECK (a command line, with the venv's bin first on PATH) and
# prints the venv's folder.
ensure_pip_package() {
  local name="$1" package="$2" version="$3" check="$4"
  local venv="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/$name-venv"
  local stamp="$venv/.$package-version"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "$venv"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed to install $package" >&2; return 1; }
  echo "Installing $package $version into $venv ..." >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
  PATH="$venv/bin:$PATH" bash -c "$check" >/dev/null
  echo "$version" >"$stamp"
  echo "$venv"
}

# ensure_pip_tool TOOL PACKAGE VERSION: ensure_pip_package for a command-line tool; prints the path of its TOOL binary.
ensure_pip_tool() {
  local venv
  venv="$(ensure_pip_package "$1" "$2" "$3" "$1 --version")"
  echo "$venv/bin/$1"
}
