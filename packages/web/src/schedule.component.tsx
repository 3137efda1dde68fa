import { formatPercentage, type Variation } from '@flagward/core';
import { useState } from 'react';
import { ApiError, api, isUnavailable, seg } from './api.client';
import { useFailure } from './failure';
import { parsePercent, percentToWeight, type Weight } from './rollout';
import { variationLabel } from './serve.component';
import { FailureBox, isoToLocal, localToIso, Time, Unavailable, useLoad } from './ui.component';

interface Schedule {
  steps: { at: string; weights: Weight[] }[];
  bucketBy?: string;
  nextStep: number;
  nextAt: string | null;
  scheduledBy: string | null;
}

interface StepDraft {
  at: string;
  percent: string;
}

const HOUR = 60 * 60 * 1000;

/**
 * A progressive rollout of the default rule: at each step's time the server sets the rollout, as a
 * system actor on behalf of the member who scheduled it (ScheduleFlagRollout).
 */
export function RolloutSchedule(props: {
  path: string;
  project: string;
  env: string;
  variations: Variation[];
  offVariation: string;
  onChanged(): void;
}) {
  const url = `${props.path}/environments/${seg(props.env)}/rollout-schedule`;
  const current = useLoad(async () => {
    try {
      return await api<Schedule>('GET', url);
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 404 && !isUnavailable(error)) return null;
      throw error;
    }
  }, [url]);
  const { failure, report, clear } = useFailure(props.project);
  const [editing, setEditing] = useState(false);
  const [ramp, setRamp] = useState(props.variations.find((v) => v.id !== props.offVariation)?.id ?? '');
  const [rest, setRest] = useState(props.offVariation);
  const [steps, setSteps] = useState<StepDraft[]>(() =>
    [10, 50, 100].map((p, i) => ({
      at: isoToLocal(new Date(Date.now() + (i + 1) * HOUR).toISOString()),
      percent: String(p),
    })),
  );

  if (current.unavailable) return <Unavailable what="Rollout schedules are" />;
  const problems: string[] = [];
  if (ramp === rest) problems.push('choose two different variations');
  const body = {
    steps: steps.map((s, i) => {
      const at = localToIso(s.at);
      const percent = parsePercent(s.percent);
      if (!at) problems.push(`step ${i + 1}: choose a time`);
      if (percent === undefined) problems.push(`step ${i + 1}: a percentage between 0 and 100`);
      const weight = percentToWeight(percent ?? 0);
      return {
        at: at ?? '',
        weights: [
          { variation: ramp, weight },
          { variation: rest, weight: 100000 - weight },
        ],
      };
    }),
  };
  const run = async (action: () => Promise<unknown>) => {
    try {
      await action();
      clear();
      setEditing(false);
      await current.reload();
      props.onChanged();
    } catch (e) {
      report(e);
    }
  };
  const schedule = current.data;

  return (
    <div className="schedule">
      {schedule ? (
        <>
          <ol>
            {schedule.steps.map((s, i) => (
              <li key={s.at} className={i < schedule.nextStep ? 'muted' : undefined}>
                <Time at={s.at} />:{' '}
                {s.weights.map((w) => `${formatPercentage(w.weight)} ${w.variation}`).join(' · ')}
                {i < schedule.nextStep ? ' (applied)' : i === schedule.nextStep ? ' (next)' : ''}
              </li>
            ))}
          </ol>
          <p className="muted small">Scheduled by {schedule.scheduledBy ?? 'unknown'}.</p>
        </>
      ) : (
        current.data === null && !editing && <p className="muted">No scheduled rollout.</p>
      )}
      {!editing && (
        <div className="row">
          {schedule && (
            <button type="button" className="danger" onClick={() => run(() => api('DELETE', url))}>
              Cancel the schedule
            </button>
          )}
          <button type="button" onClick={() => setEditing(true)}>
            {schedule ? 'Replace the schedule' : 'Schedule a progressive rollout'}
          </button>
        </div>
      )}
      {editing && (
        <fieldset>
          <legend>Ramp</legend>
          <div className="row">
            <label className="inline">
              Serve
              <select value={ramp} onChange={(e) => setRamp(e.target.value)}>
                {props.variations.map((v) => (
                  <option key={v.id} value={v.id}>
                    {variationLabel(v)}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              and the rest
              <select value={rest} onChange={(e) => setRest(e.target.value)}>
                {props.variations.map((v) => (
                  <option key={v.id} value={v.id}>
                    {variationLabel(v)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {steps.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional
            <div className="row" key={i}>
              <label className="inline">
                At
                <input
                  type="datetime-local"
                  value={s.at}
                  onChange={(e) =>
                    setSteps(steps.map((x, j) => (j === i ? { ...x, at: e.target.value } : x)))
                  }
                />
              </label>
              <label className="inline">
                <input
                  className="percent"
                  value={s.percent}
                  aria-label={`Step ${i + 1} percentage`}
                  onChange={(e) =>
                    setSteps(steps.map((x, j) => (j === i ? { ...x, percent: e.target.value } : x)))
                  }
                />
                %
              </label>
              <button
                type="button"
                className="link danger"
                onClick={() => setSteps(steps.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            className="link"
            onClick={() => setSteps([...steps, { at: steps.at(-1)?.at ?? '', percent: '100' }])}
          >
            + Add step
          </button>
          {problems.map((p) => (
            <p className="field-error" key={p}>
              {p}
            </p>
          ))}
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={problems.length > 0 || steps.length === 0}
              onClick={() => run(() => api('PUT', url, body))}
            >
              Save schedule
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </fieldset>
      )}
      <FailureBox failure={failure ?? current.failure} />
    </div>
  );
}
