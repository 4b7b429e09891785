/**
 * CSV text → records, each with the line it starts on (RFC 4180: cells
 * separated by commas, quoted cells may hold commas, line breaks and
 * doubled quotes; CRLF or LF line ends; a UTF-8 byte-order mark ignored).
 * Written here rather than taken from csv-parse: the grammar is this small,
 * and every error message must name the line a record starts on, which a
 * streaming parser reports only as an option we would wrap anyway.
 * Blank lines and lines starting with `#` are skipped (comments in
 * hand-kept provider lists).
 */

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  cells: string[];
}

/** A syntax error, at a line and the 0-based index of the cell it is in. */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly cell: number, message: string) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    // Skip blank and comment lines between records.
    if (src[i] === "\n" || (src[i] === "\r" && src[i + 1] === "\n")) {
      i += src[i] === "\r" ? 2 : 1;
      line++;
      continue;
    }
    if (src[i] === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      let cell = "";
      if (src[i] === '"') {
        i++;
        for (;;) {
          if (i >= src.length) throw new CsvSyntaxError(start, cells.length, "a quoted cell is never closed (a missing \")");
          const ch = src[i]!;
          if (ch === '"') {
            if (src[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          cell += ch;
          i++;
        }
        if (i < src.length && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") {
          throw new CsvSyntaxError(line, cells.length, "text after a quoted cell's closing quote (a quote inside a cell is written \"\")");
        }
      } else {
        while (i < src.length && src[i] !== "," && src[i] !== "\n" && !(src[i] === "\r" && src[i + 1] === "\n")) cell += src[i++];
      }
      cells.push(cell);
      if (src[i] === ",") {
        i++;
        continue;
      }
      // End of the record: a line end or the end of the text.
      if (src[i] === "\r") i++;
      if (src[i] === "\n") {
        i++;
        line++;
      }
      break;
    }
    records.push({ line: start, cells });
  }
  return records;
}
