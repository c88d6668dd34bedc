import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { NotFoundError, NotTextError, PermissionError, UsageError } from '../errors.js';
import { looksBinary } from './normalise-log.js';

/** A line longer than this is cut (a kernel record is at most 1 KiB of text, a journal JSON line a few KiB). */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * The lines of a saved log, read as a stream: memory stays flat whatever the file's size. `path` '-' reads
 * standard input. Lines come in batches, one per 64 KiB chunk read. The first chunk is checked before any line is
 * given out: a binary file is refused.
 */
export async function* readLogLines(path: string): AsyncGenerator<string[]> {
  const fd = openLog(path);
  const stream = createReadStream('', { fd, highWaterMark: 64 * 1024 });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let first = true;
  // A line longer than MAX_LINE_CHARS is cut there; the rest of it, up to its newline, is skipped.
  let skipping = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        if (looksBinary(chunk)) {
          throw new NotTextError(
            `${path === '-' ? 'Standard input' : path} is not a text log: its first bytes hold NUL or other binary data. ` +
              'Pass a saved kernel log as text: export a journal file with journalctl -k -o json --file FILE > kern.json, ' +
              'unpack a compressed log first (zcat kern.log.1.gz > kern.txt).',
          );
        }
      }
      const text = rest + decoder.write(chunk);
      const lines: string[] = [];
      rest = '';
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (!skipping) lines.push(text.slice(start, Math.min(nl, start + MAX_LINE_CHARS)));
        skipping = false;
        start = nl + 1;
      }
      const tail = skipping ? '' : text.slice(start);
      if (tail.length > MAX_LINE_CHARS) {
        lines.push(tail.slice(0, MAX_LINE_CHARS));
        skipping = true;
      } else rest = tail;
      if (lines.length) yield lines;
    }
    const tail = skipping ? '' : rest + decoder.end();
    if (tail) yield [tail];
  } finally {
    stream.destroy();
  }
}

/** Opens the log, or says what is wrong with the path. */
function openLog(path: string): number {
  if (path === '-') return 0;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new NotFoundError(
        `No file ${path}. Pass the path of a saved kernel log (dmesg > kern.txt, journalctl -k -o json > kern.json).`,
      );
    if (code === 'EACCES')
      throw new PermissionError(`Cannot read ${path}: permission denied. Run as a user who may read it, or copy it somewhere readable.`);
    throw err;
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new UsageError(`${path} is a folder. Pass one log file.`);
  }
  return fd;
}
