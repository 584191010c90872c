#!/usr/bin/env bash
# Regenerates data/dictionary/en.{aff,dic}, the English spelling dictionary shipped in
# the binary for the news proofreading aid: the npm packages dictionary-en (American)
# and dictionary-en-gb (British), both Hunspell files from SCOWL sharing one .aff; their
# word lists are merged so both spellings pass. Licence: data/LICENSES.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
EN=4.0.0
GB=3.0.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "dictionary-en@$EN" "dictionary-en-gb@$GB" --silent >/dev/null)
for p in "dictionary-en-$EN" "dictionary-en-gb-$GB"; do
  mkdir -p "$tmp/$p" && tar xzf "$tmp/$p.tgz" -C "$tmp/$p"
done
cmp -s "$tmp/dictionary-en-$EN/package/index.aff" "$tmp/dictionary-en-gb-$GB/package/index.aff" \
  || { echo "gen_dictionary: the two .aff files differ; merge by hand" >&2; exit 1; }
mkdir -p data/dictionary
cp "$tmp/dictionary-en-$EN/package/index.aff" data/dictionary/en.aff
cp "$tmp/dictionary-en-$EN/package/license" data/dictionary/LICENSE
cp "$tmp/dictionary-en-gb-$GB/package/license" data/dictionary/LICENSE-GB
tail -n +2 -q "$tmp/dictionary-en-$EN/package/index.dic" "$tmp/dictionary-en-gb-$GB/package/index.dic" \
  | LC_ALL=C sort -u >"$tmp/words"
{ wc -l <"$tmp/words" | tr -d ' '; cat "$tmp/words"; } >data/dictionary/en.dic
echo "gen_dictionary: $(head -n 1 data/dictionary/en.dic) entries in data/dictionary/en.dic"
