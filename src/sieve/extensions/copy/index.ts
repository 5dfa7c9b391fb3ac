// RFC 3894: the :copy argument of fileinto and redirect. The actions already carry a `copy`
// flag (fileinto/index.ts, base/actions.ts): with it, the action does not cancel the implicit
// keep (RFC 3894 §3), and a later plain action to the same place still does.
import type { ExtensionDefinition } from '../../registry.js';

export const copy: ExtensionDefinition = {
  name: 'copy',
  setup(r) {
    // RFC 3894 §3: "fileinto [:copy] <folder>" and "redirect [:copy] <address>".
    r.tag(['fileinto', 'redirect'], { name: 'copy' });
  },
};
