/**
 * A name part no other live object of this process picks: the time and 50 random bits. Used
 * beside the pid for temp files (created with O_EXCL, so a clash fails safely) and for the tag
 * a child's processes inherit. Not node:crypto, which costs every watchdog about 0.7 MiB.
 */
export function uniqueId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}`;
}
