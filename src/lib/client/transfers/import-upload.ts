/**
 * Sending an export to the import route (src/app/api/import) over XMLHttpRequest, the one browser API that reports
 * upload progress. Resolves with the job the server started; its progress is then read from `imports.get`.
 */
import { tabUserHeaders } from "../client-state";
import { refusedUpload, UploadError } from "./upload";

export function uploadImport<J>(file: File, onProgress: (fraction: number) => void): { promise: Promise<J>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<J>((resolve, reject) => {
    xhr.open("POST", `/api/import?${new URLSearchParams({ name: file.name })}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    // Whose page sends it: imported only into that user's account (client-state.ts).
    for (const [name, value] of Object.entries(tabUserHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { job?: J } | null;
      if (xhr.status === 202 && body?.job) resolve(body.job);
      else reject(refusedUpload(xhr));
    };
    xhr.onerror = () => reject(new UploadError(0, "network error"));
    xhr.onabort = () => reject(new UploadError(0, "aborted", true));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
