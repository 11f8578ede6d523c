import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written on an operation's behalf carries. */
export interface OperationBindings {
  operation: string;
}

/**
 * The operation a piece of work is done for, the way Kafka Connect's LoggingContext puts the
 * connector and task in the logging MDC: each runtime starts its loop, timers and clients inside
 * `inOperation`, and everything that runs from there (the loop's own lines, the publisher's and
 * the checkpoint store's, kafkajs's for the clients opened there) is written with its
 * `operation`, without any of them being handed a logger of its own. Node carries the context
 * into timers, promises and socket callbacks started inside it.
 */
const context = new AsyncLocalStorage<OperationBindings>();

export function inOperation<T>(operation: string, work: () => T): T {
  return context.run({ operation }, work);
}

/** The operation of the work running now; undefined for the process's own (HTTP, health). */
export function currentOperation(): string | undefined {
  return context.getStore()?.operation;
}

/** pino's `mixin`: the operation's binding on each line written inside `inOperation`. */
export function operationBindings(): Partial<OperationBindings> {
  const store = context.getStore();
  return store ? { operation: store.operation } : {};
}
