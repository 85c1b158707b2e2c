# shellcheck shell=bash
# ensure_pip_tool TOOL PACKAGE VERSION: installs PACKAGE==VERSION from PyPI into the venv
# <cache>/TOOL-venv once (again only when VERSION changes) and prints the path of its TOOL binary.
ensure_pip_tool() {
  local tool="$1" package="$2" version="$3"
  local venv="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/$tool-venv"
  local bin="$venv/bin/$tool" stamp="$venv/.$package-version"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "$bin"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed to install $package" >&2; return 1; }
  echo "Installing $tool ($package $version) into $venv ..." >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
  "$bin" --version >/dev/null
  echo "$version" >"$stamp"
  echo "$bin"
}
