/** Document versions are strings "N.X": N approvals so far, X revision within the cycle (spec §3.4). */
export interface Version {
  major: number;
  minor: number;
}

const VERSION_PATTERN = /^(\d{1,6})\.(\d{1,6})$/;

export function isVersionString(value: string): boolean {
  return VERSION_PATTERN.test(value);
}

export function parseVersion(value: string): Version {
  const match = VERSION_PATTERN.exec(value);
  if (!match) return { major: 0, minor: 1 };
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}`;
}

export function nextMajor(value: string): string {
  return formatVersion({ major: parseVersion(value).major + 1, minor: 0 });
}

export function nextMinor(value: string): string {
  const v = parseVersion(value);
  return formatVersion({ major: v.major, minor: v.minor + 1 });
}

export function previousMinor(value: string): string {
  const v = parseVersion(value);
  return formatVersion({ major: v.major, minor: Math.max(0, v.minor - 1) });
}
