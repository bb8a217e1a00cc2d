// A third-party ESME for interoperability tests: node-smpp's client, on 127.0.0.1 only.
// Usage: node esme.js PORT SYSTEM_ID PASSWORD. Binds, submits, waits for the receipt,
// checks the link with enquire_link, unbinds. Prints one JSON event per line.
'use strict';
const smpp = require('smpp');

const [port, systemId, password] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const fail = (reason) => { print({ event: 'failed', reason }); process.exit(1); };
setTimeout(() => fail('timeout'), 15000).unref();

const session = smpp.connect({ host: '127.0.0.1', port: Number(port) }, () => {
  session.bind_transceiver({ system_id: systemId, password }, (bound) => {
    print({ event: 'bind_resp', status: bound.command_status });
    if (bound.command_status !== 0) {
      process.exit(1);
    }
    session.submit_sm({
      source_addr_ton: 5,
      source_addr: 'Contacto',
      destination_addr_ton: 1,
      destination_addr_npi: 1,
      destination_addr: '15550001111',
      registered_delivery: 1,
      short_message: 'Hello from node',
    }, (response) => print({ event: 'submit_sm_resp', status: response.command_status, message_id: response.message_id }));
  });
});

session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  print({
    event: 'deliver_sm',
    esm_class: pdu.esm_class,
    receipted_message_id: pdu.receipted_message_id,
    message_state: pdu.message_state,
    text: pdu.short_message.message,
  });
  session.enquire_link((answer) => {
    print({ event: 'enquire_link_resp', status: answer.command_status });
    session.unbind((unbound) => {
      print({ event: 'unbind_resp', status: unbound.command_status });
      session.close();
      process.exit(0);
    });
  });
});
session.on('error', (e) => fail(String(e && e.message)));
