#!/usr/bin/env bash
# Set up everything kyso needs on a Debian/Ubuntu machine, idempotently:
#   1. the Debian packages the app and its tests use (only those missing),
#   2. a virtual environment at .venv with kyso installed (editable) and its extras,
#   3. compiled translations.
# Safe to run again at any time; it only does what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages: the token simulator and tools, the independent PDF validator, the fonts
# the Decree 30 stamps need (Liberation 2.x: 1.x has no Vietnamese glyphs), NSS tools for
# pdfsig's trust store, Qt's runtime libraries (offscreen tests, Xvfb screenshots), msitools
# with wixl to build and inspect the Windows installer (installer/build), osslsigncode to sign it
# (the release step, run by tests/installer/test_release_signing.py), and the browser the console's
# tests drive through Playwright (Debian's chromium: no browser download).
DEB_PACKAGES=(
  softhsm2 opensc poppler-utils libnss3-tools fonts-liberation2 chromium
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 libsm6 libice6
  xvfb xauth time msitools wixl osslsigncode
)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "kyso setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${KYSO_PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [[ -z "$PYTHON" ]]; then
  echo "kyso setup: Python 3.11 or newer is required" >&2
  exit 1
fi

STAMP=".venv/.kyso-installed"
if [[ ! -x .venv/bin/python ]]; then
  echo "kyso setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the dependency list changed.
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
  echo "kyso setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev,server]"
  touch "$STAMP"
fi

# The desktop's translations: .ts sources → .qm (built here, never committed).
.venv/bin/python scripts/translations.py compile >/dev/null

echo "kyso setup: ready (.venv/bin/kyso)"
