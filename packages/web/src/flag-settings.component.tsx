import { isValidKey } from '@flagward/core';
import { type FormEvent, useState } from 'react';
import { api, seg } from './api.client';
import { useFailure } from './failure';
import type { Flag } from './types';
import { Dialog, FailureBox, parseTags, TagsInput } from './ui.component';
import { draftsOf, VariationsEditor, variationsOf } from './variations.component';

/** The project-wide details of a flag: name, description, tags and variations (every environment). */
export function FlagSettings(props: { project: string; flag: Flag; onClose(): void; onSaved(): void }) {
  const { flag } = props;
  const { failure, report } = useFailure(props.project);
  const [name, setName] = useState(flag.name);
  const [description, setDescription] = useState(flag.description);
  const [tags, setTags] = useState(flag.tags.join(', '));
  const [drafts, setDrafts] = useState(() => draftsOf(flag.variations));
  const { variations, problems } = variationsOf(flag.kind, drafts);
  const tagList = parseTags(tags);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    if (name !== flag.name) patch.name = name;
    if (description !== flag.description) patch.description = description;
    if (JSON.stringify([...tagList].sort()) !== JSON.stringify([...flag.tags].sort())) patch.tags = tagList;
    if (JSON.stringify(variations) !== JSON.stringify(flag.variations)) patch.variations = variations;
    try {
      if (Object.keys(patch).length > 0) {
        await api('PATCH', `/api/v1/projects/${seg(props.project)}/flags/${seg(flag.key)}`, patch);
      }
      props.onSaved();
      props.onClose();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Dialog title={`Settings of ${flag.key}`} onClose={props.onClose}>
      <p className="muted small">
        These apply in every environment, so changing them needs the permission in all of them.
      </p>
      <form onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <TagsInput label="Tags" value={tags} onChange={setTags} />
        <VariationsEditor kind={flag.kind} drafts={drafts} onChange={setDrafts} />
        <FailureBox failure={failure} />
        <button
          className="primary"
          type="submit"
          disabled={problems.length > 0 || tagList.some((t) => !isValidKey(t))}
        >
          Save
        </button>
      </form>
    </Dialog>
  );
}
