#!/usr/bin/env bash
# The Colab-like job: every chapter under nbval, smoke profile, in a second virtual
# environment pinned to Google Colab's versions (.ci/colab-requirements.txt) on Colab's
# Python (.ci/colab-python). Called by .ci/test; run it alone with `bash .ci/colab.sh`.
# The environment is kept in .venv-colab and rebuilt only when the pins change.
# `bash .ci/colab.sh --env-only` makes the environment and stops (.ci/test runs it in the
# background while .venv installs and the tests run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
want="$(cut -d' ' -f1 .ci/colab-python)"
python="${PYTHON_COLAB:-}"
if [ -z "$python" ]; then
  for candidate in "python$want" "$HOME"/.pyenv/versions/"$want"*/bin/python"$want" /usr/bin/python"$want"; do
    if "$candidate" -c "" > /dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -z "$python" ]; then
  python=python3
  echo "colab job: Python $want not found (set PYTHON_COLAB); using $(python3 -V)" >&2
fi
stamp="$("$python" -V 2>&1) $(sha256sum .ci/colab-requirements.txt | cut -c1-16)"
if [ "$(cat .venv-colab/stamp 2>/dev/null)" != "$stamp" ]; then
  rm -rf .venv-colab
  "$python" -m venv .venv-colab
  .venv-colab/bin/python -m pip install --quiet --disable-pip-version-check -r .ci/colab-requirements.txt
  echo "$stamp" > .venv-colab/stamp
fi
if [ "${1:-}" = "--env-only" ]; then exit 0; fi
echo "colab job: $stamp; $(.venv-colab/bin/python -c 'import tensorflow as t, keras as k, numpy as n; print("tensorflow", t.__version__, "keras", k.__version__, "numpy", n.__version__)' 2> /dev/null)"
export CNN_COURSE_PROFILE=smoke
unset MPLBACKEND
# ipykernel 6.17 on Python 3.12 warns about frozen modules at every kernel start
export PYDEVD_DISABLE_FILE_VALIDATION=1
# Two chapters at a time (the machine's two cores; each kernel's output is kept until its
# chapter ends, so the log stays readable); the job fails if any chapter fails.
# Each chapter runs twice in one kernel, as a learner who runs its cells again would: nbval
# compares the first pass with the stored outputs, and the second pass (every code cell
# again, tagged nbval-ignore-output) must run without an error. The twice-run copies
# (_twice_NAME.ipynb, python -m utils.notebooks --doubled) are written all at once below.
run_chapter() {
  local notebook="$1" start=$SECONDS log status=0 twice
  log="$(mktemp)"
  twice="$(dirname "$notebook")/_twice_$(basename "$notebook")"
  .venv-colab/bin/python -m pytest -p no:cacheprovider -q -W ignore::DeprecationWarning --nbval --nbval-current-env \
    --nbval-cell-timeout=900 "$twice" >> "$log" 2>&1 || status=1
  rm -f "$twice"
  cat "$log"
  rm -f "$log"
  echo "colab job: $notebook, smoke, $((SECONDS - start)) s$([ $status = 0 ] || echo ', FAILED')"
  return $status
}
export -f run_chapter
start=$SECONDS
status=0
rm -f chapters/_twice_*.ipynb  # left by an interrupted run
.venv-colab/bin/python -m utils.notebooks --doubled chapters/[!_]*.ipynb
# longest stored full run first, so that the two workers finish together
.venv-colab/bin/python -m utils.notebooks --longest-first chapters/[!_]*.ipynb 2> /dev/null \
  | xargs -P 2 -I{} bash -c 'run_chapter "$1"' _ {} || status=1
echo "colab job: all chapters in $((SECONDS - start)) s"
exit $status
