import { type Alert, alertLabelSet, type Labels } from './alert.js';

/*
 * Fingerprints are Prometheus' label-set fingerprints (prometheus/common model.LabelSet.Fingerprint, which
 * Alertmanager uses for its alerts and sends as `fingerprint` in webhooks): FNV-1a 64 over the label pairs
 * sorted by name, each name and value followed by the byte 0xff, printed as 16 hex digits.
 *
 * What identifies an alert: its name (as `alertname`) and every one of its labels, `severity` included,
 * so a warning and a critical alert of the same rule are two alerts (which is what lets inhibition mute
 * one with the other). Annotations, status, times, source and generator URL do not identify: a sender
 * that puts a changing value (the current error rate) in a label makes a new alert each time; such values
 * belong in annotations. An Alertmanager alert therefore keeps the fingerprint Alertmanager gave it.
 */

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const UINT64_MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const utf8 = new TextEncoder();

/** The Prometheus fingerprint of a label set, as 16 lowercase hex digits. */
export function labelSetFingerprint(labels: Labels): string {
  let hash = FNV_OFFSET_BASIS;
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & UINT64_MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of utf8.encode(name)) add(byte);
    add(SEPARATOR);
    for (const byte of utf8.encode(labels[name] ?? '')) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}

/** The alert's fingerprint: the same alert from any source, sent again, has the same one. */
export function alertFingerprint(alert: Pick<Alert, 'name' | 'labels'>): string {
  return labelSetFingerprint(alertLabelSet(alert));
}
