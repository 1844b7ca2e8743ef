/**
 * Reads a picked CSV file in the webview (FileReader: no file-system access is granted to the
 * UI) and hands the core text. Spreadsheet programs still save Windows-1252 by default, and
 * decoding that as UTF-8 would silently turn "José" into "Jos�", so a file that is not valid
 * UTF-8 is decoded as Windows-1252 and the import says so.
 */

export interface ReadText {
  text: string;
  /** Set when the file was not UTF-8 and was read as Windows-1252. */
  note: string | null;
}

export class FileReadError extends Error {
  override readonly name = "FileReadError";
}

export function decodeCsv(bytes: ArrayBuffer): ReadText {
  const view = new Uint8Array(bytes);
  if ((view[0] === 0xff && view[1] === 0xfe) || (view[0] === 0xfe && view[1] === 0xff)) {
    throw new FileReadError('The file is UTF-16 text. Save it as "CSV UTF-8" in your spreadsheet program and import that.');
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(view), note: null };
  } catch {
    return {
      text: new TextDecoder("windows-1252").decode(view),
      note: "The file is not UTF-8; it was read as Windows-1252 (Western). Check that accented names look right.",
    };
  }
}

/** Reads `file`, reporting the fraction read (0 to 1) as it goes. */
export function readCsvFile(file: Blob, onProgress: (fraction: number) => void): Promise<ReadText> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    reader.onerror = () =>
      reject(new FileReadError("The file could not be read from this computer. Check that it is still there and try again."));
    reader.onload = () => {
      onProgress(1);
      const result = reader.result;
      if (!(result instanceof ArrayBuffer)) {
        reject(new FileReadError("The file could not be read as text. Pick the CSV file exported from your schedule."));
        return;
      }
      try {
        resolve(decodeCsv(result));
      } catch (error) {
        reject(error);
      }
    };
    reader.readAsArrayBuffer(file);
  });
}
