#!/usr/bin/env node
// Generates tests/vectors/json-verdicts.json: what JSON.parse (V8, the Node of this directory)
// makes of a few thousand texts: hand-picked corners (numbers, strings and escapes, white space,
// nesting, repeated keys, trailing commas, ...) and texts generated from a fixed seed (so the file
// is reproducible), each with JSON.parse's verdict (accept / reject). The core's JSON validator and
// the encoded rules its property tests use are checked against every verdict
// (client-core/tests/json_verdicts.rs).
//
//   node gen-json-verdicts.js           write ../vectors/json-verdicts.json
//   node gen-json-verdicts.js --check   exit 1 if the checked-in file differs from what would be written
//
// A vector is {"name", "text", "accept"}, or for deep nesting {"name", "nest": {"open", "core",
// "close", "depth"}, "accept"} standing for open × depth + core + close × depth (the text would
// be up to a megabyte). Texts are well-formed Unicode (a Rust &str cannot hold a lone surrogate
// code unit; escaped ones, "\ud800", are plentiful).
"use strict";

const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");

const OUT = path.join(__dirname, "..", "vectors", "json-verdicts.json");
const GENERATED = 4000;
const SEED = 0x51013;

// ---------------------------------------------------------------------------------------
// hand-picked

const handPicked = [
  // numbers
  ["number/zero", "0"],
  ["number/minus-zero", "-0"],
  ["number/minus-zero-fraction", "-0.0e0"],
  ["number/exp-upper-plus", "1E+2"],
  ["number/exp-lower-minus", "1e-2"],
  ["number/exp-no-sign", "1e2"],
  ["number/beyond-f64", "1e310"],
  ["number/beyond-f64-negative", "-1e310"],
  ["number/huge-exponent", "1e99999999999999999999"],
  ["number/tiny", "1e-400"],
  ["number/big-int", "123456789012345678901234567890"],
  ["number/max-safe-plus-one", "9007199254740993"],
  ["number/u64-max-plus-one", "18446744073709551616"],
  ["number/long-fraction", "0." + "1".repeat(400)],
  ["number/leading-zero", "01"],
  ["number/leading-zeros", "00"],
  ["number/minus-leading-zero", "-01"],
  ["number/leading-dot", ".5"],
  ["number/trailing-dot", "1."],
  ["number/dot-exp", "1.e3"],
  ["number/exp-empty", "1e"],
  ["number/exp-sign-only", "1e+"],
  ["number/minus-only", "-"],
  ["number/plus", "+1"],
  ["number/hex", "0x10"],
  ["number/infinity", "Infinity"],
  ["number/nan", "NaN"],
  ["number/minus-space", "- 1"],
  ["number/double-minus", "--1"],
  ["number/in-array", "[1e310,-0,0.5e-3]"],
  // literals
  ["literal/true", "true"],
  ["literal/false", "false"],
  ["literal/null", "null"],
  ["literal/capital", "True"],
  ["literal/truncated", "tru"],
  ["literal/undefined", "undefined"],
  // strings and escapes
  ["string/empty", '""'],
  ["string/all-escapes", '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\uFFFF"'],
  ["string/lone-high-surrogate", '"\\ud800"'],
  ["string/lone-low-surrogate", '"\\udc00"'],
  ["string/reversed-pair", '"\\udc00\\ud800"'],
  ["string/pair", '"\\ud83d\\ude00"'],
  ["string/high-then-letter", '"\\ud800x"'],
  ["string/escaped-nul", '"\\u0000"'],
  ["string/raw-nul", '"\u0000"'],
  ["string/raw-tab", '"a\tb"'],
  ["string/raw-newline", '"a\nb"'],
  ["string/raw-0x1f", '"\u001f"'],
  ["string/raw-del", '"\u007f"'],
  ["string/raw-u2028", '"\u2028\u2029"'],
  ["string/non-ascii", '"é€😀中文"'],
  ["string/bad-escape-x", '"\\x41"'],
  ["string/bad-escape-quote-single", "\"\\'\""],
  ["string/bad-escape-upper-u", '"\\U0041"'],
  ["string/short-unicode", '"\\u12"'],
  ["string/non-hex-unicode", '"\\u12g4"'],
  ["string/unterminated", '"abc'],
  ["string/backslash-at-end", '"abc\\"'],
  ["string/single-quotes", "'a'"],
  // white space
  ["ws/all-four", " \t\n\r[ \t\n\r1 \t\n\r] \t\n\r"],
  ["ws/none", "[1,2]"],
  ["ws/empty", ""],
  ["ws/only", " \t\n\r"],
  ["ws/nbsp", "\u00a01"],
  ["ws/bom", "\ufeff1"],
  ["ws/vertical-tab", "\u000b1"],
  ["ws/form-feed", "\f1"],
  ["ws/line-separator", "1\u2028"],
  ["ws/ideographic-space", "[1,\u30002]"],
  // structure
  ["array/empty", "[]"],
  ["array/nested", "[[],[[]],{}]"],
  ["array/trailing-comma", "[1,]"],
  ["array/leading-comma", "[,1]"],
  ["array/double-comma", "[1,,2]"],
  ["array/missing-comma", "[1 2]"],
  ["array/unclosed", "[1"],
  ["array/extra-close", "[1]]"],
  ["array/mismatched", "[1}"],
  ["object/empty", "{}"],
  ["object/simple", '{"a":1}'],
  ["object/duplicate-key", '{"a":1,"a":2}'],
  ["object/duplicate-key-escaped", '{"a":1,"\\u0061":2}'],
  ["object/duplicate-placeholder", '{"e":{"_placeholder":true},"e":0}'],
  ["object/proto-key", '{"__proto__":{"x":1}}'],
  ["object/trailing-comma", '{"a":1,}'],
  ["object/number-key", "{1:2}"],
  ["object/unquoted-key", "{a:1}"],
  ["object/missing-colon", '{"a" 1}'],
  ["object/missing-value", '{"a":}'],
  ["object/single-quoted-key", "{'a':1}"],
  ["object/unclosed", '{"a":1'],
  ["top/two-values", "1 2"],
  ["top/trailing-garbage", "[1]x"],
  ["top/comment", "[1]//c"],
  ["top/block-comment", "/*c*/[1]"],
  ["top/socketio-event", '["chat",{"user":"alice","text":"hi","ts":1234567890}]'],
];

