/* Proof of work for the anonymous report form (ALTCHA v2, PBKDF2/SHA-256, uint32 counter), solved with the
   browser's own Web Crypto. Progressive enhancement: without this script the form is still sent, and the
   server counts it under a smaller allowance. Nothing is sent anywhere but with the form itself. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var field = document.getElementById("altcha");
  if (!form || !field || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var status = document.getElementById("pow-status");
  var solved = false;
  var waiting = false;

  function bytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) {
      out[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return out;
  }
  function toHex(buffer) {
    var view = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < view.length; i++) {
      out += (view[i] < 16 ? "0" : "") + view[i].toString(16);
    }
    return out;
  }

  async function solve(challenge) {
    var p = challenge.parameters;
    var nonce = bytes(p.nonce);
    var salt = bytes(p.salt);
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    var view = new DataView(password.buffer);
    for (var counter = 0; counter < 10000000; counter++) {
      view.setUint32(nonce.length, counter, false);
      var key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
      var bits = await crypto.subtle.deriveBits(
        { name: "PBKDF2", salt: salt, iterations: p.cost, hash: "SHA-256" }, key, p.keyLength * 8);
      var derived = toHex(bits);
      if (derived.indexOf(p.keyPrefix) === 0) {
        return { challenge: challenge, solution: { counter: counter, derivedKey: derived } };
      }
    }
    return null;
  }

  form.addEventListener("submit", function (event) {
    if (!solved) {
      event.preventDefault();
      waiting = true;
      if (status) {
        status.hidden = false;
      }
    }
  });

  solve(JSON.parse(form.getAttribute("data-challenge"))).then(function (payload) {
    if (payload) {
      field.value = btoa(JSON.stringify(payload));
    }
    solved = true;
    if (waiting) {
      form.submit();
    }
  }, function () {
    solved = true;
    if (waiting) {
      form.submit();
    }
  });
})();
