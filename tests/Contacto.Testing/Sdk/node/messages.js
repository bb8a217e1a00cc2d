// Drives Contacto's Message and Number API through the official Plivo Node SDK and prints what
// the SDK returned as one JSON object. Env: CONTACTO_URL, AUTH_ID, AUTH_TOKEN, SRC, DST1, DST2.
// The SDK exposes invalid numbers as `invalid_number` (not camelCased), as read below.
'use strict';
const plivo = require('plivo');
const { setTimeout: pause } = require('node:timers/promises');

const { CONTACTO_URL, AUTH_ID, AUTH_TOKEN, SRC, DST1, DST2 } = process.env;
const client = new plivo.Client(AUTH_ID, AUTH_TOKEN, { url: `${CONTACTO_URL}/v1/Account/${AUTH_ID}` });
const failure = (e) => ({ status: e.status, message: e.message });

// Polls until the message leaves queued/sent, for at most 20 s.
async function settled(uuid) {
  for (let attempt = 0; attempt < 400; attempt++) {
    const message = await client.messages.get(uuid);
    if (!['queued', 'sent'].includes(message.messageState)) return message;
    await pause(50);
  }
  return client.messages.get(uuid);
}

async function main() {
  const out = {};
  const sent = await client.messages.create({ src: SRC, dst: [DST1, DST2, '123'], text: 'Hello from the SDK', url: 'https://cb.example.com/status/' });
  out.send = { message: sent.message, uuids: sent.messageUuid, invalid: sent.invalid_number };

  const message = await settled(sent.messageUuid[0]);
  out.get = { state: message.messageState, from: message.fromNumber, to: message.toNumber, units: message.units, errorCode: message.errorCode, direction: message.messageDirection };

  const listed = await client.messages.list({ limit: 1, message_state: 'delivered' });
  out.list = { count: listed.length, totalCount: listed.meta.totalCount };

  try {
    await client.messages.create({ src: SRC, dst: DST1, text: 'picture', type: 'mms', media_urls: ['https://example.com/a.png'] });
    out.mms = { status: 200 };
  } catch (e) {
    out.mms = failure(e);
  }

  const numbers = await client.numbers.list({ limit: 5 });
  out.numbers = { count: numbers.length, first: numbers[0].number, type: numbers[0].numberType };
  const updated = await client.numbers.update(SRC, { alias: 'SDK line' });
  out.numberUpdate = { message: updated.message };
  const number = await client.numbers.get(SRC);
  out.number = { alias: number.alias, smsEnabled: number.smsEnabled };

  const sub = await client.subaccounts.create('SDK branch', true);
  await client.numbers.update(SRC, { subaccount: sub.authId });
  const ofSub = await client.numbers.list({ subaccount: sub.authId });
  out.subaccountNumbers = { count: ofSub.length, subAccount: ofSub[0].subAccount, subId: sub.authId };
  const renewing = await client.numbers.list({ renewal_date__gt: '2000-01-01', renewal_date__lt: '2000-02-01' });
  out.renewingIn2000 = renewing.length;
  out.unrented = await client.numbers.unrent(SRC);
  try {
    await client.numbers.get(SRC);
    out.afterUnrent = { status: 200 };
  } catch (e) {
    out.afterUnrent = failure(e);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${e.status || ''} ${e.message}\n`);
  process.exit(1);
});
