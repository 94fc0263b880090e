#!/usr/bin/env node
// Generates tests/vectors/msgpack.json: MessagePack wire vectors produced by the pinned
// socket.io-msgpack-parser (and its notepack.io codec), for client-core/tests/golden_msgpack.rs.
//
//   node gen-msgpack-vectors.js           write ../vectors/msgpack.json
//   node gen-msgpack-vectors.js --check   exit 1 if the checked-in file differs
//
// - "packets": a packet object given to the reference Encoder, in the key order the sio
//   encoder writes ({type, data?, id?, nsp}), its bytes, checked by the reference Decoder.
//   The Rust side must encode the packet to exactly these bytes and decode them back.
// - "decode": bytes from other encoders' shapes (socket.io-client's {type, data, options, id,
//   nsp}, Node's Date/undefined/ArrayBuffer, floats, extensions...) with what the reference
//   Decoder makes of them, as JSON.stringify would write it ({"$binary": base64} for binary).
//   The Rust side must decode them to the same JSON.
// - "decode_errors": bytes the reference Decoder rejects (with its message); the Rust side
//   must reject them too. Candidates the reference accepts are listed on stderr.
"use strict";

const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");
const { Encoder, Decoder } = require("socket.io-msgpack-parser");
const { encode: notepack } = require("notepack.io");

const OUT = path.join(__dirname, "..", "vectors", "msgpack.json");

function pkgVersion(name) {
  const file = path.join(__dirname, "node_modules", name, "package.json");
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

const bin = (...bytes) => Buffer.from(bytes);
const seq = (n, start = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (start + i) & 0xff));
const b64 = (buf) => Buffer.from(buf instanceof ArrayBuffer ? new Uint8Array(buf) : buf).toString("base64");

// What JSON.stringify makes of a decoded value, binary as {"$binary"}: undefined is null in
// arrays and left out of objects, dates are their ISO string, NaN/Infinity null.
function jsonLike(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer) return { $binary: b64(value) };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : jsonLike(v)));
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value)) {
      if (value[key] !== undefined) out[key] = jsonLike(value[key]);
    }
    return out;
  }
  return value;
}

// The fields the Rust side compares: type, nsp, id (if any), data (if any).
function packetJson(p) {
  const out = { type: p.type, nsp: p.nsp };
  if (p.id !== undefined && p.id !== null) out.id = p.id;
  if (p.data !== undefined && p.data !== null) out.data = jsonLike(p.data);
  return out;
}

function referenceDecode(bytes) {
  const decoder = new Decoder();
  let decoded;
  decoder.on("decoded", (p) => (decoded = p));
  decoder.add(bytes);
  return decoded;
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const lenient = [];
const chat = { user: "alice", text: "hello world", ts: 1234567890, tags: ["a", "b"] };
const keys20 = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));

