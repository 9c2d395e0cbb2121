/**
 * Levelled logging with a pluggable sink. `trace` logs every WAMP message; `off` prints nothing at
 * all. Level checks are plain integer comparisons so disabled levels cost nothing on the hot path.
 */

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "off";

/** Where log lines go; defaults to the console. Secrets are never passed to it. */
export type LogSink = (
  level: Exclude<LogLevel, "off">,
  message: string,
  fields?: Record<string, unknown>,
) => void;

const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, "off">): boolean;
  trace(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const consoleSink: LogSink = (level, message, fields) => {
  const line = `[xwamp] ${level.padEnd(5)} ${message}${fields === undefined ? "" : ` ${safeJson(fields)}`}`;
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
};

let defaultLevel: LogLevel = "info";

/**
 * The level of loggers created without one (`run(..., { logLevel })` sets it, like the seed's
 * `run(log_level=)`, for every component that did not choose its own).
 *
 * @example
 * ```ts
 * setDefaultLogLevel("debug");
 * ```
 */
export function setDefaultLogLevel(level: LogLevel): void {
  if (!(level in RANK)) throw new TypeError(`unknown log level "${level}"`);
  defaultLevel = level;
}

/**
 * A logger at `level` writing to `sink` (default: the console). Without a level it follows the
 * default level (see {@link setDefaultLogLevel}), read at each call.
 *
 * @example
 * ```ts
 * const log = createLogger("debug", (level, message) => myLogger[level](message));
 * ```
 */
export function createLogger(level?: LogLevel, sink: LogSink = consoleSink): Logger {
  if (level !== undefined && !(level in RANK)) throw new TypeError(`unknown log level "${level}"`);
  return new LevelLogger(level, sink);
}

/** Methods on the prototype: a component holds one of these, and there may be thousands. */
class LevelLogger implements Logger {
  constructor(
    private readonly fixed: LogLevel | undefined,
    private readonly sink: LogSink,
  ) {}

  get level(): LogLevel {
    return this.fixed ?? defaultLevel;
  }
  enabled(level: Exclude<LogLevel, "off">): boolean {
    return RANK[level] >= RANK[this.fixed ?? defaultLevel];
  }
  trace(message: string, fields?: Record<string, unknown>): void {
    if (this.enabled("trace")) this.write("trace", message, fields);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    if (this.enabled("debug")) this.write("debug", message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    if (this.enabled("info")) this.write("info", message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    if (this.enabled("warn")) this.write("warn", message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    if (this.enabled("error")) this.write("error", message, fields);
  }
  private write(level: Exclude<LogLevel, "off">, message: string, fields?: Record<string, unknown>): void {
    const sink = this.sink; // called as a plain function, as documented
    sink(level, message, fields);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) =>
      v instanceof Uint8Array ? `<${v.byteLength} bytes>` : typeof v === "bigint" ? String(v) : v,
    );
  } catch {
    return String(value);
  }
}
