// Check a downloaded bid receipt in the reader's own browser (procurement/bids/receipt_check.py
// makes the same checks for `prongsai verify-receipt`). The file is read here and never sent:
// commitment = SHA-256(salt || canonical bid); the log entry names that commitment; the inclusion
// proof leads from SHA-256(0x00 || entry) to the signed checkpoint's root (RFC 9162); the
// checkpoint's Ed25519 signature holds for the log's key; and this site's log today is
// consistent with that checkpoint. The hashing and proofs are core/static/merkle.js's.
(function () {
  "use strict";
  var box = document.getElementById("receipt-check");
  var input = document.getElementById("receipt-file");
  if (!box || !input) { return; }
  var encoder = window.TextEncoder ? new TextEncoder() : null;
  if (!window.ProngsaiMerkle) { return; }
  var msg = function (name) { return box.getAttribute("data-msg-" + name) || ""; };
  var result = box.querySelector(".verify-result");
  var details = box.querySelector(".verify-details");

  var M = window.ProngsaiMerkle;
  var fill = M.fill, hexToBytes = M.hexToBytes, toHex = M.toHex, equal = M.equal, concat = M.concat;
  var sha256 = M.sha256, canonical = M.canonical, consistent = M.consistent;
  var parseNote = M.parseNote, signature = M.signature, getJSON = M.getJSON, leafHash = M.leafHash;
  var rootFromInclusion = M.rootFromInclusion;
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
