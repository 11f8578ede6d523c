/**
 * Facts of the Wolkvox Reports Manager API that every part of the project reads the same way:
 * the client that calls it, the poller's configuration and planner, the simulator that plays it,
 * and subscribers recomputing keys (docs/CONTRACT.md sections 2 and 5).
 */

/**
 * An operation's server code (`0010` in `wv0010.wolkvox.com`): letters, digits and `-`, the
 * characters of a host label, so no value can turn `wv{server}.wolkvox.com` into another host
 * (which would then receive the token), and the code reads the same in every key and `source`.
 */
export const SERVER_CODE_PATTERN = /^[A-Za-z0-9-]+$/;

/** A token travels as the `wolkvox-token` header: visible ASCII, no spaces. */
export const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** The API refuses more than 31 days between `date_ini` and `date_end`. */
export const MAX_QUERY_SPAN_SECONDS = 31 * 86_400;
