/** The live list of public rooms, pushed by the lobby socket. */
import PartySocket from "partysocket";
import { useEffect, useState } from "react";
import { LOBBY_PATH, LobbyFrame, type LobbyRoom } from "../../../../shared/lobby";
import { parseFrame } from "../../parseFrame";

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
      const frame = parseFrame("lobby", event.data, LobbyFrame);
      if (frame) setRooms(frame.rooms);
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
