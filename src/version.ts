/** sievert's version, as `sievert --version` and the servers' IMPLEMENTATION strings give it. */
export const VERSION = '0.1.0';
