# shellcheck shell=bash
# What every benchmark starts with (sourced first): the repository root as the working
# directory ($root), where cargo puts the release binaries ($bin: under CARGO_TARGET_DIR
# when it is set, as scripts/test.sh sets it in CI) and the throwaway PostgreSQL's helpers.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
# shellcheck disable=SC2034  # used by the sourcing script
bin="${CARGO_TARGET_DIR:-$root/target}/release"
# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
