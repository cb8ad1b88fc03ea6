#!/usr/bin/env bash
# Mutation testing of core/ (cosmic-ray): mutate one module of core/ at a time, run the tests, and
# report the mutants the tests did not catch.
#
#   tests/mutation.sh [mapping|runtime|models] [workers]      # default: mapping, 2 workers
#   tests/mutation.sh mapping 2 --retest-survivors            # after adding tests: only the survivors
#
# Runs in a scratch copy of the working tree (cosmic-ray edits the files it mutates) under
# $MUTATION_DIR (default: a new directory in /tmp); the session database, the report and the
# surviving mutants' diffs are left there. Re-running with the same MUTATION_DIR resumes.
#
# numba's cache pitfall: a cached kernel is not recompiled when a function it calls, or a constant
# it reads, changed in another file, so a mutant there would run the unmutated kernel. Every test
# run therefore gets a fresh NUMBA_CACHE_DIR; for the mapping modules, whose only values read by a
# kernel are serial.py's constants, it starts as a copy of a cache the worker warmed on the
# unmutated tree, unless serial.py is the mutated file (numba itself recompiles a mutated file's
# own functions, as it checks their file's time stamp).
set -euo pipefail

run_tests() {                                     # fast, broad tests first: -x stops at the first failure
    python -m pytest -x -q -p no:randomly -p no:cacheprovider --hypothesis-seed=0 \
        -m "not reference and not slow" \
        --deselect tests/core/mapping/test_routing.py::test_emulated_packets_arrive_once_per_target_pe \
        tests/core/test_network.py tests/core/mapping tests/core/test_delivery.py \
        tests/core/test_delay_timing.py tests/core/test_compress_exact.py tests/core/test_receptors.py \
        tests/core/test_models.py tests/core/test_emulator.py
}

if [[ "${1:-}" == "--run-tests" ]]; then          # the test command of one mutant, run in a copy
    cache=$(mktemp -d /tmp/numba-XXXXXX)
    trap 'rm -rf "$cache"' EXIT
    if [[ "$MUTATION_TARGET" == mapping && -d "$MUTATION_WARM_CACHE" ]] \
        && cmp -s core/mapping/serial.py "$MUTATION_PRISTINE/core/mapping/serial.py"; then
        cp -r "$MUTATION_WARM_CACHE/." "$cache/"
    fi
    NUMBA_CACHE_DIR=$cache run_tests
    exit
fi

target=${1:-mapping}
workers=${2:-2}
retest=${3:-}
case "$target" in
    mapping|runtime|models) ;;
    *) echo "usage: tests/mutation.sh [mapping|runtime|models] [workers] [--retest-survivors]" >&2; exit 2 ;;
esac
[[ -z "$retest" || "$retest" == --retest-survivors ]] || { echo "unknown option $retest" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTATION_DIR:-$(mktemp -d /tmp/mutation-XXXXXX)}
mkdir -p "$work"
session=$work/$target.sqlite
copy() { mkdir -p "$1"; (cd "$repo" && tar --exclude=.git --exclude=__pycache__ --exclude=.pytest_cache \
    --exclude=.hypothesis --exclude='*.png' -cf - .) | tar -xf - -C "$1"; }

[[ -d $work/pristine ]] || copy "$work/pristine"
export MUTATION_PRISTINE=$work/pristine MUTATION_TARGET=$target

urls=()
for i in $(seq 1 "$workers"); do urls+=("\"http://127.0.0.1:$((9870 + i))\""); done
config=$work/$target.toml
{ sed -n '/^\[cosmic-ray\]/,$p' "$repo/tests/mutation.toml" | sed "/^\[cosmic-ray\]/a module-path = \"core/$target\"\ntest-command = \"bash tests/mutation.sh --run-tests\""
  printf '\n[cosmic-ray.distributor]\nname = "http"\n\n[cosmic-ray.distributor.http]\nworker-urls = [%s]\n' "$(IFS=,; echo "${urls[*]}")"
} > "$config"

if [[ ! -f $session ]]; then
    (cd "$work/pristine" && cosmic-ray init "$config" "$session" && cr-filter-operators "$session" "$config")
fi

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; sleep 2; kill -9 "${pids[@]}" 2>/dev/null || true' EXIT
for i in $(seq 1 "$workers"); do
    copy "$work/worker$i"
    # numba keys its cache on the source file's absolute path: each worker warms its own, which also
    # checks that the tests pass on the unmutated tree
    warm=$work/warm-cache$i
    rm -rf "$warm"
    (cd "$work/worker$i" && NUMBA_CACHE_DIR=$warm run_tests >"$work/worker$i.log" 2>&1) \
        || { echo "the tests fail on the unmutated tree: $work/worker$i.log" >&2; exit 1; }
    [[ -n "$(ls -A "$warm")" ]] || { echo "numba wrote no cache to $warm" >&2; exit 1; }
    (cd "$work/worker$i" && MUTATION_WARM_CACHE=$warm exec nice cosmic-ray http-worker --port $((9870 + i)) \
        >>"$work/worker$i.log" 2>&1) &
    pids+=($!)
done
for i in $(seq 1 "$workers"); do                   # wait until every worker listens
    until python -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" \
        $((9870 + i)) 2>/dev/null; do sleep 1; done
done
# a mutant whose worker could not be reached is retried, not counted; survivors too when asked
python -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"delete from work_results where \
worker_outcome = 'ABNORMAL'\" + (\" or test_outcome = 'SURVIVED'\" if sys.argv[2] else '')); c.commit()" "$session" "$retest"
(cd "$work/pristine" && cosmic-ray exec "$config" "$session")

cr-report "$session" --surviving-only --show-diff > "$work/$target-surviving.txt"
python - "$session" <<'PY' | tee "$work/$target-score.txt"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "select m.module_path, sum(r.test_outcome = 'KILLED'), sum(r.test_outcome = 'SURVIVED'), "
    "sum(r.job_id is null) from mutation_specs m left join work_results r using(job_id) "
    "where r.worker_outcome is null or r.worker_outcome != 'SKIPPED' group by 1").fetchall()
for module, killed, survived, pending in rows + [("total", *map(sum, list(zip(*rows))[1:]))]:
    print(f"{module:28s} killed {killed:4d}  survived {survived:3d}  not run {pending:4d}  "
          f"score {100 * killed / max(1, killed + survived):5.1f}%")
PY
echo "surviving mutants with their diffs: $work/$target-surviving.txt"
