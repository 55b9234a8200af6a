/** True when the text holds no control character (NUL, line breaks, DEL …): names and keys never do. */
export function printableText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
