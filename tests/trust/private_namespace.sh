# Sourced by the in_private_*.sh wrappers: re-runs the calling script in a private mount
# namespace, once (the variable named by $1 marks the second run), so that what it mounts
# vanishes with the namespace and never reaches the machine.
# Exit 77 when a private mount namespace cannot be made here (not root, no unshare).
# usage: reexec_in_private_mount_namespace MARKER_VARIABLE "$0" "$@"
reexec_in_private_mount_namespace() {
  local marker=$1
  shift
  [[ -n "${!marker:-}" ]] && return 0
  command -v unshare >/dev/null || { echo "unshare (util-linux) is not installed" >&2; exit 77; }
  unshare --mount --propagation private true 2>/dev/null ||
    { echo "cannot create a mount namespace here (needs root or CAP_SYS_ADMIN)" >&2; exit 77; }
  exec unshare --mount --propagation private env "$marker=1" "$@"
}
