// Verify a record's transparency-log entries in the reader's own browser.
// Fetches each entry, its inclusion proof and the latest signed checkpoint from /api/ledger/*,
// recomputes the RFC 9162 hashes with Web Crypto (leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right)) and compares the root with the signed one.
// Where the browser supports Ed25519 in Web Crypto, the checkpoint's signature is checked too.
(function () {
  "use strict";
  var MAX_ENTRIES = 100;
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
  function base64ToBytes(text) {
    var raw = atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) { return false; }
    var diff = 0;
    for (var i = 0; i < a.length; i++) { diff |= a[i] ^ b[i]; }
    return diff === 0;
  }
  function concat(parts) {
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(size);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  function leafHash(entryText) {
    return sha256(concat([new Uint8Array([0]), encoder.encode(entryText)]));
  }
  function nodeHash(left, right) {
    return sha256(concat([new Uint8Array([1]), left, right]));
  }

  // RFC 9162, section 2.1.3.2: the root an inclusion proof leads to, or null if malformed.
  async function rootFromInclusion(index, size, leaf, path) {
    if (index >= size) { return null; }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return null; }
      if ((fn & 1) === 1 || fn === sn) {
        r = await nodeHash(path[i], r);
        if ((fn & 1) === 0) {
          while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, path[i]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function getJSON(url) {
    var response = await fetch(url, { credentials: "omit", cache: "no-store" });
    if (!response.ok) { throw new Error(url.split("?")[0] + " answered " + response.status); }
    return response.json();
  }

  // The checkpoint's signed text must say the same size and root as its JSON fields.
  function parseNote(checkpoint) {
    var note = checkpoint.note;
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0) { return null; }
    var body = note.slice(0, cut + 1);
    var lines = body.split("\n");
    if (lines.length < 4 || String(checkpoint.tree_size) !== lines[1]) { return null; }
    var root = base64ToBytes(lines[2]);
    if (!equal(root, hexToBytes(checkpoint.root_hash))) { return null; }
    return { body: body, size: checkpoint.tree_size, root: root,
             signatures: note.slice(cut + 2, -1).split("\n") };
  }

  // "ok", "bad" or "unsupported" (no Ed25519 in this browser's Web Crypto).
  async function checkSignature(parsed, verifierKey) {
    // <name>+<key id>+<base64 key>: the base64 may itself hold "+", so split twice only.
    var first = verifierKey.indexOf("+"), second = verifierKey.indexOf("+", first + 1);
    if (first < 0 || second < 0) { return { state: "bad" }; }
    var parts = [verifierKey.slice(0, first), verifierKey.slice(first + 1, second),
                 verifierKey.slice(second + 1)];
    var name = parts[0], keyId = hexToBytes(parts[1]), raw = base64ToBytes(parts[2]);
    if (raw.length !== 33 || raw[0] !== 1) { return { state: "bad" }; }
    var key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false,
                                          ["verify"]);
    } catch (e) {
      return { state: "unsupported" };
    }
    var prefix = "\u2014 " + name + " ";
    var found = false;
    for (var i = 0; i < parsed.signatures.length; i++) {
      var line = parsed.signatures[i];
      if (line.indexOf(prefix) !== 0) { continue; }
      var sig = base64ToBytes(line.slice(prefix.length));
      if (sig.length !== 68 || !equal(sig.slice(0, 4), keyId)) { continue; }
      found = true;
      var ok = await crypto.subtle.verify({ name: "Ed25519" }, key, sig.slice(4),
                                          encoder.encode(parsed.body));
      if (!ok) { return { state: "bad" }; }
    }
    return { state: found ? "ok" : "bad", key: parts[1] };
  }

  async function checkEntry(index, checkpoint) {
    var page = await getJSON("/api/ledger/entries?start=" + index + "&end=" + (index + 1));
    if (!page.entries.length || page.entries[0].index !== index) {
      throw new Error("entry " + index + " is missing");
    }
    var proof = await getJSON("/api/ledger/proof/inclusion?index=" + index +
                              "&tree_size=" + checkpoint.size);
    var leaf = await leafHash(page.entries[0].entry);
    var path = proof.audit_path.map(hexToBytes);
    var root = await rootFromInclusion(index, checkpoint.size, leaf, path);
    return {
      index: index,
      holds: root !== null && equal(root, checkpoint.root),
      leafMatches: equal(leaf, hexToBytes(proof.leaf_hash)),
    };
  }

  async function run(box, button) {
    var msg = function (name) { return box.getAttribute("data-msg-" + name) || ""; };
    var result = box.querySelector(".verify-result");
    var details = box.querySelector(".verify-details");
    var say = function (text, state) {
      result.textContent = text;
      box.setAttribute("data-state", state);
    };
    var note = function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      details.appendChild(item);
    };
    var indices = (box.getAttribute("data-verify") || "").split(",").filter(Boolean)
      .map(Number).slice(0, MAX_ENTRIES);
    details.textContent = "";
    if (!indices.length) { say(msg("none"), "none"); return; }
    button.disabled = true;
    say(msg("working"), "working");
    try {
      var checkpoint = parseNote(await getJSON("/api/ledger/checkpoint"));
      if (checkpoint === null) { say(msg("bad-note"), "bad"); return; }
      var pending = indices.filter(function (i) { return i >= checkpoint.size; });
      if (pending.length) {
        say(fill(msg("pending"), { index: pending[0], size: checkpoint.size }), "pending");
        return;
      }
      var key = await getJSON("/api/ledger/public-key");
      var signature = await checkSignature(checkpoint, key.verifier_key);
      if (signature.state === "bad") { say(msg("bad-signature"), "bad"); return; }
      var results = [];
      for (var i = 0; i < indices.length; i++) {
        results.push(await checkEntry(indices[i], checkpoint));
      }
      results.forEach(function (r) {
        var values = { index: r.index };
        note(fill(msg(r.holds ? "entry-ok" : "entry-bad"), values));
        if (!r.leafMatches) { note(fill(msg("entry-leaf"), values)); }
      });
      var broken = results.filter(function (r) { return !r.holds; });
      note(msg("checked"));
      note(signature.state === "ok" ? fill(msg("sig-ok"), { key: signature.key })
                                    : msg("sig-unsupported"));
      if (broken.length) {
        say(fill(msg("bad"), { index: broken[0].index, size: checkpoint.size }), "bad");
      } else if (indices.length === 1) {
        say(fill(msg("ok-one"), { index: indices[0], size: checkpoint.size }), "ok");
      } else {
        say(fill(msg("ok-many"), { count: indices.length, indices: indices.join(", "),
                                   size: checkpoint.size }), "ok");
      }
    } catch (error) {
      say(fill(msg("error"), { reason: error && error.message ? error.message : String(error) }),
          "error");
    } finally {
      button.disabled = false;
    }
  }

  var boxes = document.querySelectorAll("[data-verify]");
  if (!encoder || !window.fetch || !window.crypto || !window.crypto.subtle) {
    // Web Crypto exists only on https pages (and localhost): say so instead of a dead button.
    for (var b = 0; b < boxes.length; b++) {
      var said = boxes[b].querySelector(".verify-result");
      if (said) { said.textContent = boxes[b].getAttribute("data-msg-unsupported") || ""; }
    }
    return;
  }
  for (var i = 0; i < boxes.length; i++) {
    (function (box) {
      var button = box.querySelector(".verify-button");
      if (!button) { return; }
      button.hidden = false;
      button.addEventListener("click", function () { run(box, button); });
    }(boxes[i]));
  }
}());
