#!/usr/bin/env bash
# Install MathJax 3 from the npm registry into assets/vendor/mathjax (ignored by git), so that
# the book serves its own copy and renders maths with no network. Needs Node.js with npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=assets/vendor/mathjax
if [ -f "$target/tex-mml-chtml.js" ]; then
  exit 0
fi
if ! command -v npm > /dev/null; then
  echo "npm is needed to install MathJax for the book (apt-get install nodejs npm)" >&2
  exit 1
fi
work=$(mktemp -d)
npm install --prefix "$work" --no-save --no-audit --no-fund --silent "mathjax@3"
mkdir -p "$target"
src="$work/node_modules/mathjax/es5"
# The TeX + MathML input, HTML output bundle, with what it loads on demand (fonts, TeX
# extensions, the menu and its accessibility parts); not the 10 MB speech rule engine.
cp -r "$src/tex-mml-chtml.js" "$src/input" "$src/output" "$src/ui" "$src/a11y" "$src/adaptors" "$target/"
cp "$work/node_modules/mathjax/LICENSE" "$target/"
rm -rf "$work"
echo "MathJax 3 installed in $target"
