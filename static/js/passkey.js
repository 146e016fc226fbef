// Passkeys: register one from Account → Security, or answer the log-in's second step.
// The server makes the options and checks the answers; this module only carries them
// between it and navigator.credentials (no inline script: the CSP forbids it).

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: body === undefined ? '{}' : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || answer.message || 'The server refused the passkey.');
  return answer;
}

function say(text) {
  const note = document.querySelector('[data-passkey-note]');
  if (note) note.textContent = text;
}

function supported() {
  return Boolean(window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON);
}

async function register() {
  say('Follow your device’s prompt to create the passkey…');
  const options = await post('/account/security/passkeys/options');
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
  });
  const answer = await post('/account/security/passkeys', credential.toJSON());
  window.location.assign(answer.redirect);
}

async function logIn() {
  say('Follow your device’s prompt to use your passkey…');
  const options = await post('/login/passkey/options');
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  });
  const answer = await post('/login/passkey', credential.toJSON());
  window.location.assign(answer.redirect);
}

function wire(selector, action) {
  const button = document.querySelector(selector);
  if (!button) return;
  if (!supported()) {
    say('This browser cannot use passkeys.');
    return;
  }
  button.hidden = false;
  button.addEventListener('click', () => {
    action().catch((error) => {
      say(error.name === 'NotAllowedError' ? 'The passkey prompt was closed. Try again.' : error.message);
    });
  });
}

wire('[data-passkey-register]', register);
wire('[data-passkey-login]', logIn);
