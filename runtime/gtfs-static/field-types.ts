// The value types of GTFS fields: how a text is checked and converted, what PostgreSQL column holds it,
// and the one-line problem and fix when a value is wrong.

export type FieldType =
  | 'id'
  | 'text'
  | 'int'
  | 'nonNegativeInt'
  | 'positiveInt'
  | 'nonNegativeFloat'
  | 'lat'
  | 'lon'
  | 'time'
  | 'date'
  | 'timezone'
  | 'flag'
  | { oneOf: readonly number[] }
  | { intRange: readonly [number, number] };

export type FieldValue = string | number | boolean | null;

export class ValueProblem extends Error {
  readonly problem: string;
  readonly fix: string;

  constructor(problem: string, fix: string) {
    super(problem);
    this.problem = problem;
    this.fix = fix;
  }
}

export function pgType(type: FieldType): string {
  if (typeof type === 'object') return 'smallint';
  switch (type) {
    case 'id':
    case 'text':
    case 'timezone':
      return 'text';
    case 'int':
    case 'nonNegativeInt':
    case 'positiveInt':
    case 'time':
      return 'integer';
    case 'nonNegativeFloat':
    case 'lat':
    case 'lon':
      return 'double precision';
    case 'date':
      return 'date';
    case 'flag':
      return 'boolean';
  }
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TIME = /^(\d+):([0-5]\d):([0-5]\d)$/;
const DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** The typed value of a non-empty field text. */
export function parseValue(type: FieldType, text: string): FieldValue {
  const shown = () => JSON.stringify(text);
  if (typeof type === 'object') {
    const n = INTEGER.test(text) ? Number(text) : NaN;
    if ('oneOf' in type) {
      if (!type.oneOf.includes(n)) throw new ValueProblem(`${shown()} is not one of ${type.oneOf.join(', ')}`, `use one of the values the GTFS reference lists for this field`);
    } else if (!(n >= type.intRange[0] && n <= type.intRange[1])) {
      throw new ValueProblem(`${shown()} is not a whole number from ${type.intRange[0]} to ${type.intRange[1]}`, 'use a value the GTFS reference lists for this field');
    }
    return n;
  }
  switch (type) {
    case 'id':
    case 'text':
      return text;
    case 'int':
    case 'nonNegativeInt':
    case 'positiveInt': {
      const n = INTEGER.test(text) ? Number(text) : NaN;
      const min = type === 'int' ? -(2 ** 31) : type === 'nonNegativeInt' ? 0 : 1;
      if (!(n >= min && n < 2 ** 31)) {
        const what = type === 'int' ? 'a whole number' : type === 'nonNegativeInt' ? 'a whole number ≥ 0' : 'a whole number ≥ 1';
        throw new ValueProblem(`${shown()} is not ${what}`, `write ${what} in digits, like ${min === 1 ? 600 : 3}`);
      }
      return n;
    }
    case 'nonNegativeFloat': {
      const n = DECIMAL.test(text) ? Number(text) : NaN;
      if (!(n >= 0)) throw new ValueProblem(`${shown()} is not a number ≥ 0`, 'write a decimal number like 1234.5');
      return n;
    }
    case 'lat':
    case 'lon': {
      const n = DECIMAL.test(text) ? Number(text) : NaN;
      const limit = type === 'lat' ? 90 : 180;
      if (!(n >= -limit && n <= limit)) {
        throw new ValueProblem(`${shown()} is not a ${type === 'lat' ? 'latitude' : 'longitude'}`, `write decimal degrees from -${limit} to ${limit} (WGS 84)`);
      }
      return n;
    }
    case 'time': {
      const m = TIME.exec(text);
      if (!m || m[1]!.length > 3) throw new ValueProblem(`${shown()} is not a GTFS time`, 'write H:MM:SS or HH:MM:SS since noon minus 12 h of the service day (past midnight: 25:10:00)');
      return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    }
    case 'date': {
      const m = DATE.exec(text);
      const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
      if (!m || !isCalendarDate(iso)) throw new ValueProblem(`${shown()} is not a GTFS date`, 'write a real date as YYYYMMDD, like 20240527');
      return iso;
    }
    case 'timezone':
      if (!isTimeZone(text)) throw new ValueProblem(`${shown()} is not an IANA time zone`, 'use a tz database name like America/Los_Angeles');
      return text;
    case 'flag':
      if (text !== '0' && text !== '1') throw new ValueProblem(`${shown()} is not 0 or 1`, 'write 1 when the service runs on that weekday, 0 when not');
      return text === '1';
  }
}

function isCalendarDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso);
}

const knownZones = new Map<string, boolean>();

export function isTimeZone(name: string): boolean {
  let known = knownZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      // Intl also takes offsets such as "+01:00", which are no tz database names.
      known = /^[A-Za-z]/.test(name);
    } catch {
      known = false;
    }
    knownZones.set(name, known);
  }
  return known;
}