// [name, open, core, close, depth]
const deep = [];
for (const depth of [999, 1000, 1001, 10000, 100000]) {
  deep.push([`depth/arrays-${depth}`, "[", "0", "]", depth]);
  deep.push([`depth/objects-${depth}`, '{"a":', "0", "}", depth]);
}
// two levels per repetition: 998, 1000, 1002 and 20000 levels around the core's `[]`
for (const pairs of [499, 500, 501, 10000]) {
  deep.push([`depth/mixed-${2 * pairs + 1}`, '[{"k":', "[]", "}]", pairs]);
}
deep.push(["depth/unclosed-arrays-100000", "[", "", "", 100000]);
deep.push(["depth/unclosed-arrays-1000", "[", "", "", 1000]);
deep.push(["depth/arrays-1000-then-garbage", "[", "x", "]", 1000]);
deep.push(["depth/arrays-1001-then-garbage", "[", "x", "]", 1001]);

// ---------------------------------------------------------------------------------------
// generated: token soup and mutations of valid texts, from a fixed seed

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tokens = [
  "0", "1", "9", "-", "+", ".", "e", "E", "00", "1e310", "-0",
  "[", "]", "{", "}", ":", ",", '"', "\\", " ", "\t", "\n", "\r", "\u00a0", "\ufeff", "\u2028",
  "a", "x", "null", "true", "false", "nul", '"k"', '"_placeholder"', '"num"', "\\u", "\\ud800",
  "\\udc00", "\\u0041", "\\n", "\\x", "'", "é", "😀", "\u0000", "\u001f", '""', "[]", "{}",
];

