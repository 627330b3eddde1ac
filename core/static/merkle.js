// The Merkle-tree and Web Crypto helpers both in-browser checks share: the log entries of a
// record (verify.js) and a downloaded bid receipt (receipt-verify.js). RFC 9162 hashes
// (leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)), inclusion and
// consistency proofs, C2SP signed notes and their Ed25519 signatures. Pages load this first;
// it defines window.ProngsaiMerkle and touches nothing else.
(function () {
  "use strict";
  var encoder = window.TextEncoder ? new TextEncoder() : null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  function hexToBytes(hex) {
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) { throw new Error("bad hex"); }
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }
  function toHex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }
  function base64ToBytes(text) {
    var raw = atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function equal(a, b) {
    if (!a || !b || a.length !== b.length) { return false; }
    var diff = 0;
    for (var i = 0; i < a.length; i++) { diff |= a[i] ^ b[i]; }
    return diff === 0;
  }
  function concat(parts) {
    var out = new Uint8Array(parts.reduce(function (n, p) { return n + p.length; }, 0));
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  function leafHash(text) { return sha256(concat([new Uint8Array([0]), encoder.encode(text)])); }
  function nodeHash(l, r) { return sha256(concat([new Uint8Array([1]), l, r])); }
  // Sorted keys, no whitespace: compares two JSON values whatever their key order.
  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  // RFC 9162 2.1.3.2: the root an inclusion proof leads to, or null.
  async function rootFromInclusion(index, size, leaf, path) {
    if (index >= size) { return null; }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return null; }
      if ((fn & 1) === 1 || fn === sn) {
        r = await nodeHash(path[i], r);
        while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await nodeHash(r, path[i]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }
  // RFC 9162 2.1.4.2: does `path` prove the tree (second, secondRoot) extends (first, firstRoot)?
  async function consistent(first, second, firstRoot, secondRoot, path) {
    if (first === second) { return path.length === 0 && equal(firstRoot, secondRoot); }
    if (first === 0 || first > second || !path.length) { return false; }
    if ((first & (first - 1)) === 0) { path = [firstRoot].concat(path); }
    var fn = first - 1, sn = second - 1;
    while (fn & 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (sn === 0) { return false; }
      if ((fn & 1) === 1 || fn === sn) {
        fr = await nodeHash(path[i], fr); sr = await nodeHash(path[i], sr);
        while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        sr = await nodeHash(sr, path[i]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
  }
  // A signed note's body, size, root and signature lines, or null when its text and fields
  // disagree.
  function parseNote(note, size, rootHex) {
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0) { return null; }
    var body = note.slice(0, cut + 1), lines = body.split("\n");
    if (lines.length < 4 || String(size) !== lines[1]) { return null; }
    var root = base64ToBytes(lines[2]);
    if (!equal(root, hexToBytes(rootHex))) { return null; }
    return { body: body, size: size, root: root, signatures: note.slice(cut + 2, -1).split("\n") };
  }
  // "ok", "bad" or "unsupported" (no Ed25519 in this browser's Web Crypto).
  async function signature(parsed, verifierKey) {
    // <name>+<key id>+<base64 key>: the base64 may itself hold "+", so split twice only.
    var first = verifierKey.indexOf("+"), second = verifierKey.indexOf("+", first + 1);
    if (first < 0 || second < 0) { return "bad"; }
    var name = verifierKey.slice(0, first), keyId = hexToBytes(verifierKey.slice(first + 1, second));
    var raw = base64ToBytes(verifierKey.slice(second + 1));
    if (raw.length !== 33 || raw[0] !== 1) { return "bad"; }
    var key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) { return "unsupported"; }
    var prefix = "\u2014 " + name + " ", found = false;
    for (var i = 0; i < parsed.signatures.length; i++) {
      var line = parsed.signatures[i];
      if (line.indexOf(prefix) !== 0) { continue; }
      var sig = base64ToBytes(line.slice(prefix.length));
      if (sig.length !== 68 || !equal(sig.slice(0, 4), keyId)) { continue; }
      found = true;
      if (!await crypto.subtle.verify({ name: "Ed25519" }, key, sig.slice(4), encoder.encode(parsed.body))) {
        return "bad";
      }
    }
    return found ? "ok" : "bad";
  }
  async function getJSON(url) {
    var response = await fetch(url, { credentials: "omit", cache: "no-store" });
    if (!response.ok) { throw new Error(url.split("?")[0] + " answered " + response.status); }
    return response.json();
  }

  window.ProngsaiMerkle = {
    fill: fill, hexToBytes: hexToBytes, toHex: toHex, base64ToBytes: base64ToBytes, equal: equal,
    concat: concat, sha256: sha256, leafHash: leafHash, nodeHash: nodeHash, canonical: canonical,
    rootFromInclusion: rootFromInclusion, consistent: consistent, parseNote: parseNote,
    signature: signature, getJSON: getJSON, encoder: encoder
  };
})();
