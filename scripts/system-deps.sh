#!/usr/bin/env bash
# Install the Debian packages the reports and their tests need, only when missing.
# Usage: scripts/system-deps.sh [--check]   (--check: say what is missing, install nothing)
set -euo pipefail

# command or file that proves the package is there → Debian package
declare -A NEEDS=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/pdftotext]=poppler-utils
  [/usr/bin/pdftoppm]=poppler-utils
  [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
  [/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf]=fonts-liberation
)

missing=()
for path in "${!NEEDS[@]}"; do
  [ -e "$path" ] || missing+=("${NEEDS[$path]}")
done
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "concerns needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
