import type { UploadTicket } from "../../api/client";

/** Headers a browser sets itself and refuses to take from a script. */
const FORBIDDEN = new Set(["content-length", "host", "connection", "expect"]);

/** PUTs `file` to the presigned URL with the ticket's headers, reporting progress (0..1). */
export function putFile(ticket: UploadTicket, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method, ticket.url);
    for (const [name, value] of Object.entries(ticket.headers)) {
      if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new Error(`the storage service answered HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error("the upload could not reach the storage service"));
    xhr.onabort = () => reject(new Error("the upload was cancelled"));
    xhr.send(file);
  });
}
