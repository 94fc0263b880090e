#!/usr/bin/env node
// Generates tests/vectors/golden.json: Engine.IO and Socket.IO wire vectors produced by the
// pinned reference codecs (engine.io-parser, socket.io-parser). Every packet vector is
// encoded by the reference encoder AND decoded back by the reference decoder (the script
// asserts the round trip), and every error vector is kept only if the reference decoder
// really rejects it.
//
//   node gen-vectors.js           write ../vectors/golden.json
//   node gen-vectors.js --check   exit 1 if the checked-in file differs from what would be written
//
// Binary values are written as {"$binary":"<base64>"} everywhere. Candidates that the
// reference accepts although they look invalid are listed on stderr ("lenient").
"use strict";

const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");
const eio = require("engine.io-parser");
const { Encoder, Decoder, PacketType } = require("socket.io-parser");

const OUT = path.join(__dirname, "..", "vectors", "golden.json");

function pkgVersion(name) {
  const file = path.join(path.dirname(require.resolve(name)), "..", "..", "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.equal(pkg.name, name);
  return pkg.version;
}

// ---------------------------------------------------------------------------------------
// helpers

const bin = (...bytes) => Buffer.from(bytes);
const seq = (n, start = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (start + i) & 0xff));
const b64 = (buf) => Buffer.from(buf).toString("base64");
const isBinary = (v) => Buffer.isBuffer(v) || v instanceof Uint8Array || v instanceof ArrayBuffer;

// JS value (with Buffers) -> JSON value (with {"$binary"}); key order is kept
function toJson(value) {
  if (isBinary(value)) return { $binary: b64(value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value)) out[key] = toJson(value[key]);
    return out;
  }
  return value;
}

function frameJson(frame) {
  if (typeof frame === "string") return { text: frame };
  return { binary: b64(frame) };
}

