import { type AnyNode, type JsonValue, toOpenApi } from './schema/index.ts';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'date' | 'integer' | 'boolean';
  readonly jsonPath: string;
}

/** What a CustomResourceDefinition is made from: names, columns and the root schema. */
export interface CrdDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly printerColumns: readonly PrinterColumn[];
  readonly schema: AnyNode;
}

/**
 * Builds the CustomResourceDefinition manifest: one served and stored version with the status
 * subresource, as Flux ships it.
 */
export function buildCrd(definition: CrdDefinition): { [key: string]: JsonValue } {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${definition.group}`,
      annotations: {
        // Keeps a Kustomization's postBuild substitution from rewriting ${...} in the schema
        // text when the CRDs themselves are applied through kustodian or Flux.
        'kustomize.toolkit.fluxcd.io/substitute': 'disabled',
      },
    },
    spec: {
      group: definition.group,
      names: {
        categories: [...definition.categories],
        kind: definition.kind,
        listKind: definition.listKind,
        plural: definition.plural,
        shortNames: [...definition.shortNames],
        singular: definition.singular,
      },
      scope: 'Namespaced',
      versions: [
        {
          additionalPrinterColumns: definition.printerColumns.map((column) => ({
            jsonPath: column.jsonPath,
            name: column.name,
            type: column.type,
          })),
          name: definition.version,
          schema: { openAPIV3Schema: toOpenApi(definition.schema) },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
  };
}
