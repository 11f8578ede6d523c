export * from './local-time.js';
export * from './cdr9-record.js';
