// A third-party SMSC for interoperability tests: node-smpp's server, on 127.0.0.1 only.
// Usage: node smsc.js SYSTEM_ID PASSWORD. Prints one JSON event per line.
'use strict';
const smpp = require('smpp');

const [systemId, password] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
let nextId = 0x1F40;

const server = smpp.createServer((session) => {
  let enquireLinks = 0;
  const bind = (pdu) => {
    const ok = pdu.system_id === systemId && pdu.password === password;
    session.send(pdu.response({ command_status: ok ? smpp.ESME_ROK : smpp.ESME_RINVPASWD, system_id: 'node-smsc' }));
    print({ event: 'bind', command: pdu.command, ok });
  };
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('bind_receiver', bind);
  session.on('enquire_link', (pdu) => {
    enquireLinks++;
    session.send(pdu.response());
  });
  session.on('submit_sm', (pdu) => {
    // Ids in hex in the response and in decimal in the receipt, as some carriers do.
    const id = nextId++;
    session.send(pdu.response({ message_id: id.toString(16).toUpperCase() }));
    print({ event: 'submit_sm', data_coding: pdu.data_coding, esm_class: pdu.esm_class, text: pdu.short_message.message });
    session.deliver_sm({
      source_addr: pdu.destination_addr,
      destination_addr: pdu.source_addr,
      esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
      short_message: `id:${id} sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:`,
    }, (response) => print({ event: 'deliver_sm_resp', status: response.command_status }));
  });
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    print({ event: 'unbound', enquireLinks });
    session.close();
  });
  session.on('error', () => {});
});

server.listen(0, '127.0.0.1', () => print({ event: 'listening', port: server.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
