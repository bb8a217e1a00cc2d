// Drives Contacto's Account and Subaccount API through the official Plivo Node SDK and prints
// what the SDK returned as one JSON object. Env: CONTACTO_URL, AUTH_ID, AUTH_TOKEN.
'use strict';
const plivo = require('plivo');

const { CONTACTO_URL, AUTH_ID, AUTH_TOKEN } = process.env;
const client = (id, token) => new plivo.Client(id, token, { url: `${CONTACTO_URL}/v1/Account/${id}` });
const failure = (e) => ({ status: e.status, message: e.message });

async function main() {
  const out = {};
  const main = client(AUTH_ID, AUTH_TOKEN);

  const account = await main.accounts.get();
  out.account = { name: account.name, cashCredits: account.cashCredits, resourceUri: account.resourceUri, accountType: account.accountType };

  const updated = await main.accounts.update({ name: 'Renamed by SDK', city: 'Lisbon' });
  out.update = { message: updated.message };
  const renamed = await main.accounts.get();
  out.renamed = { name: renamed.name, city: renamed.city };

  const created = await main.subaccounts.create('Sub from SDK', true);
  out.created = { message: created.message, authId: created.authId, tokenLength: created.authToken.length };

  const fetched = await main.subaccounts.get(created.authId);
  out.fetched = { authId: fetched.authId, name: fetched.name, enabled: fetched.enabled, account: fetched.account, resourceUri: fetched.resourceUri };

  const sub = client(created.authId, created.authToken);
  const subAccount = await sub.accounts.get();
  out.subaccountSelf = { resourceUri: subAccount.resourceUri, name: subAccount.name };

  await main.subaccounts.create('Second sub', false);
  const listed = await main.subaccounts.list({ limit: 1, offset: 0 });
  out.list = { count: listed.length, first: listed[0].name, totalCount: listed.meta.totalCount, next: listed.meta.next };

  const changed = await main.subaccounts.update(created.authId, 'Sub renamed', false);
  out.subUpdate = { message: changed.message };
  try {
    await sub.accounts.get();
    out.disabledSub = { status: 200 };
  } catch (e) {
    out.disabledSub = failure(e);
  }

  out.deleted = await main.subaccounts.delete(created.authId, true);
  try {
    await main.subaccounts.get(created.authId);
    out.afterDelete = { status: 200 };
  } catch (e) {
    out.afterDelete = failure(e);
  }

  try {
    await client(AUTH_ID, 'x'.repeat(40)).accounts.get();
    out.badToken = { status: 200 };
  } catch (e) {
    out.badToken = failure(e);
  }

  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`SDK run failed: status=${e.status} message=${e.message}\n`);
  process.exit(1);
});
