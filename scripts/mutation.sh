#!/usr/bin/env bash
# Mutation testing of the rule modules and the school calendar with mutmut (not part of CI).
#
#   scripts/mutation.sh [PATH ...]     # default: src/kongchuo_rules/rules/ src/kongchuo_rules/calendar.py
#
# Runs in a throw-away copy of the work tree (nothing here is changed), with a virtual
# environment that has the 'dev' extra and mutmut installed (MUTMUT_PYTHON, default .venv).
#
# Two adjustments to make mutmut see the rules:
# - mutmut skips decorated functions, and every function of the rules core carries @kernel or
#   @inline — marks that return the function unchanged (they only register it with the batch
#   compiler). The copy drops those two decorator lines, so the interpreted rules are mutated
#   exactly as `assess` runs them; the batch (numba) tests are left out of the run, since in the
#   copy no function is registered with the compiler. tests/test_mutation_gaps_batch.py runs the
#   same core interpreted over a table of children (where a child's events start at lo > 0).
# - Each mutant runs the tests that call the mutated function (mutmut's own selection) among
#   MUTATION_TESTS (default below); the seeded corpus of tests/golden (5,000 entries, 30 s) is
#   deselected, the corpus recorded from the test-suite (2,790 entries, 3 s) stays.
# Prints mutmut's summary and the score (killed / (killed + survived)), and leaves the copy's
# path so that `mutmut results` / `mutmut show NAME` can be run there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${MUTMUT_PYTHON:-$root/.venv/bin/python}"
paths=("${@:-src/kongchuo_rules/rules/ src/kongchuo_rules/calendar.py}")
# shellcheck disable=SC2206
paths=(${paths[@]})

work="$(mktemp -d /tmp/kongchuo-mutation.XXXXXX)"
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$work")
cd "$work"
sed -i -E '/^@(kernel|inline)$/d' src/kongchuo_rules/rules/*.py

to_mutate=$(printf '"%s", ' "${paths[@]}")
# the tests each mutant may run (mutmut picks those that call the mutated function); default:
# the hand-worked tests and the recorded golden corpus — the Hypothesis property files
# (test_properties, test_fuzz) make each mutant several times slower for few extra kills
read -r -a test_files <<< "${MUTATION_TESTS:-tests/test_assess.py tests/test_actions.py tests/test_calendar.py tests/test_golden.py tests/test_county.py tests/test_policy.py tests/test_case.py tests/test_mutation_gaps.py tests/test_mutation_gaps_batch.py tests/test_mutation_gaps_persuasion.py}"
tests=$(printf '"%s", ' "${test_files[@]}")
cat >> pyproject.toml <<TOML

[tool.mutmut]
paths_to_mutate = [${to_mutate%, }]
tests_dir = [${tests%, }]
also_copy = ["src/kongchuo_rules/", "examples/", "docs/", "README.md", "CHANGELOG.md", "pyproject.toml", "benchmarks/"]
pytest_add_cli_args = [
    "-p", "no:cacheprovider",
    "--ignore=tests/test_fuzz.py",
    "--deselect=tests/test_golden.py::test_golden_corpus_unchanged[generated.jsonl.gz]",
]
TOML

export HYPOTHESIS_PROFILE=ci
"$python" -m mutmut run --max-children "${MUTMUT_CHILDREN:-2}" || true
"$python" -m mutmut results --all true > mutmut-results.txt 2>&1 || true
"$python" - <<'PY'
from collections import Counter
import re
counts = Counter()
for line in open("mutmut-results.txt", encoding="utf-8"):
    m = re.search(r":\s*(killed|survived|no tests|timeout|suspicious|skipped|segfault)\s*$", line)
    if m:
        counts[m.group(1)] += 1
killed, survived = counts["killed"] + counts["timeout"], counts["survived"]
print(dict(counts))
if killed + survived:
    print(f"mutation score: {killed}/{killed + survived} = {killed / (killed + survived):.1%}")
PY
echo "work copy: $work"
