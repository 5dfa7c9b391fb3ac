/**
 * Protocol plumbing shared by sievert's servers and the proxy: listeners (plain, STARTTLS,
 * implicit TLS with SNI, PROXY protocol), a bounded line reader with literal support, the
 * IMAP/ManageSieve string syntax, server-side SASL, xtext and XCLIENT, address ranges.
 */
export { drainSessions, type Drainable } from './drain.js';
export {
  addressBytes,
  cidrContains,
  inNetworks,
  isLoopback,
  parseCidr,
  plainAddress,
  type Cidr,
} from './cidr.js';
export {
  defaultCommandLimits,
  isImapTag,
  quoteIfSafe,
  quoteOrNil,
  readCommand,
  stringValue,
  type CommandLimits,
  type ReadCommandHooks,
  type Token,
} from './imap-syntax.js';
export {
  ConnectionClosedError,
  LineReader,
  LineTooLongError,
  ProtocolError,
  writeLine,
} from './line-reader.js';
export {
  InboundConnection,
  listen,
  newSessionId,
  parseBind,
  unixSocketPath,
  type Listener,
  type ListenerOptions,
} from './listener.js';
export { FailurePenalties, sleep } from './penalties.js';
export { digestEqual } from './secret.js';
export {
  buildProxyV2,
  parseProxyHeader,
  ProxyHeaderError,
  readProxyHeader,
  type ProxyHeader,
} from './proxy-protocol.js';
export {
  decodeBase64,
  decodeOAuthBearer,
  decodePlain,
  decodeXOAuth2,
  encodePlain,
  identifierFromToken,
  isSaslMechanism,
  SaslExchange,
  saslMechanisms,
  serverSasl,
  type Credentials,
  type SaslMechanism,
  type SaslOutcome,
  type SaslStep,
} from './sasl.js';
export { ReadBuffers, type ReadSink } from './read-buffers.js';
export {
  acceptTls,
  certificateSha256,
  certificateUser,
  connectTcp,
  connectTls,
  serverTlsOptions,
  type ClientTlsOptions,
  type ServerCertificate,
  type TlsMode,
} from './tls.js';
export { buildXclient, decodeXtext, encodeXtext } from './xtext.js';
export { untilStopSignal } from './signals.js';
