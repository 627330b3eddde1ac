// Check a downloaded bid receipt in the reader's own browser (procurement/bids/receipt_check.py
// makes the same checks for `prongsai verify-receipt`). The file is read here and never sent:
// commitment = SHA-256(salt || canonical bid); the log entry names that commitment; the inclusion
// proof leads from SHA-256(0x00 || entry) to the signed checkpoint's root (RFC 9162); the
// checkpoint's Ed25519 signature holds for the log's key; and this site's log today is
// consistent with that checkpoint.
(function () {
  "use strict";
  var box = document.getElementById("receipt-check");
  var input = document.getElementById("receipt-file");
  if (!box || !input) { return; }
  var encoder = window.TextEncoder ? new TextEncoder() : null;
  var msg = function (name) { return box.getAttribute("data-msg-" + name) || ""; };
  var result = box.querySelector(".verify-result");
  var details = box.querySelector(".verify-details");

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
  // A signed note's body, size and root, or null when its text and fields disagree.
  function parseNote(note, size, rootHex) {
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0) { return null; }
    var body = note.slice(0, cut + 1), lines = body.split("\n");
    if (lines.length < 4 || String(size) !== lines[1]) { return null; }
    if (!equal(base64ToBytes(lines[2]), hexToBytes(rootHex))) { return null; }
    return { body: body, signatures: note.slice(cut + 2, -1).split("\n") };
  }
  // "ok", "bad" or "unsupported" (no Ed25519 in this browser's Web Crypto).
  async function signature(parsed, verifierKey) {
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
  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || "en",
        { style: "currency", currency: currency, currencyDisplay: "narrowSymbol" }).format(amount / 100);
    } catch (e) { return String(amount) + " " + currency; }
  }

  async function check(r) {
    var found = [];  // [state, text]: state "ok", "bad" or "none"
    var p = r.private;
    if (!p) {
      found.push(["none", msg("commitment-none")]);
    } else {
      var digest = toHex(await sha256(concat([hexToBytes(p.salt), encoder.encode(p.canonical_bid)])));
      if (digest !== r.commitment) {
        found.push(["bad", msg("commitment-bad")]);
      } else {
        found.push(["ok", msg("commitment-ok")]);
        var bid = JSON.parse(p.canonical_bid), part = null;
        [["price", p.price, bid.price], ["lot prices", p.lot_prices, bid.lot_prices || []],
         ["unit prices", p.item_prices, bid.item_prices || []],
         ["reserve-price picks", p.reserve_picks, bid.reserve_picks || []],
         ["documents", p.documents, bid.documents || []]].forEach(function (pair) {
          if (part === null && canonical(pair[1]) !== canonical(pair[2])) { part = pair[0]; }
        });
        found.push(part === null
          ? ["ok", fill(msg("shown-ok"), { price: money(p.price.amount, p.price.currency) })]
          : ["bad", fill(msg("shown-bad"), { part: part })]);
      }
    }
    var entry = null;
    try { entry = JSON.parse(r.log_entry); } catch (e) { entry = null; }
    var pl = entry && entry.payload;
    var entryOk = !!pl && entry.type === "procurement.bid.sealed" && pl.commitment === r.commitment &&
      pl.ocid === r.ocid && pl.version === r.version && pl.supplier === r.supplier;
    found.push(entryOk ? ["ok", fill(msg("entry-ok"), { index: r.log_index, ocid: r.ocid, version: r.version })]
                       : ["bad", msg("entry-bad")]);
    var cp = r.checkpoint;
    if (!cp) { found.push(["none", msg("proof-none")]); return found; }
    var root = await rootFromInclusion(r.log_index, cp.tree_size, await leafHash(r.log_entry),
                                       r.inclusion_proof.map(hexToBytes));
    var proofOk = root !== null && equal(root, hexToBytes(cp.root_hash)) && r.tree_size === cp.tree_size;
    found.push(proofOk ? ["ok", fill(msg("proof-ok"), { size: cp.tree_size })] : ["bad", msg("proof-bad")]);
    var parsed = parseNote(cp.note, cp.tree_size, cp.root_hash);
    var key = r.log_public_key || "";
    var keyId = key.split("+")[1] || "?";
    var sig = parsed && key ? await signature(parsed, key) : "bad";
    found.push(sig === "ok" ? ["ok", fill(msg("sig-ok"), { key: keyId })]
               : sig === "unsupported" ? ["none", msg("sig-unsupported")] : ["bad", msg("sig-bad")]);
    var live = await getJSON("/api/ledger/public-key");
    if (live.verifier_key !== key) {
      found.push(["none", fill(msg("live-other"), { key: keyId })]);
      return found;
    }
    var now = await getJSON("/api/ledger/checkpoint");
    var nowParsed = parseNote(now.note, now.tree_size, now.root_hash);
    var nowSig = nowParsed ? await signature(nowParsed, key) : "bad";
    var ok = false;
    if (nowSig !== "bad" && now.tree_size >= cp.tree_size) {
      var proof = await getJSON("/api/ledger/proof/consistency?first=" + cp.tree_size +
                                "&second=" + now.tree_size);
      ok = await consistent(cp.tree_size, now.tree_size, hexToBytes(cp.root_hash),
                            hexToBytes(now.root_hash), proof.consistency_path.map(hexToBytes));
    }
    found.push(ok ? ["ok", fill(msg("live-ok"), { size: now.tree_size })] : ["bad", msg("live-bad")]);
    return found;
  }

  async function run(file) {
    details.textContent = "";
    result.textContent = msg("working");
    box.setAttribute("data-state", "working");
    var r;
    try {
      r = JSON.parse(await file.text());
      if (!r || r.format !== "prongsai-bid-receipt/1") { throw new Error("format"); }
    } catch (e) {
      result.textContent = fill(msg("unreadable"), { reason: e && e.message ? e.message : String(e) });
      box.setAttribute("data-state", "bad");
      return;
    }
    try {
      var found = await check(r);
      found.forEach(function (f) {
        var item = document.createElement("li");
        item.className = "check-" + f[0];
        item.textContent = f[1];
        details.appendChild(item);
      });
      var bad = found.some(function (f) { return f[0] === "bad"; });
      result.textContent = msg(bad ? "some-bad" : "all-ok");
      box.setAttribute("data-state", bad ? "bad" : "ok");
    } catch (error) {
      result.textContent = fill(msg("error"), { reason: error && error.message ? error.message : String(error) });
      box.setAttribute("data-state", "error");
    }
  }

  if (!encoder || !window.fetch || !window.crypto || !window.crypto.subtle) {
    result.textContent = msg("unsupported");
    input.disabled = true;
    return;
  }
  input.addEventListener("change", function () { if (input.files.length) { run(input.files[0]); } });
}());
