// Live updates for the status page. The server-rendered page is complete on its own; this only
// listens to the event stream and, when the summary changes, swaps in a fresh render of #status.
'use strict';

(function () {
  const main = document.getElementById('status');
  if (!main || !window.EventSource) return;
  const live = document.getElementById('live');
  const source = new EventSource(main.dataset.stream);
  let refreshing = Promise.resolve();

  source.addEventListener('open', () => { document.body.dataset.live = 'connected'; });
  source.addEventListener('error', () => { document.body.dataset.live = 'reconnecting'; });
  source.addEventListener('summary', (event) => {
    const summary = JSON.parse(event.data);
    refreshing = refreshing.then(() => refresh(summary.page.updated_at)).catch(() => {});
  });

  async function refresh(updatedAt) {
    const current = document.getElementById('status');
    if (current.dataset.updatedAt === updatedAt) return;
    // The version in the address: a CDN that still holds the page it cached before the change has none for this one.
    const address = window.location.pathname + '?version=' + encodeURIComponent(updatedAt);
    const response = await fetch(address, { headers: { Accept: 'text/html' }, cache: 'no-store' });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById('status');
    if (!fresh) return;
    current.replaceWith(document.adoptNode(fresh));
    const overall = fresh.querySelector('#overall');
    if (live && overall) live.textContent = 'Status updated: ' + overall.textContent;
  }
})();
