// The script-tag build: defines the global Bellwether. Assigned here rather than by the bundler's globalName, which
// would wrap the module in export helpers the page does not need.
import { init, unleashFlags, version } from './index.js';

globalThis.Bellwether = { init, unleashFlags, version };
