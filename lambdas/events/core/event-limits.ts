/**
 * Limits on what one stored log or span carries. Logs get far more room for their message than the
 * 256 characters of a native item's strings: a stack trace or a JSON body often runs to kilobytes, and a
 * log cut short loses what was needed to debug it.
 */
export const EVENT_LIMITS = {
  /** Longest log message, characters (native logs over it are rejected; OTLP bodies are cut to it). */
  maxMessageChars: 32 * 1024,
  /** Most attributes an OTLP log record, span or span event keeps (the OpenTelemetry SDK's default limit). */
  maxAttributes: 128,
  /** Longest attribute value kept from OTLP, characters (longer ones are cut). */
  maxAttributeValueChars: 4096,
  /** Most events a span keeps (the OpenTelemetry SDK's default limit). */
  maxSpanEvents: 128,
} as const;
