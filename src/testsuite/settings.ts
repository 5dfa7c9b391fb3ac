// Pigeonhole settings set by test_config_set, mapped onto the engine's Limits and SieveHost
// fields where sievert has a counterpart. Settings without one are kept (and exposed to
// extensions as `host.settings`) but have no effect; none of them is an error.
import { parseSize } from '../config/index.js';
import {
  DEFAULT_LIMITS,
  type EditheaderPolicy,
  type Limits,
  type ScoreTestConfig,
  type SieveHost,
  type VacationPolicy,
} from '../sieve/index.js';

/** Dovecot durations: a number with an optional unit (s, m, h, d, w; long forms too); seconds. */
export function parseDuration(value: string): number | null {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const table: Record<string, number> = { '': 1, s: 1, sec: 1, secs: 1, second: 1, seconds: 1 };
  for (const [names, secs] of [
    [['m', 'min', 'mins', 'minute', 'minutes'], 60],
    [['h', 'hour', 'hours'], 3600],
    [['d', 'day', 'days'], 86400],
    [['w', 'week', 'weeks'], 7 * 86400],
  ] as const) {
    for (const name of names) table[name] = secs;
  }
  const mult = table[unit];
  return mult === undefined ? null : n * mult;
}

/**
 * Settings whose counterpart is a Limits field. A limit sievert does not have (yet) is skipped:
 * the table names the field other extensions are expected to add.
 */
const LIMIT_SETTINGS: Record<string, string> = {
  sieve_max_script_size: 'maxScriptSize',
  sieve_max_actions: 'maxActions',
  sieve_max_redirects: 'maxRedirects',
  sieve_variables_max_variable_size: 'maxVariableSize',
  sieve_variables_max_scope_size: 'maxVariables',
  sieve_include_max_nesting_depth: 'maxIncludeDepth',
  sieve_include_max_includes: 'maxIncludes',
  sieve_editheader_max_header_size: 'maxHeaderValueSize',
  sieve_notify_max_notifications: 'maxNotifications',
};

/** Pigeonhole's vacation defaults (sieve_vacation_min/default/max_period). */
const VACATION_DEFAULTS = { minPeriod: 86400, defaultPeriod: 7 * 86400, maxPeriod: 90 * 86400 };

/** Pigeonhole's `Header-Name[: regex]` → the header name and the optional regex. */
function headerSpec(value: string): { header: string; pattern?: string } {
  const colon = value.indexOf(':');
  if (colon < 0) return { header: value.trim() };
  const pattern = value.slice(colon + 1).replace(/^[ \t]+/, '');
  const header = value.slice(0, colon).trim();
  return pattern === '' ? { header } : { header, pattern };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * spamtest/virustest (RFC 5235) from Pigeonhole's sieve_<test>_status_* settings (also used by
 * the differential corpus to write the same configuration for `sievert test --config`).
 */
export function scoreTest(
  settings: ReadonlyMap<string, string>,
  test: 'spamtest' | 'virustest',
): ScoreTestConfig | null {
  const header = settings.get(`sieve_${test}_status_header`);
  if (header === undefined) return null;
  const spec = headerSpec(header);
  const type = (settings.get(`sieve_${test}_status_type`) ?? 'score').toLowerCase();
  if (type === 'text') {
    const map: { pattern: string; value: number }[] = [];
    for (let i = 0; i <= 10; i++) {
      const text = settings.get(`sieve_${test}_text_value${i}`);
      if (text !== undefined) map.push({ pattern: `^${escapeRegExp(text)}$`, value: i });
    }
    return { ...spec, format: { kind: 'text', map } };
  }
  if (type === 'yesno') return { ...spec, format: { kind: 'yesno' } };
  const maxHeader = settings.get(`sieve_${test}_max_header`);
  const maxValue = Number(settings.get(`sieve_${test}_max_value`) ?? '');
  const maxConstant = Number.isFinite(maxValue) ? maxValue : 10;
  // Pigeonhole's "strlen": the length of the value is the score.
  if (type === 'strlen') return { ...spec, format: { kind: 'length', max: maxConstant } };
  const max = maxHeader !== undefined ? headerSpec(maxHeader) : maxConstant;
  return { ...spec, format: { kind: 'score', max } };
}

