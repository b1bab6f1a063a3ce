/**
 * Attacker for the race test: flips `dir` between the real directory and a symlink to
 * `outside` as fast as it can for `milliseconds`, then posts how many flips it made. The
 * directory is always restored before the worker answers.
 */
interface Flip {
  dir: string;
  outside: string;
  milliseconds: number;
}

// Typed by hand: this file is checked with the window lib along with the tests.
const scope = self as unknown as {
  onmessage: (event: MessageEvent<Flip>) => void;
  postMessage(message: number): void;
};

scope.onmessage = (event) => {
  const { dir, outside, milliseconds } = event.data;
  const saved = `${dir}.saved`;
  const link = `${dir}.link`;
  Deno.symlinkSync(outside, link);
  const end = performance.now() + milliseconds;
  let flips = 0;
  while (performance.now() < end) {
    Deno.renameSync(dir, saved);
    Deno.renameSync(link, dir);
    Deno.renameSync(dir, link);
    Deno.renameSync(saved, dir);
    flips++;
  }
  Deno.removeSync(link);
  scope.postMessage(flips);
};
