/** Notices kept in memory, for tests that read what a run told the instructor. */
import { warningLine, type Notices } from '../../app/io.js';

export function collectedNotices(): Notices & { text(): string } {
  const chunks: string[] = [];
  return {
    status: { write: (t) => void chunks.push(t), isTTY: false, color: false },
    warn: (t) => void chunks.push(warningLine(t)),
    text: () => chunks.join(''),
  };
}
