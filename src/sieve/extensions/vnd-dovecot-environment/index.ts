// Dovecot's vnd.dovecot.environment: more environment items (RFC 5183) and the `env` variable
// namespace. Requiring it gives the environment test (as Pigeonhole's does), with the items:
// - vnd.dovecot.default-mailbox: where the implicit keep stores ("INBOX");
// - vnd.dovecot.username: the user the script runs for (the host's, else the user's first
//   address, else the envelope recipient);
// - vnd.dovecot.config.<name>: site values the host sets as environment items of that name.
// `${env.<item>}` reads any environment item (with "_" read as "-" when the item with "_" does
// not exist, so `${env.vnd.dovecot.default_mailbox}` works); an unknown item is "", and env
// variables cannot be set. Accepted in require, never advertised.
import { declarations, type ExtensionDefinition } from '../../registry.js';
import type { ExecutionContext } from '../../runtime.js';
import {
  environment,
  environmentItem,
  environmentItemSources,
  type EnvironmentItemSource,
} from '../environment/index.js';
import { variableNamespaces } from '../variables/index.js';

const CAPABILITY = 'vnd.dovecot.environment';
const CONFIG = 'vnd.dovecot.config.';

/** A host environment item whose name equals `name` ignoring case (Pigeonhole's config items). */
function hostItemIgnoringCase(ctx: ExecutionContext, name: string): string | null {
  const items = ctx.host.environment ?? {};
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(items)) if (key.toLowerCase() === lower) return value;
  return null;
}

const items: EnvironmentItemSource = {
  extension: CAPABILITY,
  get(ctx, name) {
    if (name === 'vnd.dovecot.default-mailbox') return 'INBOX';
    if (name === 'vnd.dovecot.username') return ctx.host.userAddresses?.[0] ?? ctx.envelope.to;
    if (name.toLowerCase().startsWith(CONFIG) && name.length > CONFIG.length)
      return hostItemIgnoringCase(ctx, name);
    return null;
  },
};
environmentItemSources.push(items);

variableNamespaces.set('env', {
  extension: CAPABILITY,
  get(ctx, name) {
    const value = environmentItem(ctx, name, [items]);
    if (value !== null || !name.includes('_')) return value ?? '';
    return environmentItem(ctx, name.replaceAll('_', '-'), [items]) ?? '';
  },
  // Item names: identifiers separated by dots, no numeric part (`${env.1}` names nothing).
  valid: (name) => name.split('.').every((part) => /^[A-Za-z_]/.test(part)),
});

const environmentTest = declarations(environment).tests.get('environment');
if (!environmentTest) throw new Error('vnd.dovecot.environment: environment declares no environment test');

export const vndDovecotEnvironment: ExtensionDefinition = {
  name: CAPABILITY,
  advertised: false,
  setup(r) {
    // The environment test comes with this extension (a copy: it is declared by this one too).
    r.test({ ...environmentTest });
  },
};
