/**
 * Who may log in, and how: password schemes (Dovecot's), user sources (a passwd-file, the
 * store's user table), the SASL mechanisms of sievert's servers, bearer token verification.
 */
export * from './types.js';
export {
  AUTH_MECHANISMS,
  createAuthenticator,
  sendsSecret,
  type AuthenticatorOptions,
} from './authenticator.js';
export {
  createOAuthVerifier,
  JWT_ALGORITHMS,
  OAuthVerifier,
  type IntrospectionOptions,
  type JwtAlgorithm,
  type OAuthOptions,
  type TokenVerdict,
  type TokenVerifier,
} from './oauth.js';
export {
  parsePasswdFile,
  PasswdFile,
  PasswdFileError,
  type PasswdEntry,
  type PasswdFileOptions,
} from './passwd-file.js';
export {
  DEFAULT_ARGON2,
  DEFAULT_BCRYPT_COST,
  hashPassword,
  isPasswordScheme,
  md5CryptString,
  parseScramStored,
  parseStoredPassword,
  PasswordHashError,
  plaintextOf,
  PASSWORD_SCHEMES,
  shaCryptString,
  verifyPassword,
  type PasswordScheme,
  type ScramCredentials,
} from './password.js';
export {
  deriveScramCredentials,
  ScramServer,
  scramSaltFor,
  type ScramMechanism,
  type ScramServerOptions,
} from './scram.js';
export { chainUserSources, StoreUserSource } from './store-users.js';
export { PasswordWorkers } from './password-workers.js';
