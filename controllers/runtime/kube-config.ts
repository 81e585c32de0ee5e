import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The credentials of one kubeconfig context, resolved: what the controller needs to reach an
 * apiserver. File references are read when the kubeconfig is loaded, except the token file,
 * which the connection re-reads because a projected ServiceAccount token rotates.
 */
export interface KubeConfigData {
  readonly server: string;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly token?: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly insecureSkipTlsVerify?: boolean | undefined;
  readonly tlsServerName?: string | undefined;
  /** `users[].user.as`: the user every request impersonates. */
  readonly impersonateUser?: string | undefined;
  readonly exec?: ExecCredentialConfig | undefined;
  /** Set when the user has an `auth-provider`, which we do not run. */
  readonly authProvider?: string | undefined;
}

/** A `client.authentication.k8s.io` exec plugin, as the kubeconfig declares it. */
export interface ExecCredentialConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { name: string; value: string }[];
  readonly apiVersion: string;
}

/** A kubeconfig that cannot be used; the message names the file and the field, never a value. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

type Entry = Record<string, unknown>;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(entry: Entry, field: string): string | undefined {
  const value = entry[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function named(list: unknown, name: string, kind: string, where: string): Entry {
  const found = Array.isArray(list)
    ? list.find((e): e is Entry => isEntry(e) && e.name === name)
    : undefined;
  const body = found?.[kind];
  if (!isEntry(body)) throw new KubeConfigError(`${where}: no ${kind} named '${name}'`);
  return body;
}

/**
 * Parses kubeconfig text (YAML or JSON) and resolves its current context (or `context`).
 * Relative file paths are taken from `baseDir`, as kubectl does. `where` names the source in
 * errors; the parser's own messages are dropped because they may quote credentials.
 */
export function parseKubeConfig(
  text: string,
  options: { where: string; baseDir?: string; context?: string },
): KubeConfigData {
  const { where } = options;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw new KubeConfigError(`${where}: not valid YAML`);
  }
  if (!isEntry(doc)) throw new KubeConfigError(`${where}: not a kubeconfig`);
  const contextName = options.context ?? stringField(doc, 'current-context');
  if (contextName === undefined) throw new KubeConfigError(`${where}: no current-context`);
  const context = named(doc.contexts, contextName, 'context', where);
  const clusterName = stringField(context, 'cluster') ?? '';
  const cluster = named(doc.clusters, clusterName, 'cluster', where);
  const userName = stringField(context, 'user');
  const user = userName === undefined ? {} : named(doc.users, userName, 'user', where);
  const server = stringField(cluster, 'server');
  if (server === undefined) {
    throw new KubeConfigError(`${where}: cluster '${clusterName}' has no server`);
  }
  const file = (path: string | undefined) => {
    if (path === undefined) return undefined;
    return isAbsolute(path) ? path : resolve(options.baseDir ?? '.', path);
  };
  const bytes = (entry: Entry, dataField: string, fileField: string) => {
    const data = stringField(entry, dataField);
    if (data !== undefined) return Buffer.from(data, 'base64');
    const path = file(stringField(entry, fileField));
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch {
      throw new KubeConfigError(`${where}: cannot read ${fileField} '${path}'`);
    }
  };
  const authProvider = user['auth-provider'];
  return {
    server,
    ca: bytes(cluster, 'certificate-authority-data', 'certificate-authority'),
    cert: bytes(user, 'client-certificate-data', 'client-certificate'),
    key: bytes(user, 'client-key-data', 'client-key'),
    token: stringField(user, 'token'),
    tokenFile: file(stringField(user, 'tokenFile')),
    username: stringField(user, 'username'),
    password: stringField(user, 'password'),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: stringField(cluster, 'tls-server-name'),
    impersonateUser: stringField(user, 'as'),
    exec: parseExec(user.exec, where),
    authProvider: isEntry(authProvider)
      ? (stringField(authProvider, 'name') ?? 'unnamed')
      : undefined,
  };
}

function parseExec(exec: unknown, where: string): ExecCredentialConfig | undefined {
  if (!isEntry(exec)) return undefined;
  const command = stringField(exec, 'command');
  if (command === undefined) throw new KubeConfigError(`${where}: exec credential has no command`);
  const args = Array.isArray(exec.args) ? exec.args.filter((a) => typeof a === 'string') : [];
  const env = Array.isArray(exec.env)
    ? exec.env.filter(isEntry).map((e) => ({ name: String(e.name), value: String(e.value) }))
    : [];
  return {
    command,
    args,
    env,
    apiVersion: stringField(exec, 'apiVersion') ?? 'client.authentication.k8s.io/v1',
  };
}

/** The ServiceAccount of the pod the controller runs in, as client-go's InClusterConfig. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env): KubeConfigData | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(serviceAccountDir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const caFile = join(serviceAccountDir, 'ca.crt');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: existsSync(caFile) ? readFileSync(caFile) : undefined,
    tokenFile,
  };
}

/**
 * Loads the controller's kubeconfig as kubectl and client-go find it: the `path` given
 * (`--kubeconfig`), else the first file of `$KUBECONFIG`, else the pod's ServiceAccount, else
 * `~/.kube/config`.
 */
export function loadKubeConfig(
  options: { path?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): KubeConfigData {
  const env = options.env ?? process.env;
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p !== '' && existsSync(p));
  const path = options.path ?? fromEnv;
  if (path === undefined) {
    const inCluster = inClusterConfig(env);
    if (inCluster) return inCluster;
  }
  const file = resolve(path ?? join(homedir(), '.kube', 'config'));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new KubeConfigError(
      `cannot read kubeconfig '${file}': pass --kubeconfig, set KUBECONFIG or run in a pod`,
    );
  }
  return parseKubeConfig(text, { where: `kubeconfig '${file}'`, baseDir: dirname(file) });
}
