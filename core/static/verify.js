// Verify a record's transparency-log entries in the reader's own browser.
// Fetches each entry, its inclusion proof and the latest signed checkpoint from /api/ledger/*,
// recomputes the RFC 9162 hashes with Web Crypto (leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right)) and compares the root with the signed one.
// Where the browser supports Ed25519 in Web Crypto, the checkpoint's signature is checked too.
// The hashing, proofs and signed notes are core/static/merkle.js's, which the page loads first.
(function () {
  "use strict";
  var MAX_ENTRIES = 100;
  var encoder = window.TextEncoder ? new TextEncoder() : null;

  var M = window.ProngsaiMerkle || {};
  var fill = M.fill, hexToBytes = M.hexToBytes, equal = M.equal, getJSON = M.getJSON;
  var leafHash = M.leafHash, rootFromInclusion = M.rootFromInclusion;

  // The checkpoint's signed text must say the same size and root as its JSON fields.
  function parseNote(checkpoint) {
    return M.parseNote(checkpoint.note, checkpoint.tree_size, checkpoint.root_hash);
  }

  // "ok", "bad" or "unsupported", and the key's id to name it by.
  async function checkSignature(parsed, verifierKey) {
    return { state: await M.signature(parsed, verifierKey), key: verifierKey.split("+")[1] };
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
  if (!window.ProngsaiMerkle || !encoder || !window.fetch || !window.crypto || !window.crypto.subtle) {
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
