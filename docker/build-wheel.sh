#!/usr/bin/env sh
# Build Accord's wheel from the source tree, as the Dockerfile's build stage does (and
# tests/integration/test_packaging.py, which runs this script the same way):
#
#   sh docker/build-wheel.sh OUTDIR            (run at the top of the source tree)
#
# setuptools and wheel come from requirements/build.txt, locked with hashes, and the
# build runs without isolation so that nothing unpinned is fetched. The page's files
# (accord/web/static, kept in the repository) go into the wheel; the build fails if
# they did not. `python3` is the interpreter to build with (a venv's, if first on PATH).
set -eu

OUT=${1:?usage: sh docker/build-wheel.sh OUTDIR}
python3 -m pip install --quiet --require-hashes --no-deps -r requirements/build.txt
python3 -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$OUT" .
python3 - "$OUT" <<'PY'
import sys
import zipfile
from pathlib import Path

wheels = sorted(Path(sys.argv[1]).glob("accord-*.whl"))
assert len(wheels) == 1, f"expected one accord wheel in {sys.argv[1]}, found {wheels}"
names = set(zipfile.ZipFile(wheels[0]).namelist())
page = [
    "accord/web/static/index.html",
    "accord/web/static/vendor/echarts.min.js",
    "accord/web/static/vendor/vis-timeline-graph2d.min.js",
    "accord/web/static/graphiql/graphiql.min.js",
]
missing = [name for name in page if name not in names]
assert not missing, f"{wheels[0].name} lacks the page's files {missing}"
print(wheels[0])
PY
