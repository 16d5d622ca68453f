import { UUID_PATTERN, activeCount, type SearchFilters } from "./filters";

interface Props {
  value: SearchFilters;
  onChange: (next: SearchFilters) => void;
  onClear: () => void;
}

/** The filters of the search form: plain labelled controls, applied with the form's submit. */
export function SearchFiltersFields({ value, onChange, onClear }: Props) {
  const set = <K extends keyof SearchFilters>(key: K, v: SearchFilters[K]) => onChange({ ...value, [key]: v });
  return (
    <fieldset className="filters">
      <legend>Narrow the search</legend>
      <div className="filter-grid">
        <div>
          <label htmlFor="f-source">Source starts with</label>
          <input
            id="f-source"
            name="source"
            type="text"
            placeholder="s3://bucket/folder/"
            maxLength={1024}
            value={value.sourcePrefix}
            onChange={(e) => set("sourcePrefix", e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="f-job">Ingestion job id</label>
          <input
            id="f-job"
            name="job"
            type="text"
            pattern={UUID_PATTERN}
            title="A job id, e.g. 0192f0c4-8b1e-7c3a-9d2e-5f6a7b8c9d0e"
            spellCheck={false}
            value={value.jobId}
            onChange={(e) => set("jobId", e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="f-type">Content type</label>
          <input
            id="f-type"
            name="type"
            type="text"
            list="f-type-options"
            placeholder="text/plain"
            maxLength={255}
            value={value.contentType}
            onChange={(e) => set("contentType", e.target.value)}
          />
          <datalist id="f-type-options">
            <option value="text/plain" />
            <option value="text/markdown" />
          </datalist>
        </div>
        <div>
          <label htmlFor="f-from">Created on or after</label>
          <input
            id="f-from"
            name="from"
            type="date"
            value={value.createdFrom}
            onChange={(e) => set("createdFrom", e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="f-before">Created before</label>
          <input
            id="f-before"
            name="before"
            type="date"
            min={value.createdFrom || undefined}
            value={value.createdBefore}
            onChange={(e) => set("createdBefore", e.target.value)}
          />
        </div>
      </div>
      <div className="check">
        <input
          id="f-collapse"
          name="collapse"
          type="checkbox"
          checked={value.perDocument}
          onChange={(e) => set("perDocument", e.target.checked)}
        />
        <label htmlFor="f-collapse">Best passage per document only</label>
      </div>
      <p className="hint">Dates are whole days in UTC. Filters apply when you search.</p>
      {activeCount(value) > 0 ? (
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </fieldset>
  );
}
