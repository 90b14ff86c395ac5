#!/bin/sh
# Rebuild kaz.automorf.hfstol (the Kazakh analyser, optimized-lookup format) from the
# unchanged apertium-kaz source with Debian's hfst tools (`apt-get install -y hfst`).
# Usage: build.sh [SOURCE_DIR]   (default: ../shared/third_party/apertium-kaz beside the repo)
# Takes 15 s to 1.5 minutes on 2 cores; writes the file next to this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-"$here/../../../../shared/third_party/apertium-kaz"}" 2>/dev/null && pwd) || {
    echo "build.sh: source folder not found (give the apertium-kaz source folder as argument)" >&2
    exit 2
}
for f in apertium-kaz.kaz.lexc apertium-kaz.kaz.twol; do
    if [ ! -f "$src/$f" ]; then
        echo "build.sh: $src/$f not found (give the apertium-kaz source folder as argument)" >&2
        exit 2
    fi
done
for tool in hfst-lexc hfst-twolc hfst-compose-intersect hfst-minimise hfst-invert hfst-fst2fst; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found: apt-get install -y hfst" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Relative names inside the work folder: the file's header records them, so the same
# source gives the same bytes wherever it is built.
cd "$work"
# The analyser direction: drop the generation-only entries, as upstream's Makefile.am does.
grep -v -e 'Dir/RL' "$src/apertium-kaz.kaz.lexc" > kaz.LR.lexc
cp "$src/apertium-kaz.kaz.twol" kaz.twol
hfst-lexc --Werror kaz.LR.lexc -o kaz.LR.lexc.hfst
hfst-twolc kaz.twol -o kaz.twol.hfst
hfst-compose-intersect -1 kaz.LR.lexc.hfst -2 kaz.twol.hfst | hfst-minimise -o kaz.LR.hfst
hfst-invert kaz.LR.hfst | hfst-fst2fst -O -o kaz.automorf.hfstol
mv kaz.automorf.hfstol "$here/kaz.automorf.hfstol"
echo "wrote $here/kaz.automorf.hfstol ($(wc -c < "$here/kaz.automorf.hfstol") bytes)"
