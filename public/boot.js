// Loads the app. A file rather than an inline script, so the Content-Security-Policy needs no
// 'unsafe-inline'; relative, so dist/ works from any static server and any sub-path.
import init from './app.js';

// The lab, "your own function", the validation and the field reference are a wasm module of
// their own (app/src/bin/pages.rs), loaded the first time one of them is opened. The app calls
// this (app/src/pages/host.rs): one load and start, shared by every later call; a failed load
// is tried afresh next time.
let pages;
globalThis.lambdaLabPages = () => {
  pages ??= import('./pages.js').then(async (module) => {
    await module.default();
    return module;
  });
  pages.catch(() => {
    pages = undefined;
  });
  return pages;
};

init();
