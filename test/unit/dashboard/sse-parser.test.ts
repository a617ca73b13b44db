import { SseParser, type Block } from '../../../dashboard/src/lib/sse-parser';

function parse(...chunks: string[]): Block[] {
  const blocks: Block[] = [];
  const parser = new SseParser((b) => blocks.push(b));
  for (const chunk of chunks) parser.push(chunk);
  return blocks;
}

describe("the dashboard's Server-Sent Events parser", () => {
  it('reads the blocks the API sends: the id-only start, events, keepalive comments', () => {
    const blocks = parse(
      'retry: 2000\nid: 0:5.1:7\n\n',
      ': keepalive\n\n',
      'event: twin\nid: 0:6.1:7\ndata: {"id":"a","version":3}\n\n',
      'event: deleted\nid: 0:6.1:8\ndata: {"id":"b"}\n\n',
    );
    expect(blocks).toEqual([
      { event: 'message', data: [], id: '0:5.1:7', retry: 2000 },
      { event: 'twin', data: ['{"id":"a","version":3}'], id: '0:6.1:7' },
      { event: 'deleted', data: ['{"id":"b"}'], id: '0:6.1:8' },
    ]);
  });

  it('joins a block split anywhere across chunks, with CRLF or CR line ends', () => {
    const text =
      'event: twin\r\nid: 1:2\r\ndata: {"id":\r\ndata: "a"}\r\n\r\nevent: x\rdata: 1\r\r: keepalive\n';
    for (let cut = 1; cut < text.length; cut++) {
      const blocks = parse(text.slice(0, cut), text.slice(cut));
      expect(blocks).toEqual([
        { event: 'twin', data: ['{"id":', '"a"}'], id: '1:2' },
        { event: 'x', data: ['1'] },
      ]);
    }
  });

  it('keeps a block until its blank line', () => {
    expect(parse('event: twin\ndata: {}\n')).toEqual([]);
    // A CR ending a chunk may be half of a CRLF: the next chunk decides.
    expect(parse('event: twin\rdata: {}\r\r')).toEqual([]);
    expect(parse('event: twin\rdata: {}\r\r', 'x')).toEqual([{ event: 'twin', data: ['{}'] }]);
  });
});
