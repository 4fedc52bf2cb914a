#!/usr/bin/env bash
# Set up Classroom Console on Debian/Ubuntu: system packages, .venv, the project, translations.
# Idempotent and non-interactive: skips what is present; works as root (CI) or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv python3-dev gcc
  vlc-bin vlc-plugin-base libvlc-dev           # libVLC for playback and previews
  portaudio19-dev                              # PyAudio builds against it
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1
  libegl1 libgl1 libfontconfig1 libdbus-1-3    # what Qt's xcb plugin really links to
  fonts-dejavu-core                            # Cyrillic glyphs for the Russian UI
  xvfb xauth                                   # a screen for screenshots, screen capture and headless runs
  pulseaudio libasound2-plugins                # a virtual microphone for the recorder's tests
  postgresql                                   # the centre's PostgreSQL path, tested against a real server
  openssl curl                                 # test certificates for the centre's TLS; the upload bench
  nginx libnginx-mod-rtmp                      # a real RTMP server for the live streaming tests
  ffmpeg                                       # ffprobe opens the simulated cameras' MJPEG streams in tests
  sqlite3                                      # the shell's .recover salvages a damaged console.db best
  chromium                                     # a real browser for the tablet and library pages' tests
  stress-ng                                    # the benches' busy machine (--cpu 2 beside each figure)
  poppler-utils                                # pdftotext reads the centre report PDF back in its test
  iproute2                                     # the test workers bring up the loopback of their own namespaces
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo -n"
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: installing the project and its test tools into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Compile translations (.ts -> .qm); the .qm files are build output, not committed.
for ts in assets/i18n/*.ts; do
  [ -e "$ts" ] || continue
  .venv/bin/pyside6-lrelease -silent "$ts" -qm "${ts%.ts}.qm"
done
echo "setup: ready"
