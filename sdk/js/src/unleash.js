// Flags from Unleash's frontend SDK (unleash-proxy-client), so that a beacon's cohort is what Unleash evaluated for
// this client.
import { text } from './validate.js';

// A variant name the contract takes as a flag value: 1-128 characters, no control characters and no comma.
// eslint-disable-next-line no-control-regex
const VARIANT_NAME = /^[^\u0000-\u001f\u007f,]{1,128}$/;

/**
 * A `flags` function reporting, for each of `names`, the enabled variant's name or else true/false. Until the client
 * has its toggles (its `initialized` event: read from its storage or bootstrap, or `ready`: fetched), it reports none
 * of them: an empty toggle list answers false for every flag, which would count a canary client as control, while
 * an event without the flag counts in neither cohort.
 */
export function unleashFlags(client, names) {
  if (typeof client?.isEnabled !== 'function' || typeof client.getVariant !== 'function') {
    throw new TypeError('Bellwether.unleashFlags: client must be an UnleashClient (isEnabled, getVariant)');
  }
  if (!Array.isArray(names) || !names.length) throw new TypeError('Bellwether.unleashFlags: names must be a non-empty array of flag names');
  for (const name of names) text(name, 'unleashFlags name', /[,=]/);
  let loaded = false;
  const load = () => { loaded = true; };
  client.on?.('initialized', load);
  client.on?.('ready', load);
  return () => {
    const flags = {};
    if (!loaded && !client.isReady?.()) return flags;
    for (const name of names) {
      const variant = client.getVariant(name) || {};
      const { name: chosen, enabled } = variant;
      // "disabled" is Unleash's name for no variant; "false" would read as off although the variant is on.
      flags[name] = enabled && chosen !== 'disabled' && chosen !== 'false' && VARIANT_NAME.test(chosen) ? chosen
        : enabled || (typeof variant.feature_enabled === 'boolean' ? variant.feature_enabled : !!client.isEnabled(name));
    }
    return flags;
  };
}
