// Checks callbacks Contacto sent with the official SDK's own validation functions. Reads a JSON
// array of {method, url, nonce, signature, token, params, v2Nonce, v2Signature} on standard
// input; prints a JSON array of {v3, v2} results.
'use strict';
const plivo = require('plivo');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((c) => ({
    v3: plivo.validateV3Signature(c.method, c.url, c.nonce, c.token, c.signature, c.params),
    v2: plivo.validateSignature(c.url, c.v2Nonce, c.v2Signature, c.token),
  }));
  process.stdout.write(JSON.stringify(results));
});
