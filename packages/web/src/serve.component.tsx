import { formatPercentage, isRolloutServe, type Serve, type Variation } from '@flagward/core';
import { allOn, parsePercent, percentToWeight, rolloutProblem, setWeight, weightToPercent } from './rollout';

/** How a variation reads in a control: its name, else its id, with its value when that says more. */
export function variationLabel(variation: Variation | undefined, id?: string): string {
  if (!variation) return id ?? '?';
  const value = JSON.stringify(variation.value);
  const name = variation.name ?? variation.id;
  return name === value || name === String(variation.value) ? name : `${name} (${value})`;
}

/** What a rule or the default rule serves: one variation, or a percentage rollout with its weights. */
export function ServeEditor(props: {
  label: string;
  serve: Serve;
  variations: Variation[];
  readOnly?: boolean;
  onChange(serve: Serve): void;
}) {
  const { serve, variations, readOnly } = props;
  const byId = (id: string) => variations.find((v) => v.id === id);
  const first = variations[0]?.id ?? '';
  const rollout = isRolloutServe(serve) ? serve.rollout : undefined;
  const name = props.label.replace(/\W+/g, '-').toLowerCase();

  const setMode = (mode: string) => {
    if (mode === 'variation') {
      const top = rollout?.weights.reduce((a, b) => (b.weight > a.weight ? b : a), rollout.weights[0]!);
      props.onChange({ variation: top?.variation ?? first });
    } else {
      const served = 'variation' in serve ? serve.variation : first;
      props.onChange({
        rollout: {
          weights: allOn(
            variations.map((v) => v.id),
            served,
          ),
        },
      });
    }
  };

  return (
    <fieldset className="serve" disabled={readOnly}>
      <legend>{props.label}</legend>
      <div className="row">
        <label className="inline">
          <input type="radio" name={name} checked={!rollout} onChange={() => setMode('variation')} />
          Serve a variation
        </label>
        <label className="inline">
          <input
            type="radio"
            name={name}
            checked={rollout !== undefined}
            onChange={() => setMode('rollout')}
          />
          Percentage rollout
        </label>
      </div>
      {!rollout && 'variation' in serve && (
        <select
          aria-label={`${props.label}: variation`}
          value={serve.variation}
          onChange={(e) => props.onChange({ variation: e.target.value })}
        >
          {variations.map((v) => (
            <option key={v.id} value={v.id}>
              {variationLabel(v)}
            </option>
          ))}
        </select>
      )}
      {rollout && (
        <div className="rollout">
          {rollout.weights.map((w, i) => (
            <div className="weight" key={w.variation}>
              <span className="weight-name">{variationLabel(byId(w.variation), w.variation)}</span>
              <input
                type="range"
                min={0}
                max={100000}
                step={100}
                value={w.weight}
                aria-label={`${props.label}: share of ${w.variation}`}
                onChange={(e) =>
                  props.onChange({
                    rollout: { ...rollout, weights: setWeight(rollout.weights, i, Number(e.target.value)) },
                  })
                }
              />
              <input
                type="number"
                className="percent"
                min={0}
                max={100}
                step={0.001}
                value={weightToPercent(w.weight)}
                aria-label={`${props.label}: percentage of ${w.variation}`}
                onChange={(e) => {
                  const percent = parsePercent(e.target.value);
                  if (percent !== undefined) {
                    props.onChange({
                      rollout: {
                        ...rollout,
                        weights: setWeight(rollout.weights, i, percentToWeight(percent)),
                      },
                    });
                  }
                }}
              />
              <span className="muted">%</span>
            </div>
          ))}
          <p className={rolloutProblem(rollout.weights) ? 'field-error' : 'muted'}>
            {rolloutProblem(rollout.weights) ??
              rollout.weights.map((w) => `${formatPercentage(w.weight)} ${w.variation}`).join(' · ')}
          </p>
          <div className="row">
            {variations.some((v) => !rollout.weights.some((w) => w.variation === v.id)) && (
              <select
                aria-label="Add a variation to the rollout"
                value=""
                onChange={(e) =>
                  props.onChange({
                    rollout: {
                      ...rollout,
                      weights: [...rollout.weights, { variation: e.target.value, weight: 0 }],
                    },
                  })
                }
              >
                <option value="">+ add a variation…</option>
                {variations
                  .filter((v) => !rollout.weights.some((w) => w.variation === v.id))
                  .map((v) => (
                    <option key={v.id} value={v.id}>
                      {variationLabel(v)}
                    </option>
                  ))}
              </select>
            )}
            <label className="inline">
              Bucket by
              <input
                value={rollout.bucketBy ?? ''}
                placeholder="key"
                onChange={(e) => {
                  const { bucketBy: _old, ...rest } = rollout;
                  props.onChange({ rollout: e.target.value ? { ...rest, bucketBy: e.target.value } : rest });
                }}
              />
            </label>
          </div>
        </div>
      )}
    </fieldset>
  );
}
