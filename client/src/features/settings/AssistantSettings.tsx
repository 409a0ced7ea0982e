import { useId, useState, type FormEvent } from "react";
import "./settings.css";
import type { AssistantInfo, AssistantSettingsInput } from "../../../../shared/protocol";
import { latestCommand } from "../room/commandLog";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";

type Provider = "default" | "workers-ai" | "openai-compatible";

/**
 * The room's assistant: owners choose its model (the server's default,
 * Workers AI, or an OpenAI-compatible server with its key), how it writes
 * and what it is called; members see which model answers and how it is set.
 * The API key field is write-only: the room says only whether a key is
 * set, and an empty field keeps the stored key.
 */
export function AssistantSettings({ state, actions }: { state: RoomState; actions: RoomActions }) {
  const info = state.assistant;
  if (!info) return null;
  const isOwner = state.self?.role === "owner";
  return (
    <section className="card assistant-settings" aria-labelledby="assistant-settings-heading" data-testid="assistant-settings">
      <h2 id="assistant-settings-heading">Assistant</h2>
      <AssistantSummary info={info} />
      {/* Remounted when the room's settings change, so the form starts from what the room says. */}
      {isOwner && <AssistantForm key={`${info.updatedAt ?? 0}`} info={info} state={state} actions={actions} />}
    </section>
  );
}

function AssistantSummary({ info }: { info: AssistantInfo }) {
  return (
    <dl className="assistant-summary" data-testid="assistant-summary">
      <dt>Model</dt>
      <dd data-testid="assistant-summary-model">
        {info.label ?? "none connected"} <span className="muted small">({info.source === "room" ? "this room's" : "server default"})</span>
      </dd>
      {info.temperature !== null && (
        <>
          <dt>Temperature</dt>
          <dd>{info.temperature}</dd>
        </>
      )}
      {info.instructions && (
        <>
          <dt>Instructions</dt>
          <dd className="assistant-instructions">{info.instructions}</dd>
        </>
      )}
      {info.updatedBy && (
        <>
          <dt>Changed by</dt>
          <dd>
            {info.updatedBy.name}
            {info.updatedAt ? `, ${new Date(info.updatedAt).toLocaleString()}` : ""}
          </dd>
        </>
      )}
    </dl>
  );
}

function AssistantForm({ info, state, actions }: { info: AssistantInfo; state: RoomState; actions: RoomActions }) {
  const id = useId();
  const [provider, setProvider] = useState<Provider>(info.source === "room" ? (info.provider as Provider) : "default");
  const [baseUrl, setBaseUrl] = useState(info.baseUrl ?? "");
  const [model, setModel] = useState(info.source === "room" ? (info.model ?? "") : "");
  const [apiKey, setApiKey] = useState("");
  const [temperature, setTemperature] = useState(info.temperature === null ? "" : String(info.temperature));
  const [maxTokens, setMaxTokens] = useState(String(info.maxOutputTokens));
  const [name, setName] = useState(info.name);
  const [instructions, setInstructions] = useState(info.instructions);
  const result = latestCommand(state, "assistant");
  const listed = latestCommand(state, "models");
  const offered = state.offeredModels && listed?.id === state.offeredModels.id ? state.offeredModels.models : [];

  const save = (e: FormEvent) => {
    e.preventDefault();
    const change: AssistantSettingsInput = {
      provider,
      temperature: temperature.trim() === "" ? null : Number(temperature),
      maxOutputTokens: maxTokens.trim() === "" || Number(maxTokens) === info.maxOutputTokensCap ? null : Number(maxTokens),
      name: name.trim().toLowerCase(),
      instructions,
    };
    if (provider !== "default") change.model = model.trim();
    if (provider === "openai-compatible") change.baseUrl = baseUrl.trim();
    if (provider === "openai-compatible" && apiKey.trim()) change.apiKey = apiKey.trim();
    actions.assistantSettings(change, "Save the assistant's settings");
    setApiKey("");
  };
  const loadModels = () =>
    provider !== "default" &&
    actions.listModels(
      provider === "openai-compatible"
        ? { provider, baseUrl: baseUrl.trim() || undefined, apiKey: apiKey.trim() || undefined }
        : { provider },
    );

  return (
    <form className="assistant-form" onSubmit={save} data-testid="assistant-form">
      <label>
        Model from
        <select data-testid="assistant-provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value as Provider)}>
          <option value="default">The server's default</option>
          <option value="workers-ai">Workers AI</option>
          <option value="openai-compatible">An OpenAI-compatible server</option>
        </select>
      </label>
      {provider === "openai-compatible" && (
        <>
          <label>
            Server URL
            <input type="url" data-testid="assistant-base-url" placeholder="https://api.example.com/v1" value={baseUrl} onChange={(e) => setBaseUrl(e.currentTarget.value)} required />
          </label>
          <label>
            API key
            <input
              type="password"
              autoComplete="off"
              data-testid="assistant-api-key"
              placeholder={info.keySet ? "A key is set — type to replace it" : "None (if the server needs none)"}
              value={apiKey}
              onChange={(e) => setApiKey(e.currentTarget.value)}
            />
          </label>
          {info.keySet && (
            <button type="button" className="link" data-testid="assistant-forget-key" onClick={() => actions.assistantSettings({ apiKey: null }, "Forget the API key")}>
              Forget the stored key
            </button>
          )}
        </>
      )}
      {provider !== "default" && (
        <label>
          Model
          <span className="row">
            <input data-testid="assistant-model-input" list={`${id}-models`} value={model} onChange={(e) => setModel(e.currentTarget.value)} required />
            <button type="button" data-testid="assistant-list-models" onClick={loadModels}>
              List models
            </button>
          </span>
          <datalist id={`${id}-models`}>
            {offered.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
      )}
      {listed && <CommandNote entry={listed} testId="assistant-models-result" onDismiss={() => actions.dismissCommand(listed.id)} />}
      <label>
        Temperature
        <input type="number" min={0} max={2} step={0.1} data-testid="assistant-temperature" placeholder="model default" value={temperature} onChange={(e) => setTemperature(e.currentTarget.value)} />
      </label>
      <label>
        Most output tokens per step
        <input type="number" min={16} max={info.maxOutputTokensCap} data-testid="assistant-max-tokens" value={maxTokens} onChange={(e) => setMaxTokens(e.currentTarget.value)} />
      </label>
      <label>
        Name (people write @{name || info.name})
        <input data-testid="assistant-name" pattern="[a-z][a-z0-9_\-]{0,31}" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label>
        Instructions
        <textarea data-testid="assistant-instructions" rows={3} maxLength={4000} placeholder="e.g. Answer in French." value={instructions} onChange={(e) => setInstructions(e.currentTarget.value)} />
      </label>
      <button type="submit" data-testid="assistant-save">
        Save
      </button>
      {result && <CommandNote entry={result} testId="assistant-result" onDismiss={() => actions.dismissCommand(result.id)} />}
    </form>
  );
}
