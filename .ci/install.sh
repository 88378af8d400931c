# Sourced by .ci/build and .ci/test: make .venv (once) and install requirements.txt into it.
# Needs only Python 3 (3.10-3.13) with pip and venv; PYTHON chooses the interpreter.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
# The book serves its own MathJax (no CDN): install it from the npm registry once.
bash .ci/mathjax.sh
