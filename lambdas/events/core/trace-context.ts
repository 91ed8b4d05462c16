/*
 * W3C Trace Context ids (https://www.w3.org/TR/trace-context/#trace-id): a trace id is 16 bytes and a span
 * id 8 bytes, written as lower-case hex; all zeros is not a valid id. OTLP/JSON carries them as hex too
 * (not base64, unlike the protobuf JSON mapping's default for bytes).
 */

/** Hex characters of a trace id and of a span id. */
export const HEX_ID_LENGTH = { trace: 32, span: 16 } as const;

const HEX = /^[0-9a-fA-F]+$/;
const ALL_ZEROS = /^0+$/;

/** A trace or span id read from text: the lower-cased id, or what is wrong with it. */
export type HexIdReading = { readonly id: string } | { readonly problem: string };

/** Reads a trace or span id: exactly 32 (trace) or 16 (span) hex characters, not all zeros, lower-cased. */
export function readHexId(text: string, kind: keyof typeof HEX_ID_LENGTH): HexIdReading {
  const length = HEX_ID_LENGTH[kind];
  if (text.length !== length || !HEX.test(text)) {
    const shown = text.length > 48 ? `${text.slice(0, 48)}...` : text;
    return { problem: `must be ${length} hexadecimal characters, got "${shown}"` };
  }
  if (ALL_ZEROS.test(text)) return { problem: `must not be all zeros, which marks an invalid ${kind} id` };
  return { id: text.toLowerCase() };
}
