/**
 * Close status codes (RFC 6455 §7.4.1, IANA registry).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
export const Status = {
  /** Normal closure: the purpose of the connection has been fulfilled. */
  NORMAL: 1000,
  /** Going away: a server going down, or a client leaving (unsubscribing). */
  GOING_AWAY: 1001,
  /** The endpoint is terminating the connection due to a protocol error. */
  PROTOCOL_ERROR: 1002,
  /** The endpoint received a type of data it cannot accept. */
  DATA_NOT_UNDERSTOOD: 1003,
  /** Reserved: never on the wire, means "no status code was present". */
  NO_STATUS: 1005,
  /** Reserved: never on the wire, means "closed without a close frame". */
  ABNORMAL_CLOSURE: 1006,
  /** Data inconsistent with the message type (e.g. invalid UTF-8 in a text message). */
  BAD_DATA: 1007,
  /** A message that violates the endpoint's policy. */
  POLICY_VIOLATION: 1008,
  /** A message too big to process (`maxPayload` / `maxMessageSize`). */
  MESSAGE_TOO_LARGE: 1009,
  /** The client expected the server to negotiate an extension it did not. */
  EXTENSION_FAILED: 1010,
  /** The endpoint met an unexpected condition that prevented it from fulfilling the request. */
  UNEXPECTED_CONDITION: 1011,
  /** The server is restarting (IANA registry). */
  SERVICE_RESTART: 1012,
  /** The server is overloaded: try again later (IANA registry). */
  TRY_AGAIN_LATER: 1013,
  /** A gateway or proxy received an invalid response from the upstream server (IANA registry). */
  BAD_GATEWAY: 1014,
  /** Reserved: never on the wire, means "the TLS handshake failed". */
  TLS_HANDSHAKE: 1015,
} as const;

/** One of the {@link Status} values, or any application code. */
export type Status = number;

/**
 * True when `code` may appear in a close frame: 1000–1003, 1007–1014 and the
 * registered/private ranges 3000–4999 (RFC 6455 §7.4.1, §7.4.2).
 */
export function isValidWireCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}
