import { describe, expect, it } from 'vitest';
import { TextSink } from '../../../src/registry/text-sink.js';

describe('TextSink', () => {
  it('grows past its first buffer and returns exactly what was written', () => {
    const sink = new TextSink();
    const line = 'x'.repeat(999) + '\n';
    for (let i = 0; i < 200; i++) sink.ascii(line);
    sink.char(0x41);
    sink.byteHex(0xab);
    expect(sink.length).toBe(200_003);
    expect(sink.toString()).toBe(line.repeat(200) + 'Aab');
  });

  it('writes non-ASCII as UTF-8 and refuses a lone surrogate without writing anything', () => {
    const sink = new TextSink();
    expect(sink.text('caf\u00e9 \u{1F600} ')).toBe(true);
    expect(sink.text('bad \ud800')).toBe(false);
    expect(sink.text('bad \udc00 too')).toBe(false);
    expect(sink.text('short')).toBe(true);
    expect(sink.toString()).toBe('caf\u00e9 \u{1F600} short');
  });
});
