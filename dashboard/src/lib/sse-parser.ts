export interface Block {
  event: string;
  data: string[];
  id?: string;
  retry?: number;
}

/** Feeds text into Server-Sent Event blocks (the WHATWG format: `field: value` lines, blank line ends). */
export class SseParser {
  private buffer = '';
  private block: Block = { event: 'message', data: [] };

  constructor(private readonly emit: (block: Block) => void) {}

  push(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR ending the chunk may be half of a CRLF: wait for the next chunk to tell.
      if (nl === this.buffer.length - 1 && this.buffer.endsWith('\r')) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      const block = this.block;
      this.block = { event: 'message', data: [] };
      if (block.data.length > 0 || block.id !== undefined || block.retry !== undefined) this.emit(block);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.block.event = value;
    else if (field === 'data') this.block.data.push(value);
    else if (field === 'id') this.block.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.block.retry = Number(value);
  }
}