// [name, packet in the sio encoder's key order]
const packetCases = [
  ["connect/root", { type: 0, nsp: "/" }],
  ["connect/admin-auth", { type: 0, data: { token: "secret" }, nsp: "/admin" }],
  ["connect/recovery", { type: 0, data: { pid: "tBDgKSKLrM_5Q0vtAAAB", offset: "MzUPkW0", token: "x" }, nsp: "/" }],
  ["connect/unicode-nsp", { type: 0, nsp: "/ünïcödé-😀" }],
  ["connect/reply", { type: 0, data: { sid: "OVzAtgiV2F-oaRGaAAAB", pid: "y3HL7xvKJrScLvRbAAAJ" }, nsp: "/" }],
  ["disconnect/admin", { type: 1, nsp: "/admin" }],
  ["event/chat", { type: 2, data: ["message", chat], nsp: "/" }],
  ["event/no-args", { type: 2, data: ["hello"], nsp: "/" }],
  ["event/ack-id", { type: 2, data: ["foo", 1], id: 12, nsp: "/" }],
  ["event/ack-id-0", { type: 2, data: ["foo"], id: 0, nsp: "/admin" }],
  ["event/ack-id-u32", { type: 2, data: ["foo"], id: 4294967296, nsp: "/" }],
  ["event/ack-id-max-safe", { type: 2, data: ["foo"], id: 9007199254740991, nsp: "/" }],
  [
    "event/integers",
    {
      type: 2,
      data: ["ints", 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991],
      nsp: "/",
    },
  ],
  [
    "event/negative-integers",
    { type: 2, data: ["neg", -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991], nsp: "/" },
  ],
  // (no huge magnitudes: notepack writes whole doubles above 2^63 as garbage int64; and values
  // serde_json reads without float_roundtrip, for the Rust side of the comparison)
  ["event/floats", { type: 2, data: ["floats", 0.5, -0.25, 3.14159, 1e-7, 123456.789, -2.5e-8], nsp: "/" }],
  ["event/scalars", { type: 2, data: ["scalars", "s", "", true, false, null], nsp: "/" }],
  ["event/numeric-name", { type: 2, data: [42, "x"], nsp: "/" }],
  ["event/utf8", { type: 2, data: ["utf8", "😀🎉👍🏽", "héllo wörld", "中文", { 名前: "値" }], nsp: "/" }],
  ["event/escapes", { type: 2, data: ["esc", "line\nbreak", 'quote"', "back\\slash", "nul\u0000", "\u2028"], nsp: "/" }],
  ["event/str8", { type: 2, data: ["s", "x".repeat(32), "y".repeat(255)], nsp: "/" }],
  ["event/str16", { type: 2, data: ["s", "z".repeat(256), "é".repeat(300)], nsp: "/" }],
  ["event/array16", { type: 2, data: ["a", Array.from({ length: 16 }, (_, i) => i), Array.from({ length: 300 }, () => 0)], nsp: "/" }],
  ["event/map16", { type: 2, data: ["m", keys20], nsp: "/" }],
  ["event/nested", { type: 2, data: ["nested", { a: { b: { c: [1, [2, [3, { d: null, e: [] }]]] } }, f: "g" }, [[["deep"]]]], nsp: "/" }],
  ["event/empty-containers", { type: 2, data: ["empty", {}, []], nsp: "/" }],
  ["event/placeholder-lookalike", { type: 2, data: ["x", { _placeholder: true, num: 0 }], nsp: "/" }],
  ["event/binary", { type: 2, data: ["file", bin(1, 2, 3)], nsp: "/" }],
  ["event/binary-empty", { type: 2, data: ["empty", Buffer.alloc(0)], nsp: "/" }],
  ["event/binary-bin16", { type: 2, data: ["big", seq(300)], nsp: "/" }],
  ["event/binary-nested", { type: 2, data: ["deep", { a: [{ b: seq(8) }], c: bin(9) }, [[[seq(3, 0xfd)]]]], id: 7, nsp: "/" }],
  ["event/binary-eleven", { type: 2, data: ["many", ...Array.from({ length: 11 }, (_, i) => bin(i))], nsp: "/" }],
  ["ack/empty", { type: 3, data: [], id: 0, nsp: "/" }],
  ["ack/values", { type: 3, data: ["a", 1, {}], id: 12, nsp: "/admin" }],
  ["ack/binary", { type: 3, data: [bin(0xde, 0xad), { b: seq(4) }], id: 789, nsp: "/" }],
  ["connect_error/message", { type: 4, data: { message: "Invalid namespace" }, nsp: "/x" }],
  ["connect_error/message-data", { type: 4, data: { message: "unauthorized", data: { reason: "bad token" } }, nsp: "/guarded" }],
  ["connect_error/string", { type: 4, data: "Unauthorized", nsp: "/" }],
];

