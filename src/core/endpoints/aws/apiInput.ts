/**
 * Reading an operation's parameters (a JSON body's members, a query form's fields) with the service's own error for
 * a missing or mistyped one, so that bad input is a 4xx in the service's shape, never a crash.
 */
import { AwsApiError } from './awsProtocol';

export type InvalidParameter = (message: string) => AwsApiError;

export class ApiInput {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly invalid: InvalidParameter,
    private readonly missing: InvalidParameter = invalid,
  ) {}

  get raw(): Record<string, unknown> {
    return this.values;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null;
  }

  requiredString(name: string): string {
    const value = this.values[name];
    if (value === undefined || value === null) throw this.missing(`The request must contain the parameter ${name}.`);
    if (typeof value !== 'string') throw this.invalid(`${name} must be a string.`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.invalid(`${name} must be a string.`);
    return value;
  }

  /** A whole number from `min` to `max`; numeric strings (the query protocol's) are read too. */
  optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw this.invalid(
        `Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`,
      );
    return n;
  }

  optionalStringList(name: string): string[] | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw this.invalid(`${name} must be a list of strings.`);
    return value;
  }

  /** A list of objects, each read as an ApiInput of its own. */
  objectList(name: string, required: boolean): ApiInput[] {
    const value = this.values[name];
    if (value === undefined || value === null) {
      if (required) throw this.missing(`The request must contain the parameter ${name}.`);
      return [];
    }
    if (!Array.isArray(value)) throw this.invalid(`${name} must be a list.`);
    return value.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw this.invalid(`${name}[${i}] must be an object.`);
      return new ApiInput(item as Record<string, unknown>, this.invalid, this.missing);
    });
  }

  optionalObject(name: string): Record<string, unknown> | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.invalid(`${name} must be an object.`);
    return value as Record<string, unknown>;
  }
}
