import { useState, type FormEvent } from "react";
import { apiKey } from "../../api/client";

export function SettingsPage() {
  const [value, setValue] = useState(apiKey.get);
  const [saved, setSaved] = useState<string | null>(null);

  function save(e: FormEvent) {
    e.preventDefault();
    apiKey.set(value.trim());
    setSaved(value.trim() ? "Saved for this browser tab." : "Cleared.");
  }

  return (
    <section>
      <h1>Settings</h1>
      <form onSubmit={save} className="stack" autoComplete="off">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setSaved(null);
          }}
          aria-describedby="api-key-help"
          spellCheck={false}
        />
        <p id="api-key-help" className="hint">
          Needed to upload, start jobs and delete documents. It is kept in this tab's session storage only: closing
          the tab forgets it, and it is never put in a URL.
        </p>
        <div className="row">
          <button type="submit">Save</button>
          <button
            type="button"
            onClick={() => {
              setValue("");
              apiKey.set("");
              setSaved("Cleared.");
            }}
          >
            Clear
          </button>
        </div>
        <p role="status">{saved}</p>
      </form>
    </section>
  );
}
