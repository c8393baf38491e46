// Loads the app. A file rather than an inline script, so the Content-Security-Policy needs no
// 'unsafe-inline'; relative, so dist/ works from any static server and any sub-path.
import init from './app.js';

init();
