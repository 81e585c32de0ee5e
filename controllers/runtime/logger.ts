import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

/**
 * Fields that may carry a credential or decrypted data if some caller logs a whole object.
 * Code must not log them at all; this list is the second line of defence. Paths are matched at
 * the top level and one or two levels down (pino's redaction does not recurse).
 */
const SECRET_FIELDS = [
  'password',
  'token',
  'bearerToken',
  'identity',
  'privateKey',
  'passphrase',
  'authorization',
  'data',
  'stringData',
  'secret',
] as const;

export const REDACTED_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
]);

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  readonly destination?: DestinationStream;
  readonly base?: Record<string, unknown>;
}

/** A JSON logger with Flux's field names (`level`, `ts`, `msg`) and the redaction list applied. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: options.base ?? {},
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** The child logger for one object, as Flux logs it: `name`, `namespace`, plus the kind. */
export function objectLogger(
  logger: Logger,
  kind: string,
  namespace: string,
  name: string,
): Logger {
  return logger.child({ [kind]: { name, namespace }, namespace, name });
}
