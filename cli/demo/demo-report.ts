import { parseInventoryId } from '../../api/index.ts';
import type { DynamicClient, KubeObject } from '../../controllers/apply/index.ts';

/**
 * Describes one applied object for a person: kind, namespace/name and the parts worth seeing.
 * Secret values and env values are never printed: only their keys and sizes.
 */
function describe(object: KubeObject): string[] {
  const id = `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
  const lines = [id];
  if (object.kind === 'Secret') {
    const data = (object.data ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(data)) {
      const bytes = Buffer.from(value, 'base64').length;
      lines.push(`    ${key}: <redacted, ${bytes} bytes, decrypted in memory>`);
    }
  }
  if (object.kind === 'Deployment') {
    const containers = ((object.spec as { template?: { spec?: { containers?: unknown[] } } })
      ?.template?.spec?.containers ?? []) as {
      name: string;
      image: string;
      env?: { name: string }[];
    }[];
    for (const container of containers) {
      lines.push(`    container ${container.name}: ${container.image}`);
      for (const env of container.env ?? []) lines.push(`      env ${env.name}: <redacted>`);
    }
  }
  return lines;
}

/** Reads every object in the Kustomization's inventory and renders what landed. */
export async function renderInventory(
  client: DynamicClient,
  kustomization: { name: string; namespace: string },
): Promise<string> {
  const live = await client.get({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    ...kustomization,
  });
  const status = (live?.status ?? {}) as {
    inventory?: { entries?: { id: string; v: string }[] };
    lastAppliedRevision?: string;
  };
  const lines = [
    `Kustomization ${kustomization.namespace}/${kustomization.name} applied ${status.lastAppliedRevision}:`,
  ];
  for (const entry of status.inventory?.entries ?? []) {
    const id = parseInventoryId(entry.id);
    const apiVersion = id.group ? `${id.group}/${entry.v}` : entry.v;
    const object = await client.get({
      apiVersion,
      kind: id.kind,
      name: id.name,
      ...(id.namespace ? { namespace: id.namespace } : {}),
    });
    const described = object ? describe(object) : [`${id.kind}/${id.name} (not found)`];
    lines.push(...described.map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}