const valid = [
  '{"a":[1,-2.5e+3,true,false,null,"x\\u00e9\\n"]}',
  '["chat",{"user":"alice","tags":["a","b"]},3]',
  '{"_placeholder":true,"num":0}',
  "[[1,[2,[3]]],{}]",
  '"s\\"t\\\\r\\ud83d\\ude00"',
  '{"sid":"abc","upgrades":["websocket"],"pingInterval":25000}',
  "-12.5e-7",
];

// a random JSON value (as JSON.stringify writes it, with random indentation)
function randomValue(rand, pick, depth) {
  const r = rand();
  if (depth > 3 || r < 0.4) {
    return pick([null, true, false, 0, -0.5, 1e21, 123456789, 1.5e-7, "", "s", "é\n\"", "😀", "\u0000"]);
  }
  const n = Math.floor(rand() * 4);
  if (r < 0.7) return Array.from({ length: n }, () => randomValue(rand, pick, depth + 1));
  const o = {};
  for (let i = 0; i < n; i++) o[pick(["a", "b", "_placeholder", "num", "", "é"])] = randomValue(rand, pick, depth + 1);
  return o;
}

function generated() {
  const rand = mulberry32(SEED);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const out = [];
  while (out.length < GENERATED) {
    let text;
    const kind = rand();
    if (kind < 0.2) {
      text = JSON.stringify(randomValue(rand, pick, 0), null, pick([0, 1, "\t", "\r\n "]));
    } else if (kind < 0.6) {
      const n = Math.floor(rand() * 24);
      text = "";
      for (let i = 0; i < n; i++) text += pick(tokens);
    } else {
      const chars = Array.from(pick(valid));
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const r = rand();
        if (r < 0.35 && chars.length > 0) chars.splice(Math.min(at, chars.length - 1), 1);
        else if (r < 0.7) chars.splice(at, 0, ...Array.from(pick(tokens)));
        else if (chars.length > 0) chars[Math.min(at, chars.length - 1)] = pick(tokens);
      }
      text = chars.join("");
    }
    if (text.isWellFormed()) out.push(text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// output

function accepts(text) {
  try {
    JSON.parse(text);
    return true;
  } catch (err) {
    assert(err instanceof SyntaxError, `${JSON.stringify(text).slice(0, 80)}: ${err}`);
    return false;
  }
}

function generate() {
  const vectors = [];
  const seen = new Set();
  const add = (name, text) => {
    assert(text.isWellFormed(), name);
    if (seen.has(text)) return;
    seen.add(text);
    vectors.push({ name, text, accept: accepts(text) });
  };
  for (const [name, text] of handPicked) add(name, text);
  for (const [name, open, core, close, depth] of deep) {
    const text = open.repeat(depth) + core + close.repeat(depth);
    vectors.push({ name, nest: { open, core, close, depth }, accept: accepts(text) });
  }
  generated().forEach((text, i) => add(`generated/${String(i).padStart(4, "0")}`, text));
  const doc = {
    generator: "JSON.parse of the Node in tests/server (gen-json-verdicts.js)",
    vectors,
  };
  const text = JSON.stringify(doc, null, 1) + "\n";
  assert.deepStrictEqual(JSON.parse(text), doc);
  return { doc, text };
}

function counts(doc) {
  const accepted = doc.vectors.filter((v) => v.accept).length;
  return { vectors: doc.vectors.length, accepted, rejected: doc.vectors.length - accepted };
}

function main() {
  const { doc, text } = generate();
  if (process.argv.includes("--check")) {
    let current = null;
    try {
      current = fs.readFileSync(OUT, "utf8");
    } catch (err) {
      process.stderr.write(`gen-json-verdicts: cannot read ${OUT}: ${err.message}\n`);
      process.exit(1);
    }
    if (current !== text) {
      process.stderr.write(`gen-json-verdicts: ${OUT} is out of date; run \`node tests/server/gen-json-verdicts.js\`\n`);
      process.exit(1);
    }
    process.stderr.write(`gen-json-verdicts: ${path.relative(process.cwd(), OUT)} is up to date ${JSON.stringify(counts(doc))}\n`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stderr.write(`gen-json-verdicts: wrote ${OUT} ${JSON.stringify(counts(doc))}\n`);
}

main();
