// Field notes' service worker: keeps the app shell (and the Bellwether SDK, served by the service) so the app opens
// offline. Every shell request goes to the network first, so a new release is seen at once when online, and falls
// back to the copy when the network or the server is away. The notes API, beacons and Unleash pass through.
importScripts('/config.js');

const SHELL_CACHE = 'field-notes-shell';
const SHELL = ['/', '/index.html', '/app.js', '/style.css', '/config.js', '/manifest.webmanifest', '/icon.svg',
  '/vendor/unleash-proxy-client.js'];
const sdkUrl = self.FIELD_NOTES_CONFIG.bellwether + '/sdk/bellwether.js';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL);
    // The SDK is on another origin: its answer is opaque, which cache.add refuses but cache.put keeps.
    try {
      await cache.put(sdkUrl, await fetch(sdkUrl, { mode: 'no-cors' }));
    } catch (error) {
      console.warn('field-notes: the Bellwether SDK could not be cached now; it will be on its next load', error);
    }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function isShell(url) {
  if (url.origin === self.location.origin) return !url.pathname.startsWith('/api/');
  return url.href === sdkUrl;
}

async function networkFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok || response.type === 'opaque') await cache.put(request, response.clone());
    return response;
  } catch (offline) {
    const copy = await cache.match(request, { ignoreSearch: true })
      ?? (request.mode === 'navigate' ? await cache.match('/index.html') : undefined);
    if (copy) return copy;
    throw offline;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method === 'GET' && isShell(url)) event.respondWith(networkFirst(event.request));
});