function packets() {
  return packetCases.map(([name, packet]) => {
    const frames = new Encoder().encode(packet);
    assert.equal(frames.length, 1, `${name}: one message`);
    const bytes = frames[0];
    assert(Buffer.isBuffer(bytes), `${name}: a binary message`);
    const back = referenceDecode(bytes);
    assert(util.isDeepStrictEqual(back, packet), `${name}: round trip ${util.inspect(back)}`);
    return { name, packet: packetJson(packet), binary: b64(bytes) };
  });
}

const date = new Date(1704164645006);
// [name, bytes]
const decodeCases = [
  // socket.io-client's packets: {type, data, options, id, nsp}; CONNECT with data undefined
  ["client/event", notepack({ type: 2, data: ["hi", 1], options: { compress: true }, nsp: "/" })],
  ["client/event-ack", notepack({ type: 2, data: ["hi"], options: { compress: true }, id: 3, nsp: "/" })],
  ["client/connect-undefined", notepack({ type: 0, data: undefined, nsp: "/admin" })],
  ["client/ack", notepack({ type: 3, data: ["ok"], id: 3, nsp: "/" })],
  // Node server shapes (nsp last, data before id)
  ["server/event", notepack({ type: 2, data: ["news", { a: 1 }, "off-1"], nsp: "/" })],
  ["server/disconnect", notepack({ type: 1, nsp: "/" })],
  // values other encoders produce
  ["values/undefined", notepack({ type: 2, data: ["u", undefined, { a: undefined, b: 1, c: undefined }], nsp: "/" })],
  ["values/date", notepack({ type: 2, data: ["d", date, { at: new Date(-1) }], nsp: "/" })],
  ["values/invalid-date", notepack({ type: 2, data: ["d", new Date(NaN)], nsp: "/" })],
  ["values/arraybuffer", notepack({ type: 2, data: ["ab", new Uint8Array([5, 6, 7]).buffer], nsp: "/" })],
  ["values/nan-infinity", notepack({ type: 2, data: ["f", NaN, Infinity, -Infinity, -0], nsp: "/" })],
  ["values/integral-floats", notepack({ type: 2, data: ["f", 2.0, 1e3], nsp: "/" })],
  ["values/float32", Buffer.from("83a474797065" + "02" + "a36e7370a12f" + "a464617461" + "92a3663332ca3dcccccd", "hex")],
  ["values/ext", Buffer.from("83a474797065" + "02" + "a36e7370a12f" + "a464617461" + "92a16ad50509" + "08", "hex")],
  ["values/int64", Buffer.from("83a474797065" + "02" + "a36e7370a12f" + "a464617461" + "93a169d3ffe0000000000001cf001fffffffffffff", "hex")],
  ["values/integer-keys", notepack({ type: 2, data: ["k", { b: 1, 2: "two", 10: "ten", a: 0 }], nsp: "/" })],
  ["values/float-type", Buffer.from("83a474797065" + "cb4000000000000000" + "a36e7370a12f" + "a464617461" + "91a165", "hex")],
];

function decodes() {
  return decodeCases.map(([name, bytes]) => {
    const p = referenceDecode(bytes);
    return { name, binary: b64(bytes), packet: packetJson(p) };
  });
}

