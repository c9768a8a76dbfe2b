/**
 * A small RFC 4180 reader for previews: quoted fields, doubled quotes, CRLF. It stops after `maxRows` rows, and
 * the caller passes at most the first ~64 KB, so a huge file costs nothing.
 */
export function parseCsv(text: string, maxRows = 50): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
  };
  while (i < text.length && rows.length < maxRows) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else field += c;
    i++;
  }
  if (rows.length < maxRows && (field !== "" || row.length > 0)) endRow();
  return rows;
}

export function isCsv(name: string | null | undefined, mime: string | null | undefined): boolean {
  return /\/(csv|x-csv)\b/i.test(mime ?? "") || /\.csv$/i.test(name ?? "");
}
