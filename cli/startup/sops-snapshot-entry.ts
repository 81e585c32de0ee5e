// Entry of the startup snapshot of `kustodian sops …` (see one-shot-snapshot.ts).
import { registerSopsCommand } from '../sops-command.ts';
import { defineOneShotSnapshot } from './one-shot-snapshot.ts';

defineOneShotSnapshot('sops', registerSopsCommand);
