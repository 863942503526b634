/**
 * Close status codes (RFC 6455 §7.4.1, IANA registry).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
export const Status = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  DATA_NOT_UNDERSTOOD: 1003,
  /** Reserved: never on the wire, means "no status code was present". */
  NO_STATUS: 1005,
  /** Reserved: never on the wire, means "closed without a close frame". */
  ABNORMAL_CLOSURE: 1006,
  BAD_DATA: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_LARGE: 1009,
  EXTENSION_FAILED: 1010,
  UNEXPECTED_CONDITION: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
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