/** Dovecot booleans: "yes" / "no" (and the usual spellings of each). */
export function parseBoolean(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (['yes', 'y', 'true', '1'].includes(v)) return true;
  if (['no', 'n', 'false', '0'].includes(v)) return false;
  return fallback;
}

/**
 * Pigeonhole's vacation settings, with Pigeonhole's defaults where one is not set (the original
 * recipient is not one of the user's addresses unless sieve_vacation_use_original_recipient is
 * "yes").
 */
function vacationPolicy(settings: ReadonlyMap<string, string>): VacationPolicy {
  const get = (name: string): string | undefined => settings.get(`sieve_vacation_${name}`);
  const period = (name: string, fallback: number): number => parseDuration(get(name) ?? '') ?? fallback;
  const subject = get('default_subject');
  const template = get('default_subject_template');
  return {
    minPeriod: period('min_period', VACATION_DEFAULTS.minPeriod),
    defaultPeriod: period('default_period', VACATION_DEFAULTS.defaultPeriod),
    maxPeriod: period('max_period', VACATION_DEFAULTS.maxPeriod),
    ...(subject ? { defaultSubject: subject } : {}),
    ...(template ? { subjectTemplate: template } : {}),
    useOriginalRecipient: parseBoolean(get('use_original_recipient'), false),
    dontCheckRecipient: parseBoolean(get('dont_check_recipient'), false),
  };
}

/** Pigeonhole's sieve_editheader_protected (neither added nor deleted), _forbid_add, _forbid_delete. */
function editheaderPolicy(settings: ReadonlyMap<string, string>): EditheaderPolicy | null {
  const names = (name: string): string[] =>
    (settings.get(`sieve_editheader_${name}`) ?? '').split(/\s+/).filter((n) => n !== '');
  const both = names('protected');
  const forbidAdd = [...both, ...names('forbid_add')];
  const forbidDelete = [...both, ...names('forbid_delete')];
  return forbidAdd.length || forbidDelete.length ? { forbidAdd, forbidDelete } : null;
}

/**
 * vnd.dovecot.environment: Pigeonhole's sieve_env_<name> settings are the environment items
 * vnd.dovecot.config.<name> (the runner adds them to its own items).
 */
function configEnvironment(settings: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of settings) {
    if (name.startsWith('sieve_env_') && name.length > 'sieve_env_'.length) {
      out[`vnd.dovecot.config.${name.slice('sieve_env_'.length)}`] = value;
    }
  }
  return out;
}

export interface AppliedSettings {
  readonly limits: Partial<Limits>;
  /** SieveHost fields derived from the settings. */
  readonly host: Partial<SieveHost>;
}

/** Maps the current settings onto Limits and SieveHost fields. */
export function applySettings(settings: ReadonlyMap<string, string>): AppliedSettings {
  const limits: Record<string, number> = {};
  for (const [name, field] of Object.entries(LIMIT_SETTINGS)) {
    const value = settings.get(name);
    if (value === undefined || !(field in DEFAULT_LIMITS)) continue;
    const n = parseSize(value);
    // 0 means "unlimited" for most of Pigeonhole's limits.
    if (n !== undefined) limits[field] = n === 0 ? Number.MAX_SAFE_INTEGER : n;
  }
  const host: Record<string, unknown> = { settings };
  const spamtest = scoreTest(settings, 'spamtest');
  if (spamtest) host['spamtest'] = spamtest;
  const virustest = scoreTest(settings, 'virustest');
  if (virustest) host['virustest'] = virustest;
  const delimiter = settings.get('recipient_delimiter');
  if (delimiter !== undefined) host['subaddressSeparators'] = [...delimiter];
  const email = settings.get('sieve_user_email');
  if (email !== undefined) host['userAddresses'] = [email];
  host['vacationPolicy'] = vacationPolicy(settings);
  const editheader = editheaderPolicy(settings);
  if (editheader) host['editheaderPolicy'] = editheader;
  const environment = configEnvironment(settings);
  if (Object.keys(environment).length > 0) host['environment'] = environment;
  return { limits, host };
}
