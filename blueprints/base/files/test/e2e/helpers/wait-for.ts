// Polling instead of sleeping: waitFor() re-evaluates a condition until it yields a value or the deadline passes.

export interface WaitOptions {
  /** Milliseconds from now (default 60 s). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

/** Resolves with the first truthy result of `condition`; rejects with the last error or result at the deadline. */
export async function waitFor<T>(condition: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const interval = options.intervalMs ?? 250;
  let last: unknown;
  for (;;) {
    try {
      const result = await condition();
      if (result) return result;
      last = result;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${options.what ?? 'condition'} (last: ${detail})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
