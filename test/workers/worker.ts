/**
 * The Worker the workerd tests run: production's, with one difference — its
 * room answers with the test's `ai/test` model when one is set
 * (testModel.ts). Production code holds no test switch; this subclass is
 * the seam, and a room evicted and woken again is this class again.
 */
import { ChatRoom as ProductionChatRoom } from "../../server/ChatRoom";
import type { ModelChoice, ModelSource } from "../../server/assistant/config";
import { testModel } from "./testModel";

// Named one by one: the test runner finds the Worker's entrypoints (the
// sandbox's SandboxOutbound among them) by the names this module exports.
export { Lobby, LocalSecret, AddressLimiter, Account, DeviceCodes, IdentityLink, SandboxOutbound } from "../../server/index";
export { default } from "../../server/index";

export class ChatRoom extends ProductionChatRoom {
  protected override assistantModel(source: ModelSource): ModelChoice {
    const factory = testModel();
    return factory ? { ok: true, model: factory(), label: "test model" } : super.assistantModel(source);
  }
}
