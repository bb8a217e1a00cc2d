// Passkeys: the only part of the console that needs JavaScript (WebAuthn is a browser API).
// Options come from the server as JSON with base64url fields; answers go back the same way.
// Also opens invitation links, whose token comes after '#' (without script the user pastes it).
"use strict";

const toBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const toText = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function token() {
  return document.querySelector("input[name='__csrf']").value;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", RequestVerificationToken: token() },
    body: JSON.stringify(body ?? {}),
    credentials: "same-origin",
  });
  return { ok: response.ok, body: await response.json() };
}

function say(text) {
  document.getElementById("passkey-status").textContent = text;
}

async function addPasskey() {
  const options = await post("/console/passkeys/registration-options");
  if (!options.ok) return say(options.body.error);
  const publicKey = options.body;
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.user.id = toBytes(publicKey.user.id);
  publicKey.excludeCredentials = (publicKey.excludeCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) }));
  const credential = await navigator.credentials.create({ publicKey });
  const saved = await post("/console/passkeys", {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toText(credential.response.attestationObject),
      clientDataJSON: toText(credential.response.clientDataJSON),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });
  say(saved.ok ? "Passkey added." : saved.body.error);
}

async function usePasskey() {
  const options = await post("/console/passkeys/assertion-options");
  if (!options.ok) return say(options.body.error);
  const publicKey = options.body;
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.allowCredentials = (publicKey.allowCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) }));
  const credential = await navigator.credentials.get({ publicKey });
  const returnUrl = document.querySelector("input[name='return_url']")?.value ?? "";
  const result = await post("/console/passkeys/assertion?return_url=" + encodeURIComponent(returnUrl), {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toText(credential.response.authenticatorData),
      clientDataJSON: toText(credential.response.clientDataJSON),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });
  if (result.ok) window.location.assign(result.body.redirect);
  else say(result.body.error);
}

function wire(id, action) {
  const button = document.getElementById(id);
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => action().catch((error) => say(error.message)));
}

wire("add-passkey", addPasskey);
wire("use-passkey", usePasskey);

// An invitation link's token is in its fragment, which the browser never sends: post it, and take it out of the address bar.
const invitation = document.getElementById("invitation");
if (invitation && location.hash.length > 1) {
  invitation.elements.token.value = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", location.pathname);
  invitation.submit();
}
