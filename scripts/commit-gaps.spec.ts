import { commitGap, medianAndWorst } from './commit-gaps.js';

describe('commitGap', () => {
  it('measures the longest stretch without a commit from the last one before the fault', () => {
    const commits = [1_000, 2_000, 3_000, 9_500, 10_500, 11_000];
    expect(commitGap(commits, 3_500, 10_000)).toEqual({
      lastBefore: 3_000,
      firstAfterMs: 6_000,
      longestMs: 6_500,
    });
  });

  it('counts from the fault when nothing was committed before it', () => {
    expect(commitGap([5_000, 6_000], 1_000, 5_500)).toEqual({
      lastBefore: undefined,
      firstAfterMs: 4_000,
      longestMs: 4_000,
    });
  });

  it('says nothing until publishing has resumed past `until`', () => {
    expect(commitGap([1_000, 5_000], 2_000, 6_000)).toBeUndefined();
    expect(commitGap([1_000], 2_000, 1_500)).toBeUndefined();
  });

  it('ignores commits after the span, whatever their order', () => {
    expect(commitGap([30_000, 4_000, 1_000, 2_500], 2_000, 3_000)?.longestMs).toBe(1_500);
  });
});

describe('medianAndWorst', () => {
  it('gives the middle value (mean of the two middle ones) and the largest', () => {
    expect(medianAndWorst([3, 1, 2])).toEqual({ median: 2, worst: 3 });
    expect(medianAndWorst([4, 1, 3, 2])).toEqual({ median: 2.5, worst: 4 });
  });
});
