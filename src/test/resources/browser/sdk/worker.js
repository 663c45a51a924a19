// A service worker that records with the SDK: no window, no localStorage, no sendBeacon.
importScripts('/sdk/bellwether.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

let bw;
self.addEventListener('message', (event) => {
  const { options, count } = event.data;
  const port = event.ports[0];
  event.waitUntil((async () => {
    try {
      bw = bw || Bellwether.init({ release: '2026.11.3', ...options });
      const ids = [];
      for (let i = 0; i < count; i++) ids.push(await bw.sync({ latencyMs: 100 + i }));
      await bw.flush();
      port.postMessage({ ids, stats: bw.stats(), sendBeacon: typeof navigator.sendBeacon,
        localStorage: typeof self.localStorage, document: typeof self.document });
    } catch (e) {
      port.postMessage({ error: String(e) });
    }
  })());
});
