#!/usr/bin/env bash
# Installs the Debian packages that some tests and benchmarks use when they are missing:
# logrotate, for the rotation test of the real tool; s6 (s6-log), for the rotation benchmark;
# prometheus, for its promtool, which checks the metrics files; systemd (its systemd-notify) and
# python3, for the test that plays systemd's side of NOTIFY_SOCKET (a Unix datagram socket, which
# Node cannot bind). Tests whose tool is still missing skip with a reason, so a
# machine without apt (or without root) runs the rest of the suite all the same.
set -uo pipefail
needed=()
command -v logrotate >/dev/null 2>&1 || needed+=(logrotate)
command -v s6-log >/dev/null 2>&1 || needed+=(s6)
command -v promtool >/dev/null 2>&1 || needed+=(prometheus)
command -v systemd-notify >/dev/null 2>&1 || needed+=(systemd)
command -v python3 >/dev/null 2>&1 || needed+=(python3)
[ ${#needed[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-tools: not root or no apt-get; tests needing ${needed[*]} will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null ||
  echo "install-system-tools: could not install ${needed[*]}; tests needing them will skip" >&2
exit 0
