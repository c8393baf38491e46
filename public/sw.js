// Lambda Lab's service worker: after the first visit everything works with no network.
//
// One cache per build, never mixed: the build step writes the build's hash (of the app's and
// the worker's files) where it says __BUILD__ below, so a new deploy is a new sw.js with a new
// cache. The cache holds exactly the build's files, put there at install and never refreshed
// one by one; a new build takes over once no page of the old one is open (or at once when
// none is), and then the old cache is deleted. Nothing ever goes to another host.
const BUILD = '__BUILD__';
const CACHE = `lambda-lab-${BUILD}`;
const CORE = [
  './', 'index.html', 'app.js', 'app_bg.wasm', 'pages.js', 'pages_bg.wasm', 'engine-worker.js', 'engine-worker_bg.wasm',
  'engine-worker_loader.js', 'charts-worker.js', 'charts-worker_bg.wasm', 'charts-worker_loader.js', 'tools-worker.js', 'tools-worker_bg.wasm', 'tools-worker_loader.js', 'style.css', 'boot.js', 'manifest.webmanifest', 'icon.svg',
  'embed.js', 'embed-example.html', 'embed-example.css', 'report.log', 'lessons.bin',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(CORE.map((path) => new Request(path, { cache: 'reload' }))))
      .then(() => self.clients.matchAll({ type: 'window' }))
      // With no page of the old build open, nothing can mix: take over now.
      .then((pages) => (pages.length === 0 ? self.skipWaiting() : undefined)),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: true });
      if (cached) {
        return cached;
      }
      try {
        return await fetch(request);
      } catch {
        return new Response('Offline, and this file is not part of the saved app.', { status: 503 });
      }
    }),
  );
});
