/** What a terminal shows for some output: \r returns to the start of the line, ESC[K erases to its end. */
export function screen(text: string): string[] {
  const lines: string[] = [''];
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const rest = text.slice(i);
    if (rest.startsWith('\x1b[K')) {
      lines[lines.length - 1] = lines[lines.length - 1].slice(0, col);
      i += 2;
    } else if (text[i] === '\r') col = 0;
    else if (text[i] === '\n') {
      lines.push('');
      col = 0;
    } else {
      const line = lines[lines.length - 1];
      lines[lines.length - 1] = line.slice(0, col) + text[i] + line.slice(col + 1);
      col++;
    }
  }
  return lines;
}
