// The Sieve engine (src/sieve) is most of the page's weight (the charset tables of its message
// decoder), and the login screen and the rule list do not need it: it is a chunk of its own,
// loaded once, when a script is opened.
type Engine = typeof import('../../src/sieve/index.js');

let loading: Promise<Engine> | undefined;

export function loadEngine(): Promise<Engine> {
  loading ??= import('../../src/sieve/index.js').catch((e: unknown) => {
    loading = undefined; // a later call tries again (e.g. after a network hiccup)
    throw e;
  });
  return loading;
}
