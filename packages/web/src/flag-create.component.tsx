import { defaultVariations, type FlagKind, flagKinds } from '@flagward/core';
import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import { FailureBox, KeyInput, keyMessage, parseTags, TagsInput } from './ui.component';
import { draftsOf, VariationsEditor, variationsOf } from './variations.component';

/** Creates a flag; it starts off in every environment. */
export function FlagCreate(props: { project: string; onCreated(key: string): void; onCancel(): void }) {
  const { failure, report } = useFailure(props.project);
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [kind, setKind] = useState<FlagKind>('boolean');
  const [drafts, setDrafts] = useState(() => draftsOf(defaultVariations('boolean')));
  const { variations, problems } = variationsOf(kind, drafts);
  const invalid = keyMessage(key) !== undefined || problems.length > 0;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      await api('POST', `/api/v1/projects/${seg(props.project)}/flags`, {
        key,
        name,
        ...(description ? { description } : {}),
        tags: parseTags(tags),
        kind,
        ...(kind === 'boolean' ? {} : { variations }),
      });
      props.onCreated(key);
    } catch (e) {
      report(e);
    }
  };

  return (
    <section className="card">
      <h3>New flag</h3>
      <p className="muted">A new flag is off in every environment.</p>
      <form onSubmit={submit}>
        <div className="row">
          <KeyInput label="Key" value={key} onChange={setKey} required placeholder="checkout-v2" />
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Kind
            <select
              value={kind}
              onChange={(e) => {
                const next = e.target.value as FlagKind;
                setKind(next);
                setDrafts(draftsOf(defaultVariations(next)));
              }}
            >
              {flagKinds.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <TagsInput label="Tags" value={tags} onChange={setTags} />
        </div>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {kind !== 'boolean' && <VariationsEditor kind={kind} drafts={drafts} onChange={setDrafts} />}
        <FailureBox failure={failure} />
        <div className="row">
          <button className="primary" type="submit" disabled={invalid}>
            Create flag
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
