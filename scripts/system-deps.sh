#!/usr/bin/env bash
# Install the Debian packages the product and its tests need, when missing and when possible
# (root with apt-get). `make run` and `make test` call this; nothing else needs installing by hand.
#   ffmpeg           ffprobe: technical checks of videos (and the review tests' sample clips)
#   chromium         end-to-end browser tests (Playwright drives Debian's Chromium)
#   fonts-noto-cjk   Chinese text on generated cover images
#   redis-server     the production tests start their own Redis on a free loopback port
#   nginx            the nginx tests run deploy/nginx/zmd.conf in front of gunicorn on loopback
#   openssl          the nginx tests make a throwaway TLS certificate
#   postgresql       the production tests start a PostgreSQL server on loopback (scripts/start-postgres.sh)
set -u
need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
# Certificates (WeasyPrint draws them with Pango) and their tests (pdftotext reads them back).
compgen -G "/usr/lib/*/libpangoft2-1.0.so.0" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The packages' own services (nginx on port 80, Redis, a PostgreSQL cluster) must not start: the
  # tests start servers of their own on free loopback ports. policy-rc.d is how Debian says so.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1
  fi
  apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null
  status=$?
  [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
  [ $status -eq 0 ] || echo "apt-get could not install: ${need[*]}; the tests that need them are skipped." >&2
else
  echo "Missing Debian packages: ${need[*]} (install them with: sudo apt-get install ${need[*]})." >&2
  echo "The site runs without them; the tests that need them are skipped, each with its reason." >&2
fi
exit 0
