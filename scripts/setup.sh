#!/usr/bin/env bash
# Prepare a fresh Debian machine for GridDesk: system packages (Python, Qt runtime libraries, a CJK font) and the
# project's virtual environment in .venv. Safe to run again; it only installs what is missing.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    with the test and lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-pip
  # Qt 6 (PySide6) runtime, offscreen and on a desktop (xcb)
  libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
  libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  # Chinese text
  fonts-wqy-microhei
)
# The sync fault matrix runs a laptop a day ahead of the server's clock (libfaketime).
[ "${1:-}" = "--dev" ] && APT_PACKAGES+=(faketime)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e '.[dev]'
else
  .venv/bin/python -m pip install -q -e .
fi
