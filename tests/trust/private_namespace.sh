# Sourced by the in_private_*.sh wrappers: re-runs the calling script in a private mount
# namespace, once (the variable named by $1 marks the second run), so that what it mounts
# vanishes with the namespace and never reaches the machine.
# Exit 77 when a private mount namespace cannot be made here (not root, no unshare).
# usage: reexec_in_private_mount_namespace MARKER_VARIABLE "$0" "$@"
reexec_in_private_mount_namespace() {
  reexec_unshared --mount "$@"
}

# The same in a private network namespace as well: its links, addresses, routes and per-namespace
# sysctls (net.ipv4.*) are the script's own, and it starts with only a loopback that is down.
# usage: reexec_in_private_network_namespace MARKER_VARIABLE "$0" "$@"
reexec_in_private_network_namespace() {
  reexec_unshared "--mount --net" "$@"
}

# usage: reexec_unshared "UNSHARE_FLAGS" MARKER_VARIABLE "$0" "$@"
reexec_unshared() {
  local flags=$1 marker=$2
  shift 2
  [[ -n "${!marker:-}" ]] && return 0
  command -v unshare >/dev/null || { echo "unshare (util-linux) is not installed" >&2; exit 77; }
  # shellcheck disable=SC2086  # the flags are meant to split
  unshare $flags --propagation private true 2>/dev/null ||
    { echo "cannot create a private namespace ($flags) here (needs root or CAP_SYS_ADMIN)" >&2; exit 77; }
  # shellcheck disable=SC2086
  exec unshare $flags --propagation private env "$marker=1" "$@"
}
