/** The room whose files message rows show (their URLs name it). */
import { createContext, useContext } from "react";

export const FileRoom = createContext<string>("");

export function useFileRoom(): string {
  return useContext(FileRoom);
}
