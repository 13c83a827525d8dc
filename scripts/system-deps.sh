#!/usr/bin/env bash
# Install the Debian packages the product and its tests need, when missing and when possible.
set -u
need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# Certificates (WeasyPrint draws them with Pango) and their tests (pdftotext reads them back).
compgen -G "/usr/lib/*/libpangoft2-1.0.so.0" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null
else
  echo "Missing Debian packages: ${need[*]} (install them with: sudo apt-get install ${need[*]})." >&2
  echo "The site runs without them; covers have no text, and browser/ffprobe tests are skipped." >&2
fi
exit 0
