/**
 * What must be undone however the bench ends (the broker runs in its own session and would
 * outlive a Ctrl-C): run once, newest first, on success, failure or SIGINT/SIGTERM.
 */
export class CleanupStack {
  private readonly steps: Array<{ what: string; run: () => Promise<void> }> = [];
  private running: Promise<void> | undefined;

  push(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Removes a step already done by its owner. */
  remove(what: string): void {
    const index = this.steps.findIndex((step) => step.what === what);
    if (index >= 0) this.steps.splice(index, 1);
  }

  run(log: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (error) {
          log(`cleanup: ${step.what} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** On SIGINT or SIGTERM: clean up, then exit with the conventional 128 + signal number. */
  onSignals(log: (line: string) => void): void {
    for (const [signal, number] of [
      ['SIGINT', 2],
      ['SIGTERM', 15],
    ] as const) {
      process.once(signal, () => {
        log(`${signal}: stopping the broker and every process the bench started`);
        void this.run(log).finally(() => process.exit(128 + number));
      });
    }
  }
}