const ok = notepack({ type: 2, data: ["a"], nsp: "/" });
// [name, bytes]
const errorCandidates = [
  ["format/empty", Buffer.alloc(0)],
  ["format/reserved-marker", bin(0xc1)],
  ["format/trailing-byte", Buffer.concat([ok, bin(0)])],
  ["format/truncated", ok.subarray(0, ok.length - 1)],
  ["format/truncated-str", bin(0x81, 0xa4, 0x74, 0x79)],
  ["shape/array", notepack([2, "/", ["a"]])],
  ["shape/string", notepack("2[\"a\"]")],
  ["shape/nil", bin(0xc0)],
  ["type/missing", notepack({ data: ["a"], nsp: "/" })],
  ["type/string", notepack({ type: "2", data: ["a"], nsp: "/" })],
  ["type/5", notepack({ type: 5, data: ["a"], nsp: "/" })],
  ["type/6", notepack({ type: 6, data: [], id: 1, nsp: "/" })],
  ["type/negative", notepack({ type: -1, nsp: "/" })],
  ["type/fraction", notepack({ type: 2.5, data: ["a"], nsp: "/" })],
  ["type/null", notepack({ type: null, nsp: "/" })],
  ["nsp/missing", notepack({ type: 0 })],
  ["nsp/number", notepack({ type: 0, nsp: 1 })],
  ["nsp/array", notepack({ type: 0, nsp: ["/"] })],
  ["connect/array", notepack({ type: 0, data: [], nsp: "/" })],
  ["connect/string", notepack({ type: 0, data: "token", nsp: "/" })],
  ["disconnect/object", notepack({ type: 1, data: {}, nsp: "/" })],
  ["disconnect/string", notepack({ type: 1, data: "bye", nsp: "/" })],
  ["connect_error/missing", notepack({ type: 4, nsp: "/" })],
  ["connect_error/array", notepack({ type: 4, data: ["x"], nsp: "/" })],
  ["event/missing-data", notepack({ type: 2, nsp: "/" })],
  ["event/object", notepack({ type: 2, data: { a: 1 }, nsp: "/" })],
  ["event/string", notepack({ type: 2, data: "a", nsp: "/" })],
  ["ack/object", notepack({ type: 3, data: {}, id: 1, nsp: "/" })],
  ["ack/missing-data", notepack({ type: 3, id: 1, nsp: "/" })],
  ["id/string", notepack({ type: 3, data: [], id: "1", nsp: "/" })],
  ["id/fraction", notepack({ type: 3, data: [], id: 1.5, nsp: "/" })],
  ["id/array", notepack({ type: 2, data: ["a"], id: [1], nsp: "/" })],
];

function decodeErrors() {
  const out = [];
  for (const [name, bytes] of errorCandidates) {
    try {
      const p = referenceDecode(bytes);
      lenient.push(`${name}: ${bytes.toString("hex")} -> ${util.inspect(p, { depth: null })}`);
    } catch (err) {
      out.push({ name, binary: b64(bytes), error: err.message });
    }
  }
  return out;
}

function generate() {
  const doc = {
    generator: `socket.io-msgpack-parser ${pkgVersion("socket.io-msgpack-parser")} / notepack.io ${pkgVersion("notepack.io")}`,
    packets: packets(),
    decode: decodes(),
    decode_errors: decodeErrors(),
  };
  for (const key of ["packets", "decode", "decode_errors"]) {
    const seen = new Set();
    for (const v of doc[key]) {
      assert(!seen.has(v.name), `duplicate ${key} vector ${v.name}`);
      seen.add(v.name);
    }
    doc[key].sort(byName);
  }
  const text = JSON.stringify(doc, null, 2) + "\n";
  assert(util.isDeepStrictEqual(JSON.parse(text), doc));
  return { doc, text };
}

function main() {
  const check = process.argv.includes("--check");
  const { doc, text } = generate();
  for (const l of lenient) process.stderr.write(`accepted by the reference, not written: ${l}\n`);
  const counts = JSON.stringify({
    packets: doc.packets.length,
    decode: doc.decode.length,
    decode_errors: doc.decode_errors.length,
  });
  if (check) {
    let current = null;
    try {
      current = fs.readFileSync(OUT, "utf8");
    } catch (err) {
      process.stderr.write(`gen-msgpack-vectors: cannot read ${OUT}: ${err.message}\n`);
      process.exit(1);
    }
    if (current !== text) {
      process.stderr.write(`gen-msgpack-vectors: ${OUT} is out of date; run \`node tests/server/gen-msgpack-vectors.js\`\n`);
      process.exit(1);
    }
    process.stderr.write(`gen-msgpack-vectors: ${path.relative(process.cwd(), OUT)} is up to date ${counts}\n`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stderr.write(`gen-msgpack-vectors: wrote ${OUT} ${counts}\n`);
}

main();