function frameValue(frame) {
  return "text" in frame ? frame.text : Buffer.from(frame.binary, "base64");
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function assertUniqueNames(list, what) {
  const seen = new Set();
  for (const v of list) {
    assert(!seen.has(v.name), `duplicate ${what} vector name ${v.name}`);
    seen.add(v.name);
  }
}

const lenient = [];

// ---------------------------------------------------------------------------------------
// Engine.IO

function eioEncode(packet, supportsBinary) {
  let result;
  eio.encodePacket(packet, supportsBinary, (encoded) => {
    result = encoded;
  });
  assert(result !== undefined, "encodePacket is synchronous");
  return result;
}

function eioPacketJson(packet) {
  const out = { type: packet.type };
  if (packet.data !== undefined) out.data = toJson(packet.data);
  return out;
}

// engine.io-parser drops empty string data ("4" decodes without data); treat "" as absent
function eioSame(decoded, packet) {
  const norm = (p) => {
    const out = { type: p.type };
    if (p.data !== undefined && p.data !== "") out.data = isBinary(p.data) ? Buffer.from(p.data) : p.data;
    return out;
  };
  return util.isDeepStrictEqual(norm(decoded), norm(packet));
}

const handshake =
  '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';

const eioPacketCases = [
  ["open/handshake", { type: "open", data: handshake }],
  ["open/no-data", { type: "open" }],
  ["close", { type: "close" }],
  ["ping", { type: "ping" }],
  ["ping/probe", { type: "ping", data: "probe" }],
  ["pong", { type: "pong" }],
  ["pong/probe", { type: "pong", data: "probe" }],
  ["upgrade", { type: "upgrade" }],
  ["noop", { type: "noop" }],
  ["message/text", { type: "message", data: "hello" }],
  ["message/empty", { type: "message", data: "" }],
  ["message/utf8", { type: "message", data: "héllo wörld € 😀 中文" }],
  ["message/socketio-event", { type: "message", data: '2["chat","hi"]' }],
  ["message/starts-with-b", { type: "message", data: "b64 is not binary here" }],
  ["message/digits", { type: "message", data: "4242" }],
  ["message/newline", { type: "message", data: "line1\nline2\r\n" }],
  ["message/binary", { type: "message", data: bin(1, 2, 3, 4) }],
  ["message/binary-empty", { type: "message", data: Buffer.alloc(0) }],
  ["message/binary-all-bytes", { type: "message", data: seq(256) }],
  ["message/binary-text-bytes", { type: "message", data: Buffer.from("4hello", "utf8") }],
];

function engineioPackets() {
  return eioPacketCases.map(([name, packet]) => {
    const ws = eioEncode(packet, true);
    const polling = eioEncode(packet, false);
    assert.equal(typeof polling, "string");
    assert(eioSame(eio.decodePacket(ws), packet), `${name}: ws decode mismatch`);
    assert(eioSame(eio.decodePacket(polling), packet), `${name}: polling decode mismatch`);
    assert(eioSame(eio.decodePayload(polling)[0], packet), `${name}: payload decode mismatch`);
    return { name, packet: eioPacketJson(packet), ws: frameJson(ws), polling };
  });
}

const eioPayloadCases = [
  ["single-text", [{ type: "message", data: "hello" }]],
  ["two-text", [{ type: "message", data: "hello" }, { type: "message", data: "€" }]],
  ["mixed-text-binary", [{ type: "message", data: "hello" }, { type: "message", data: bin(1, 2, 3, 4) }]],
  ["binary-then-text", [{ type: "message", data: seq(5, 250) }, { type: "message", data: "after" }]],
  ["binary-only", [{ type: "message", data: bin(0) }, { type: "message", data: Buffer.alloc(0) }]],
  ["ping-message-noop", [{ type: "ping" }, { type: "message", data: "x" }, { type: "noop" }]],
  ["open-then-message", [{ type: "open", data: handshake }, { type: "message", data: "40" }]],
  ["empty-message", [{ type: "message", data: "" }, { type: "message", data: "a" }]],
  ["close", [{ type: "close" }]],
  ["utf8", [{ type: "message", data: "日本語" }, { type: "message", data: "😀" }, { type: "message", data: "\u2028" }]],
  [
    "socketio-binary-event",
    [
      { type: "message", data: '451-["file",{"_placeholder":true,"num":0}]' },
      { type: "message", data: bin(0xde, 0xad, 0xbe, 0xef) },
    ],
  ],
];

function engineioPayloads() {
  return eioPayloadCases.map(([name, packets]) => {
    let encoded;
    eio.encodePayload(packets, (e) => {
      encoded = e;
    });
    assert.equal(typeof encoded, "string");
    const decoded = eio.decodePayload(encoded);
    assert.equal(decoded.length, packets.length, `${name}: payload length`);
    decoded.forEach((d, i) => assert(eioSame(d, packets[i]), `${name}: payload packet ${i} mismatch`));
    return { name, packets: packets.map(eioPacketJson), encoded };
  });
}

const eioDecodeErrorCandidates = [
  ["empty", { text: "" }],
  ["type-7", { text: "7" }],
  ["type-9-with-data", { text: "9hello" }],
  ["letter", { text: "x" }],
  ["json", { text: '{"type":"message"}' }],
  ["space", { text: " 4hello" }],
  ["minus", { text: "-1" }],
  // candidates the reference accepts (logged as lenient, not written)
  ["binary-empty-frame", { binary: "" }],
  ["b-invalid-base64", { text: "b!!!" }],
];

function engineioDecodeErrors() {
  const out = [];
  for (const [name, ws] of eioDecodeErrorCandidates) {
    const decoded = eio.decodePacket(frameValue(ws));
    if (decoded.type === "error") out.push({ name, ws });
    else lenient.push(`engineio ws ${name}: ${JSON.stringify(ws)} -> ${util.inspect(decoded)}`);
  }
  return out;
}

const eioPayloadErrorCandidates = [
  ["empty", ""],
  ["unknown-type", "x"],
  ["type-7", "7hello"],
  ["trailing-separator", "4a\x1e"],
  ["leading-separator", "\x1e4a"],
  ["empty-middle", "4a\x1e\x1e4b"],
  ["bad-second", "4a\x1e9b"],
  ["bad-first", "9a\x1e4b"],
];

function engineioPayloadDecodeErrors() {
  const out = [];
  for (const [name, encoded] of eioPayloadErrorCandidates) {
    const decoded = eio.decodePayload(encoded);
    if (decoded.some((p) => p.type === "error")) out.push({ name, encoded });
    else lenient.push(`engineio payload ${name}: ${JSON.stringify(encoded)} -> ${util.inspect(decoded)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Socket.IO

const chatData = ["message", { user: "alice", text: "hello world", ts: 1234567890, tags: ["a", "b"] }];
const ph = (num) => ({ _placeholder: true, num });
const EVENT = PacketType.EVENT;
const ACK = PacketType.ACK;

// [name, packet as given to the Encoder (EVENT/ACK; binary turns them into 5/6)]
const sioPacketCases = [
  // CONNECT
  ["connect/root", { type: 0, nsp: "/" }],
  ["connect/admin", { type: 0, nsp: "/admin" }],
  ["connect/unicode-nsp", { type: 0, nsp: "/ünïcödé-😀-名前" }],
  ["connect/root-auth", { type: 0, nsp: "/", data: { token: "abcd" } }],
  ["connect/admin-auth", { type: 0, nsp: "/admin", data: { token: "123" } }],
  ["connect/empty-auth", { type: 0, nsp: "/", data: {} }],
  ["connect/recovery-auth", { type: 0, nsp: "/", data: { pid: "tBDgKSKLrM_5Q0vtAAAB", offset: "MzUPkW0" } }],
  ["connect/reply-sid", { type: 0, nsp: "/", data: { sid: "OVzAtgiV2F-oaRGaAAAB" } }],
  ["connect/reply-sid-pid", { type: 0, nsp: "/", data: { sid: "wZX3oN0bSVIhsaknAAAI", pid: "y3HL7xvKJrScLvRbAAAJ" } }],
  ["connect/reply-admin", { type: 0, nsp: "/admin", data: { sid: "aBcD1234eFgH5678AAAA" } }],
  // DISCONNECT
  ["disconnect/root", { type: 1, nsp: "/" }],
  ["disconnect/admin", { type: 1, nsp: "/admin" }],
  ["disconnect/unicode-nsp", { type: 1, nsp: "/ünïcödé-😀-名前" }],
  // EVENT
  ["event/chat", { type: EVENT, nsp: "/", data: chatData }],
  ["event/no-args", { type: EVENT, nsp: "/", data: ["hello"] }],
  ["event/simple", { type: EVENT, nsp: "/", data: ["hi", 1] }],
  ["event/admin", { type: EVENT, nsp: "/admin", data: ["hi", "admin"] }],
  ["event/unicode-nsp", { type: EVENT, nsp: "/ünïcödé-😀-名前", data: ["hi"] }],
  ["event/ack-id-0", { type: EVENT, nsp: "/", id: 0, data: ["foo"] }],
  ["event/ack-id-1", { type: EVENT, nsp: "/", id: 1, data: ["foo", 1] }],
  ["event/ack-id-12", { type: EVENT, nsp: "/", id: 12, data: ["foo"] }],
  ["event/ack-id-u32-max", { type: EVENT, nsp: "/", id: 4294967295, data: ["foo"] }],
  ["event/ack-id-max-safe", { type: EVENT, nsp: "/", id: 9007199254740991, data: ["foo"] }],
  ["event/admin-ack-id", { type: EVENT, nsp: "/admin", id: 13, data: ["bar"] }],
  [
    "event/scalars",
    { type: EVENT, nsp: "/", data: ["scalars", "s", "", 0, -1, 42, 3.25, -0.5, 123456789012, true, false, null] },
  ],
  ["event/null-false", { type: EVENT, nsp: "/", data: ["nf", null, false] }],
  ["event/empty-containers", { type: EVENT, nsp: "/", data: ["empty", {}, []] }],
  [
    "event/nested",
    {
      type: EVENT,
      nsp: "/",
      data: ["nested", { a: { b: { c: [1, [2, [3, { d: null, e: [] }]]] } }, f: "g" }, [[["deep"]]]],
    },
  ],
  ["event/utf8-emoji", { type: EVENT, nsp: "/", data: ["utf8", "😀🎉👍🏽", "héllo wörld", "Ω≈ç√∫"] }],
  ["event/utf8-cjk", { type: EVENT, nsp: "/", data: ["cjk", "中文", "日本語", "한국어", { 名前: "値" }] }],
  [
    "event/escapes",
    {
      type: EVENT,
      nsp: "/",
      data: ["escapes", "line\nbreak", 'quote"', "back\\slash", "nul\u0000", "tab\tcr\r", "ctrl\u001f\b\f", "slash/"],
    },
  ],
  ["event/line-separators", { type: EVENT, nsp: "/", data: ["ls", "\u2028", "a\u2029b"] }],
  ["event/numeric-name", { type: EVENT, nsp: "/", data: [42, "x"] }],
  ["event/numeric-name-zero", { type: EVENT, nsp: "/", data: [0] }],
  ["event/empty-name", { type: EVENT, nsp: "/", data: [""] }],
  ["event/utf8-name", { type: EVENT, nsp: "/", data: ["événement-😀"] }],
  ["event/placeholder-lookalike", { type: EVENT, nsp: "/", data: ["x", ph(0)] }],
  // ACK
  ["ack/empty", { type: ACK, nsp: "/", id: 0, data: [] }],
  ["ack/null", { type: ACK, nsp: "/", id: 0, data: [null] }],
  ["ack/values", { type: ACK, nsp: "/", id: 12, data: ["a", 1, {}] }],
  ["ack/admin", { type: ACK, nsp: "/admin", id: 13, data: ["bar"] }],
  ["ack/max-safe-id", { type: ACK, nsp: "/", id: 9007199254740991, data: [true] }],
  ["ack/utf8", { type: ACK, nsp: "/", id: 3, data: ["日本語", "😀"] }],
  // CONNECT_ERROR
  ["connect_error/message", { type: 4, nsp: "/", data: { message: "Invalid namespace" } }],
  ["connect_error/admin-message", { type: 4, nsp: "/admin", data: { message: "Invalid namespace" } }],
  [
    "connect_error/message-data",
    { type: 4, nsp: "/guarded", data: { message: "unauthorized", data: { reason: "bad token" } } },
  ],
  ["connect_error/string", { type: 4, nsp: "/", data: "Unauthorized" }],
  // BINARY_EVENT (5)
  ["binary_event/one", { type: EVENT, nsp: "/", data: ["file", bin(1, 2, 3)] }],
  ["binary_event/two", { type: EVENT, nsp: "/", data: ["two", bin(1), { x: bin(2, 2) }] }],
  [
    "binary_event/ten",
    { type: EVENT, nsp: "/", data: ["ten", ...Array.from({ length: 10 }, (_, i) => seq(i + 1, i * 16))] },
  ],
  [
    "binary_event/deep",
    {
      type: EVENT,
      nsp: "/",
      data: ["deep", { a: [{ b: { c: [null, { d: seq(8) }] } }], e: "f" }, [[[seq(3, 0xfd)]]]],
    },
  ],
  ["binary_event/empty-buffer", { type: EVENT, nsp: "/", data: ["empty", Buffer.alloc(0)] }],
  ["binary_event/admin-ack-id", { type: EVENT, nsp: "/admin", id: 456, data: ["baz", bin(0xde, 0xad)] }],
  ["binary_event/ack-id-0", { type: EVENT, nsp: "/", id: 0, data: ["buffa", seq(16)] }],
  ["binary_event/numeric-name", { type: EVENT, nsp: "/", data: [7, bin(7)] }],
  ["binary_event/mixed", { type: EVENT, nsp: "/", data: ["mixed", "text", 1, null, { bin: bin(9), s: "€" }] }],
  ["binary_event/unicode-nsp", { type: EVENT, nsp: "/ünïcödé-😀-名前", data: ["hi", bin(1)] }],
  // BINARY_ACK (6)
  ["binary_ack/one", { type: ACK, nsp: "/", id: 5, data: [bin(1, 2, 3)] }],
  ["binary_ack/admin", { type: ACK, nsp: "/admin", id: 789, data: ["x", { b: seq(4) }] }],
  ["binary_ack/two", { type: ACK, nsp: "/", id: 0, data: [bin(0), bin(255)] }],
];

function sioPacketJson(packet) {
  const out = { type: packet.type, nsp: packet.nsp };
  if (packet.id !== undefined) out.id = packet.id;
  if (packet.data !== undefined) out.data = toJson(packet.data);
  if (packet.attachments !== undefined) out.attachments = packet.attachments;
  return out;
}

function clone(value) {
  if (isBinary(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value)) out[key] = clone(value[key]);
    return out;
  }
  return value;
}

// feed frames to a fresh decoder; returns {decoded: [...]} or {error, at}
function decodeFrames(frames) {
  const decoder = new Decoder();
  const decoded = [];
  decoder.on("decoded", (p) => decoded.push(p));
  for (let i = 0; i < frames.length; i++) {
    try {
      decoder.add(frames[i]);
    } catch (err) {
      return { error: err.message, at: i, decoded };
    }
  }
  return { decoded };
}

function socketioPackets() {
  return sioPacketCases.map(([name, input]) => {
    const frames = new Encoder().encode(clone(input));
    const attachments = frames.length - 1;
    const onWire = clone(input);
    if (typeof frames[0] === "string" && /^[56]/.test(frames[0])) {
      onWire.type = input.type === EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
      onWire.attachments = attachments;
    } else {
      assert.equal(attachments, 0, `${name}: attachments without a binary type`);
    }
    frames.slice(1).forEach((f) => assert(isBinary(f), `${name}: attachment is not binary`));
    const result = decodeFrames(frames.map((f) => (typeof f === "string" ? f : Buffer.from(f))));
    assert(!result.error, `${name}: reference decoder rejected its own encoding: ${result.error}`);
    assert.equal(result.decoded.length, 1, `${name}: expected one decoded packet`);
    assert(
      util.isDeepStrictEqual(result.decoded[0], clone(input)),
      `${name}: round trip mismatch: ${util.inspect(result.decoded[0], { depth: null })}`,
    );
    return { name, packet: sioPacketJson(onWire), frames: frames.map(frameJson) };
  });
}

const bigPlaceholders = (n) => JSON.stringify(["a", ...Array.from({ length: n }, (_, i) => ph(i))]);

// [name, frames (strings and Buffers)]
const sioDecodeErrorCandidates = [
  // socket.io-parser test/parser.js "throw an error upon parsing error" (all string inputs)
  ["parser-test/connect-error-array", ['442["some","data"']],
  ["parser-test/connect-string", ['0/admin,"invalid"']],
  ["parser-test/connect-array", ["0[]"]],
  ["parser-test/disconnect-object", ["1/admin,{}"]],
  ["parser-test/event-invalid-json", ['2/admin,"invalid']],
  ["parser-test/event-object", ["2/admin,{}"]],
  ["parser-test/event-name-object", ['2[{"toString":"foo"}]']],
  ["parser-test/event-name-true", ['2[true,"foo"]']],
  ["parser-test/event-name-null", ['2[null,"bar"]']],
  ["parser-test/event-reserved-connect", ['2["connect"]']],
  ["parser-test/event-reserved-disconnect", ['2["disconnect","123"]']],
  ["parser-test/attachments-missing", ["5"]],
  ["parser-test/attachments-no-dash", ["51"]],
  ["parser-test/attachments-zero", ["50-"]],
  ["parser-test/attachments-letter", ["5a-"]],
  ["parser-test/attachments-fraction", ["51.23-"]],
  ["parser-test/unknown-type-999", ["999"]],
  // packet type
  ["type/unknown-9", ["9"]],
  ["type/unknown-9-with-data", ['9["a"]']],
  ["type/unknown-7", ['7["a"]']],
  ["type/letter", ['x["a"]']],
  // attachment counts
  ["attachments/connect-error-442", ['442["a"]']],
  ["attachments/empty-count", ['5-["a",{"_placeholder":true,"num":0}]']],
  ["attachments/count-with-letter", ["51x-"]],
  ["attachments/count-with-letter-and-data", ['51x-["a",{"_placeholder":true,"num":0}]']],
  ["attachments/no-dash-with-data", ['51["a",{"_placeholder":true,"num":0}]']],
  ["attachments/negative", ['5-1-["a",{"_placeholder":true,"num":0}]']],
  ["attachments/eleven", ["511-" + bigPlaceholders(11)]],
  ["attachments/binary-ack-zero", ["60-0[]"]],
  ["attachments/binary-ack-eleven", ["611-0" + JSON.stringify(Array.from({ length: 11 }, (_, i) => ph(i)))]],
  // placeholders (header + attachments)
  ["placeholder/out-of-range", ['51-["a",{"_placeholder":true,"num":1}]', bin(1, 2, 3)]],
  ["placeholder/out-of-range-second", ['52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":2}]', bin(1), bin(2)]],
  ["placeholder/num-string", ['51-["a",{"_placeholder":true,"num":"0"}]', bin(1)]],
  ["placeholder/num-negative", ['51-["a",{"_placeholder":true,"num":-1}]', bin(1)]],
  ["placeholder/num-missing", ['51-["a",{"_placeholder":true}]', bin(1)]],
  ["placeholder/num-null", ['51-["a",{"_placeholder":true,"num":null}]', bin(1)]],
  ["placeholder/binary-ack-out-of-range", ['61-3[{"_placeholder":true,"num":5}]', bin(1)]],
  ["placeholder/num-fraction", ['52-["a",{"_placeholder":true,"num":0.5}]', bin(1), bin(2)]],
  // a repeated key: JSON.parse keeps the last value, and only that one is reconstructed
  ["placeholder/duplicate-key-last-invalid", ['51-["e",{"e":0,"e":{"_placeholder":true}}]', bin(1)]],
  ["placeholder/duplicate-key-escaped-last-invalid", ['51-["e",{"e":0,"\\u0065":{"_placeholder":true,"num":3}}]', bin(1)]],
  // frame sequencing
  ["frames/unexpected-binary", [bin(1, 2, 3)]],
  ["frames/text-while-reconstructing", ['51-["a",{"_placeholder":true,"num":0}]', '2["b"]']],
  // CONNECT
  ["connect/array", ['0["a"]']],
  ["connect/string", ['0"token"']],
  ["connect/null", ["0null"]],
  ["connect/number", ["0/admin,42"]],
  // DISCONNECT
  ["disconnect/object", ["1{}"]],
  ["disconnect/array", ["1[]"]],
  ["disconnect/string", ['1/admin,"bye"']],
  // CONNECT_ERROR
  ["connect_error/array", ["4[]"]],
  ["connect_error/null", ["4null"]],
  // EVENT
  ["event/not-array-object", ['2{"a":1}']],
  ["event/not-array-string", ['2"a"']],
  ["event/not-array-null", ["2null"]],
  ["event/empty-array", ["2[]"]],
  ["event/name-object", ['2[{},"a"]']],
  ["event/name-array", ['2[["a"]]']],
  ["event/name-bool", ["2[false]"]],
  ["event/reserved-connect", ['2["connect"]']],
  ["event/reserved-connect_error", ['2["connect_error"]']],
  ["event/reserved-disconnect", ['2["disconnect"]']],
  ["event/reserved-disconnecting", ['2["disconnecting"]']],
  ["event/reserved-newListener", ['2["newListener"]']],
  ["event/reserved-removeListener", ['2["removeListener"]']],
  ["event/reserved-admin", ['2/admin,1["connect",1]']],
  ["event/invalid-json", ['2["a"']],
  ["event/invalid-json-single-quotes", ["2['a']"]],
  ["event/trailing-garbage", ['2["a"]x']],
  ["event/trailing-second-value", ['2["a"]["b"]']],
  ["event/trailing-comma", ['2["a",]']],
  ["event/ack-id-non-numeric", ['2abc["a"]']],
  ["event/ack-id-then-garbage", ['212x["a"]']],
  ["event/ack-id-negative", ['2-1["a"]']],
  ["event/nsp-missing-slash", ['2admin,["a"]']],
  ["binary_event/not-array", ['51-{"a":{"_placeholder":true,"num":0}}']],
  ["binary_event/reserved", ['51-["connect",{"_placeholder":true,"num":0}]']],
  // ACK
  ["ack/object", ["30{}"]],
  ["ack/string", ['3"a"']],
  ["ack/null", ["30null"]],
  // namespace
  ["namespace/unterminated", ["2/admin"]],
  ["namespace/unterminated-with-data", ['2/admin["a"]']],
  // lenient-looking inputs (the script logs those the reference accepts)
  ["lenient/empty-frame", [""]],
  ["lenient/connect-with-id", ["01"]],
  ["lenient/event-without-data", ["2"]],
  ["lenient/ack-without-id", ["3[]"]],
];

// [name, frames]: inputs the reference DEcoder accepts although no encoder writes them;
// kept with the packet the reference decodes (the script asserts it accepts them).
const sioDecodeCases = [
  ["duplicate-key/placeholder-overridden", ['51-["e",{"e":{"_placeholder":true},"e":0},{"_placeholder":true,"num":0}]', bin(1)]],
  ["duplicate-key/valid-placeholder-overridden", ['51-["e",{"e":{"_placeholder":true,"num":0},"e":0},2]', bin(1)]],
  ["duplicate-key/escaped-key-overrides", ['51-["e",{"e":{"_placeholder":true},"\\u0065":1},{"_placeholder":true,"num":0}]', bin(1)]],
  ["duplicate-key/placeholder-wins", ['51-["e",{"e":0,"e":{"_placeholder":true,"num":0}}]', bin(7)]],
  ["duplicate-key/placeholder-flag-false-last", ['51-["e",{"_placeholder":true,"_placeholder":false,"num":9},{"_placeholder":true,"num":0}]', bin(1)]],
  ["duplicate-key/num-last", ['51-["e",{"num":9,"_placeholder":true,"num":0}]', bin(1)]],
  ["duplicate-key/nested-array-overridden", ['51-["e",{"a":[{"_placeholder":true,"num":5}],"a":[]},{"_placeholder":true,"num":0}]', bin(1)]],
  ["duplicate-key/text-event", ['2["e",{"a":1,"a":2}]']],
  ["placeholder/invalid-inside-valid", ['51-["e",{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":9}}]', bin(1)]],
  ["placeholder/reused-index", ['51-["e",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":0}]]', bin(1)]],
  ["placeholder/num-exponent", ['52-["e",{"_placeholder":true,"num":1e0},{"_placeholder":true,"num":-0}]', bin(1), bin(2)]],
  ["placeholder/lookalike-in-text-event", ['2["e",{"_placeholder":true,"num":99}]']],
];

function socketioDecodes() {
  return sioDecodeCases.map(([name, frames]) => {
    const result = decodeFrames(frames);
    assert(!result.error, `${name}: the reference rejects it: ${result.error}`);
    assert.equal(result.decoded.length, 1, `${name}: expected one decoded packet`);
    const packet = sioPacketJson(result.decoded[0]);
    // the decoder reports a BINARY_EVENT as an EVENT; the vector keeps the wire type
    const wireType = Number(frames[0][0]);
    assert([wireType, wireType - 3].includes(packet.type), `${name}: type ${packet.type}`);
    packet.type = wireType;
    if (frames.length > 1) packet.attachments = frames.length - 1;
    return { name, frames: frames.map(frameJson), packet };
  });
}

function socketioDecodeErrors() {
  const out = [];
  for (const [name, frames] of sioDecodeErrorCandidates) {
    const result = decodeFrames(frames);
    if (result.error === undefined) {
      lenient.push(`socketio ${name}: ${util.inspect(frames)} -> ${util.inspect(result.decoded, { depth: null })}`);
      continue;
    }
    assert.equal(result.at, frames.length - 1, `${name}: rejected before its last frame; trim the vector`);
    out.push({ name, frames: frames.map(frameJson), error: result.error });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// output

function generate() {
  const doc = {
    generator: `socket.io-parser ${pkgVersion("socket.io-parser")} / engine.io-parser ${pkgVersion("engine.io-parser")}`,
    engineio: {
      packets: engineioPackets(),
      payloads: engineioPayloads(),
      decode_errors: engineioDecodeErrors(),
      payload_decode_errors: engineioPayloadDecodeErrors(),
    },
    socketio: {
      packets: socketioPackets(),
      decodes: socketioDecodes(),
      decode_errors: socketioDecodeErrors(),
    },
  };
  for (const [layer, lists] of Object.entries({ engineio: doc.engineio, socketio: doc.socketio })) {
    for (const [key, list] of Object.entries(lists)) {
      assertUniqueNames(list, `${layer}.${key}`);
      list.sort(byName);
    }
  }
  // the file must parse back to exactly the same structure
  const text = JSON.stringify(doc, null, 2) + "\n";
  assert(util.isDeepStrictEqual(JSON.parse(text), doc));
  return { doc, text };
}

function counts(doc) {
  const c = {};
  for (const layer of ["engineio", "socketio"]) {
    for (const [key, list] of Object.entries(doc[layer])) c[`${layer}.${key}`] = list.length;
  }
  return c;
}

function main() {
  const check = process.argv.includes("--check");
  const verbose = process.argv.includes("--verbose");
  const { doc, text } = generate();
  if (verbose) for (const l of lenient) process.stderr.write(`lenient: ${l}\n`);
  else process.stderr.write(`${lenient.length} candidate inputs are accepted by the reference (see --verbose)\n`);
  if (check) {
    let current = null;
    try {
      current = fs.readFileSync(OUT, "utf8");
    } catch (err) {
      process.stderr.write(`gen-vectors: cannot read ${OUT}: ${err.message}\n`);
      process.exit(1);
    }
    if (current !== text) {
      process.stderr.write(`gen-vectors: ${OUT} is out of date; run \`node tests/server/gen-vectors.js\`\n`);
      process.exit(1);
    }
    process.stderr.write(`gen-vectors: ${path.relative(process.cwd(), OUT)} is up to date ${JSON.stringify(counts(doc))}\n`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stderr.write(`gen-vectors: wrote ${OUT} ${JSON.stringify(counts(doc))}\n`);
}

main();
