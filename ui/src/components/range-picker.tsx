/** A time range as a row of radio buttons (a fieldset named "Range"): the Overview's and the Routing page's. */
import { RANGES, type RangeId } from "../lib/ranges";

export function RangePicker<R extends RangeId>({ ids, value, name, onChange }: { ids: readonly R[]; value: R; name: string; onChange: (id: R) => void }) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">Range</legend>
      {ids.map((id) => (
        <label key={id}>
          <input type="radio" name={name} value={id} checked={value === id} onChange={() => onChange(id)} />
          <span>{RANGES[id].label}</span>
        </label>
      ))}
    </fieldset>
  );
}
