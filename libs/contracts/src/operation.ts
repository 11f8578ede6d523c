/**
 * A Wolkvox operation: the server code (`0010` in `wv0010.wolkvox.com`) and the IANA zone its
 * clock runs in. The server is the operation's identity in idempotency keys and event sources.
 * The poller's configuration validates both (SERVER_CODE_PATTERN, isValidTimeZone).
 */
export interface Operation {
  readonly server: string;
  readonly timeZone: string;
}

/**
 * The CloudEvents `source` of the operation's cdr_9 events: `wolkvox://wv{server}/reports/cdr_9`.
 * An absolute URI (a URI-reference, as CloudEvents requires) that names the operation and the
 * report. It is deliberately not the API's URL: that can be overridden per deployment
 * (`WOLKVOX_BASE_URL`), while the source must stay the same for the same emails.
 */
export function emailSentSource(server: string): string {
  return `wolkvox://wv${server}/reports/cdr_9`;
}
