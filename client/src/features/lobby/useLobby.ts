/** The live list of public rooms, pushed by the lobby socket. */
import PartySocket from "partysocket";
import { useEffect, useState } from "react";
import { LOBBY_PATH, LobbyFrame, type LobbyRoom } from "../../../../shared/lobby";

export function useLobby(): { rooms: LobbyRoom[] | null; connected: boolean } {
  const [rooms, setRooms] = useState<LobbyRoom[] | null>(null);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const socket = new PartySocket({
      host: location.host,
      protocol: location.protocol === "https:" ? "wss" : "ws",
      party: LOBBY_PATH.party,
      room: LOBBY_PATH.room,
    });
    const onMessage = (event: MessageEvent) => {
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        console.warn("lobby: ignoring a frame that is not JSON", event.data);
        return;
      }
      const parsed = LobbyFrame.safeParse(json);
      if (!parsed.success) {
        console.warn("lobby: ignoring a frame that does not match the protocol", json, parsed.error);
        return;
      }
      setRooms(parsed.data.rooms);
    };
    const onOpen = () => setConnected(true);
    const onClose = () => setConnected(false);
    socket.addEventListener("message", onMessage);
    socket.addEventListener("open", onOpen);
    socket.addEventListener("close", onClose);
    return () => {
      socket.removeEventListener("message", onMessage);
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("close", onClose);
      socket.close();
    };
  }, []);

  return { rooms, connected };
}
