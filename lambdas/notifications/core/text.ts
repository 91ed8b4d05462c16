/** The mark that ends text cut to fit a receiver's limit. */
export const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 code units (what JavaScript's `length` counts, never less than the
 * characters a receiver counts), ending with an ellipsis when it was cut and never splitting a surrogate
 * pair, so an emoji is kept whole or dropped.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** The size of `text` in UTF-8 bytes, as receivers that limit payload size count it. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
