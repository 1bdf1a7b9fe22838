#!/usr/bin/env bash
# Runs "$@" in a private network and mount namespace where nothing answers: 10.77.0.2 sits on a
# link that drops every packet, so a connection to it is never answered, and it is the only
# nameserver, so a name that is not in /etc/hosts gets no answer either. Both end in the clients'
# own words within seconds: the kernel gives up on a connection after one SYN retry (~3 s, where
# the default 6 take ~2 min; tcp_syn_retries is per network namespace), and glibc on a name after
# DEVCERT_RESOLVER_OPTIONS (resolv.conf's options; default "timeout:1 attempts:1"). The machine's
# resolv.conf and nsswitch.conf are replaced only inside the mount namespace.
# Exit 77 when the namespaces or the link cannot be made here (not root, no unshare).
set -euo pipefail
source "$(dirname "$0")/../trust/private_namespace.sh"
command -v ip >/dev/null || { echo "ip (iproute2) is not installed" >&2; exit 77; }
reexec_in_private_network_namespace DEVCERT_UNREACHABLE_NETWORK "$0" "$@"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/devcert-network-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
ip link set lo up
# A dummy link discards what is sent to it; a kernel without the dummy driver (a VM's own kernel)
# may still have ifb, which discards what no traffic control redirected to it.
ip link add devcert0 type dummy 2>/dev/null || ip link add devcert0 type ifb 2>/dev/null ||
  { echo "cannot create a dummy or ifb link here" >&2; exit 77; }
ip addr add 10.77.0.1/24 dev devcert0
ip link set devcert0 up
sysctl -qw net.ipv4.tcp_syn_retries=1
printf 'nameserver 10.77.0.2\noptions %s\n' "${DEVCERT_RESOLVER_OPTIONS:-timeout:1 attempts:1}" >"$scratch/resolv.conf"
printf 'hosts: files dns\n' >"$scratch/nsswitch.conf"
mount --bind "$scratch/resolv.conf" /etc/resolv.conf
mount --bind "$scratch/nsswitch.conf" /etc/nsswitch.conf
# Whatever runs here gives up within seconds; a bound all the same, so that nothing hangs a test.
timeout --kill-after=5 120 "$@"
