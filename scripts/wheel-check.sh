#!/usr/bin/env bash
# Users install a wheel, not `pip install -e`: build one, install it into a fresh virtual
# environment, and from an empty folder run the demo and the questions the README shows.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work" build' EXIT
rm -rf build  # setuptools never removes stale modules from build/lib: start clean
python3 -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$work/dist" .
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work"/dist/gridvoices-*.whl
gv="$work/venv/bin/gridvoices"
mkdir "$work/empty"
cd "$work/empty"
export COLUMNS=80

step() { echo "wheel check: $*"; }
step "a question before any data says so (exit 2) and creates no store"
set +e; "$gv" summary 2> err.txt; code=$?; set -e
grep -q "no data in" err.txt && [ "$code" = 2 ] && [ ! -e gridvoices.sqlite ]

step "gridvoices demo, then the README's next commands in the same folder"
"$gv" demo --quiet
"$gv" summary --period 2024-Q1..Q2 > summary.txt
"$gv" paths "Lantern Recovery Hub" svc-housing-av -k 3 > paths.txt
grep -q "Shortest" paths.txt
"$gv" index --runs 64 > index.txt
grep -q "District recovery ecosystem index" index.txt
"$gv" whatif --close svc-nav-sd --runs 64 > whatif.txt
grep -q "What if" whatif.txt
"$gv" view barriers -o barriers.html > /dev/null
grep -q "<html" barriers.html
"$gv" isolated --csv isolated.csv
head -1 isolated.csv | grep -q "flag"

step "the Python API from the installed package"
"$work/venv/bin/python" - <<'PY'
import gridvoices
from gridvoices.ecosystem.shipped import DERBYSHIRE

assert DERBYSHIRE.is_dir() and "site-packages" in str(DERBYSHIRE), DERBYSHIRE
eco = gridvoices.open(".")
frame = eco.summary(periods="2024-Q1..Q3").to_frame("districts")
assert len(frame) == 8, frame
assert eco.resolve("Lantern Recovery Hub") == "svc-hub-ch"
print(eco.index(runs=32).to_frame("districts")[["name", "band"]].to_string(index=False))
PY
step "passed: $(ls "$work"/dist)"
