// What a message costs the machine: each component's CPU time per message at a step, and the rate the machine's cores
// could carry at those costs if nothing else ran. Read at a step the stack sustained (a saturated step's costs are
// distorted by queueing); a bound under the throughput target means no stage's tuning alone reaches it.
import { round } from './stats.ts';

export interface CpuBudget {
  /** CPU microseconds per message, per component (the publishers and the bench's own observers left out). */
  microsPerMessage: Record<string, number>;
  totalMicrosPerMessage: number;
  /** cores × 10⁶ / total: the rate at which these costs would fill every core. */
  machineBoundMsgPerSec: number;
  /** Cores these costs would take at the target rate. */
  coresAtTarget: number;
}

export interface BudgetSpec {
  /** Each component's CPU seconds over `seconds` of a step at `msgPerSec`. */
  usage: Record<string, { cpuSeconds: number }>;
  seconds: number;
  msgPerSec: number;
  cores: number;
  targetMsgPerSec: number;
  exclude: string[];
}

export function cpuBudget({ usage, seconds, msgPerSec, cores, targetMsgPerSec, exclude }: BudgetSpec): CpuBudget {
  if (!(msgPerSec > 0 && seconds > 0)) throw new Error(`cpuBudget: a step's rate and length must be positive (got ${msgPerSec} msg/s over ${seconds} s)`);
  const messages = msgPerSec * seconds;
  const microsPerMessage = Object.fromEntries(
    Object.entries(usage)
      .filter(([name]) => !exclude.includes(name))
      .map(([name, { cpuSeconds }]) => [name, round((cpuSeconds * 1e6) / messages, 1)]),
  );
  const total = Object.values(microsPerMessage).reduce((sum, micros) => sum + micros, 0);
  return {
    microsPerMessage,
    totalMicrosPerMessage: round(total, 1),
    machineBoundMsgPerSec: total > 0 ? Math.round((cores * 1e6) / total) : Infinity,
    coresAtTarget: round((total * targetMsgPerSec) / 1e6, 2),
  };
}
