import { describe, expect, it } from 'vitest';
import { splitImage, updateImage } from './images.ts';

describe('splitImage', () => {
  it.each([
    { image: 'nginx', want: { name: 'nginx', tag: '', digest: '' } },
    { image: 'nginx:1.25', want: { name: 'nginx', tag: '1.25', digest: '' } },
    { image: 'registry:5000/app:v1', want: { name: 'registry:5000/app', tag: 'v1', digest: '' } },
    { image: 'redis:7@sha256:00', want: { name: 'redis', tag: '7', digest: 'sha256:00' } },
    { image: 'redis@sha256:00', want: { name: 'redis', tag: '', digest: 'sha256:00' } },
  ])('$image', ({ image, want }) => {
    expect(splitImage(image)).toEqual(want);
  });
});

describe('updateImage', () => {
  it.each([
    {
      name: 'new tag',
      image: 'nginx:1',
      override: { name: 'nginx', newTag: '2' },
      want: 'nginx:2',
    },
    {
      name: 'digest drops the tag',
      image: 'nginx:1',
      override: { name: 'nginx', digest: 'sha256:ab' },
      want: 'nginx@sha256:ab',
    },
    {
      name: 'new name keeps the tag',
      image: 'nginx:1',
      override: { name: 'nginx', newName: 'm/nginx' },
      want: 'm/nginx:1',
    },
    {
      name: 'tag suffix appends',
      image: 'pg:16',
      override: { name: 'pg', tagSuffix: '-alpine' },
      want: 'pg:16-alpine',
    },
    {
      name: 'another image is untouched',
      image: 'nginx-other:1',
      override: { name: 'nginx', newTag: '2' },
      want: undefined,
    },
  ])('$name', ({ image, override, want }) => {
    expect(updateImage(image, override)).toBe(want);
  });
});
