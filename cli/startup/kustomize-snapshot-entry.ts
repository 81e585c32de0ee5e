// Entry of the startup snapshot of `kustodian kustomize …` (see one-shot-snapshot.ts).
import { registerKustomizeCommand } from '../kustomize-command.ts';
import { defineOneShotSnapshot } from './one-shot-snapshot.ts';

defineOneShotSnapshot('kustomize', registerKustomizeCommand);
