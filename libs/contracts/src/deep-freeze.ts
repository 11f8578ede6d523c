/**
 * Freezes a value and every object or array inside it, so that one subscriber's handler cannot
 * change an event another handler (or a retry) will read. Returns the same value, now readonly.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
