// The script build of the Workbox adapter, for importScripts after bellwether.js: adds Bellwether.workboxSync.
import { workboxSync } from './workbox.js';

globalThis.Bellwether = Object.assign(globalThis.Bellwether || {}, { workboxSync });
