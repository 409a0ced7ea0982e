/** Files out of a paste or a drop (text and links in either are left to the textarea). */

/** A pasted screenshot is called "image.png" by every browser: it gets a name worth keeping. */
export function pastedFiles(data: DataTransfer): File[] {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return [...data.files].map((file, i) => {
    if (file.name && file.name !== "image.png") return file;
    const ext = file.type.split("/")[1] ?? "png";
    return new File([file], `pasted-${stamp}${i ? `-${i + 1}` : ""}.${ext === "jpeg" ? "jpg" : ext}`, { type: file.type });
  });
}

export function droppedFiles(data: DataTransfer): File[] {
  return [...data.files];
}
