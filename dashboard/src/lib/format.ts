/** "4 s ago", "3 min ago", "2 h ago", "5 d ago"; "never" for no time. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

const UNITS: Record<string, string> = {
  celsius: '°C',
  fahrenheit: '°F',
  kelvin: 'K',
  percent: '%',
  hpa: 'hPa',
  volt: 'V',
  watt: 'W',
};

export function unitLabel(unit: string | undefined): string {
  if (!unit) return '';
  return UNITS[unit.toLowerCase()] ?? unit;
}

export function valueText(value: unknown, precision?: number): string {
  if (typeof value === 'number') return precision === undefined ? String(value) : value.toFixed(precision);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
