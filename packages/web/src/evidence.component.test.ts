import { describe, expect, it } from 'vitest';
import { checkpointSize } from './evidence.component';

describe('checkpointSize', () => {
  it('reads the tree size of a signed checkpoint note', () => {
    const note =
      'flagward/acme\n1234\nVYoVxwTAUDfhy2LQ9XvZxI5GSrxoxgumJ67YEaVCCHQ=\n\n— flagward K3yhleq6fBG06/uvsx1U75nWbp1RCx5jUEQy\n';
    expect(checkpointSize(note)).toBe(1234);
  });

  it('names no size for a text that is not a checkpoint of a non-empty tree', () => {
    for (const text of [
      '',
      'No checkpoint yet.',
      'flagward/acme\n0\nroot\n',
      'flagward/acme\n1.5\n',
      'a\n12abc\n',
    ]) {
      expect(checkpointSize(text)).toBeUndefined();
    }
  });
});
