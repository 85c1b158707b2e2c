// The command line of the platform's tools: numeric options, the one-line refusal and the exit code 2.
import { parseArgs } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { numberOption, readOptions, UsageError, usageErrorLine } from './command-line.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('numberOption', () => {
  it('gives the fallback when the option is absent, else its number', () => {
    expect(numberOption('speed', undefined, 1)).toBe(1);
    expect(numberOption('speed', '2.5', 1)).toBe(2.5);
    expect(numberOption('seed', '-3', 1, Number.isInteger)).toBe(-3);
  });

  it('refuses an empty value, a non-number and what the check refuses, naming the option', () => {
    expect(() => numberOption('speed', '', 1)).toThrow(new UsageError('--speed : not a valid number; see --help'));
    expect(() => numberOption('speed', ' ', 1)).toThrow('--speed  : not a valid number; see --help');
    expect(() => numberOption('speed', 'fast', 1)).toThrow('--speed fast: not a valid number; see --help');
    expect(() => numberOption('speed', 'Infinity', 1)).toThrow('--speed Infinity: not a valid number; see --help');
    expect(() => numberOption('speed', '0', 1, (n) => n > 0)).toThrow(UsageError);
    expect(() => numberOption('qos', '2', 1, (n) => n === 0 || n === 1, 'value')).toThrow('--qos 2: not a valid value; see --help');
  });
});

describe('usageErrorLine', () => {
  it("keeps a UsageError's first line as it is", () => {
    expect(usageErrorLine(new UsageError('pass exactly one of --out <dir> and --mqtt <url>; see --help\nmore'))).toBe(
      'pass exactly one of --out <dir> and --mqtt <url>; see --help',
    );
  });

  it("points node:util's own messages to --help, without their advice on positionals", () => {
    const refusal = (args: string[], allowPositionals = false) => {
      try {
        parseArgs({ args, strict: true, allowPositionals, options: { speed: { type: 'string' } } });
      } catch (error) {
        return usageErrorLine(error);
      }
      throw new Error(`parseArgs took ${JSON.stringify(args)}`);
    };
    expect(refusal(['--bogus'])).toBe("Unknown option '--bogus'; see --help");
    expect(refusal(['--bogus'], true)).toBe("Unknown option '--bogus'; see --help");
    expect(refusal(['--speed'])).toBe("Option '--speed <value>' argument missing; see --help");
  });
});

describe('readOptions', () => {
  const parse = (argv: string[]) => {
    if (argv.includes('--help')) return undefined;
    if (argv.length === 0) throw new UsageError('pass --speed; see --help');
    return { speed: numberOption('speed', argv[1], 1) };
  };

  it('gives what parse reads', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(readOptions('iot-x', 'usage: iot-x', parse, ['--speed', '3'])).toEqual({ speed: 3 });
    expect(log).not.toHaveBeenCalled();
  });

  it('prints the usage for --help and gives undefined', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(readOptions('iot-x', 'usage: iot-x', parse, ['--help'])).toBeUndefined();
    expect(log.mock.calls).toEqual([['usage: iot-x']]);
  });

  it('refuses in one line on stderr, named by the command, and exits 2', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    expect(() => readOptions('iot-x', 'usage: iot-x', parse, [])).toThrow('exit 2');
    expect(() => readOptions('iot-x', 'usage: iot-x', parse, ['--speed', 'x'])).toThrow('exit 2');
    expect(error.mock.calls).toEqual([['iot-x: pass --speed; see --help'], ['iot-x: --speed x: not a valid number; see --help']]);
    expect(exit.mock.calls).toEqual([[2], [2]]);
  });
});
